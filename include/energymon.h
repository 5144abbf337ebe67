/*
 * energymon.h — the host library's public API (used by the CLI, the Python
 * binding and anyone embedding energymon). Plugin authors need only
 * energy_plugin.h.
 *
 * Typical use:
 *   struct em_config *cfg; struct em_monitor *mon; struct em_error err;
 *   em_config_load_file("lithops.json", &cfg, &err);
 *   em_monitor_create(cfg, child_pid, &mon, &err);
 *   em_monitor_start(mon, &err);  ... workload ...  em_monitor_stop(mon, &err);
 *   char *json = em_monitor_result_json(mon);   // composite result, caller frees
 *   em_monitor_write_files(mon, "energy_data", "job", "call0", &err);
 *   em_monitor_destroy(mon); em_config_free(cfg);
 *
 * Every function that can fail returns 0 or a negative errno, and when `err`
 * is not NULL fills it with a message that names the key, file, plugin or
 * host at fault. No function prints. No global mutable state: objects are
 * independent; one object must not be used from two threads at once.
 */
#ifndef ENERGYMON_H
#define ENERGYMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ENERGYMON_VERSION "0.1.0"

#if defined(__GNUC__)
#define EM_API __attribute__((visibility("default")))
#else
#define EM_API
#endif

struct em_error {
	int code;          /* negative errno, 0 when no error */
	char message[1024];
};

struct em_config;
struct em_monitor;

/* Configuration (the Lithops keys: lithops.energy, lithops.energy_strategy,
 * energy_sampling_interval, energy_output_dir, ipmi_*, perf_*, ebpf_*). */
EM_API int em_config_load_file(const char *path, struct em_config **out, struct em_error *err);
EM_API int em_config_load_string(const char *json, struct em_config **out, struct em_error *err);
EM_API int em_config_new(struct em_config **out, struct em_error *err); /* all defaults */
/* Overrides, as the CLI flags do. `strategy` is "auto", "ipmi" or "ipmi,perf". */
EM_API int em_config_set_strategy(struct em_config *cfg, const char *strategy, struct em_error *err);
EM_API int em_config_set_interval(struct em_config *cfg, double seconds, struct em_error *err);
EM_API int em_config_set_output_dir(struct em_config *cfg, const char *dir, struct em_error *err);
/* Set one key from text ("ipmi_host=127.0.0.1:9001"), typed by its
 * declaration (the host's keys, or the installed plugin that declares it):
 * a string key keeps "true" or "1" as text. Refuses, naming the key, a key
 * no one declares (matched case-sensitively) and every key a plugin declares
 * secret: this is the command line's path, which every user can read. */
EM_API int em_config_set(struct em_config *cfg, const char *key, const char *value, struct em_error *err);
/* Refuse unknown keys under the prefix of every installed plugin, selected
 * or not ("ipmi_bogus" with strategy perf). em_monitor_create() calls it;
 * call it first to report configuration errors before anything runs. Keys
 * outside energymon's namespaces (a Lithops config's "backend", ...) are
 * left alone. */
EM_API int em_config_check_keys(struct em_config *cfg, struct em_error *err);
EM_API int em_config_energy_enabled(const struct em_config *cfg); /* lithops.energy, default true */
EM_API const char *em_config_output_dir(const struct em_config *cfg);
EM_API const char *em_config_function_name(const struct em_config *cfg); /* NULL when not set */

/* The rule for job keys and call ids, which become part of file names: 1 to
 * EM_FILE_KEY_MAX bytes, no '/', no control characters, not "." or "..".
 * -EINVAL with a message naming `what` (e.g. "--job-key") otherwise.
 * em_monitor_write_files() applies the same rule. */
#define EM_FILE_KEY_MAX 80
EM_API int em_check_file_key(const char *what, const char *value, struct em_error *err);
/* Can files be written to `dir` (or can it be created)? Lets a caller refuse
 * a bad output directory before measuring instead of after. */
EM_API int em_check_output_dir(const char *dir, struct em_error *err);
EM_API void em_config_free(struct em_config *cfg);
/* The names of the environment variables the configuration takes secrets
 * from (the value of every key ending in "_password_env"), so that a caller
 * can keep them out of the programs it starts. Fills up to `max` pointers,
 * valid while cfg is unchanged; returns how many there are. */
EM_API size_t em_config_secret_env_names(const struct em_config *cfg, const char **names, size_t max);

/* A monitor for the process tree rooted at `target_pid` (0: whole system).
 * Loads the plugins the strategy names; fails naming the first that cannot
 * load or run, except under "auto", where unavailable plugins are skipped and
 * their reasons kept in the result.
 * With the key energy_agent "auto" (the default; the environment variable
 * ENERGYMON_AGENT gives the default when the configuration does not) the
 * monitor is energymond's when its socket ($ENERGYMON_SOCKET, else
 * /run/energymon/energymond.sock) answers, and in-process otherwise; "off"
 * never asks the agent; "required" fails, naming the socket, without it.
 * Under the agent, start and stop open and close a window
 * (docs/agent-protocol.md) and the strategy names the agent's sources
 * ("auto": all of them; an id the agent lacks is -ENOENT naming it and the
 * agent's sources, or a placeholder under energy_allow_unavailable); no
 * plugin is loaded in this process. "auto" waits at most 1 s for the
 * agent's answer; when a socket existed but did not serve, the in-process
 * result says why under "agent_not_used". A relative ENERGYMON_SOCKET or
 * an unknown ENERGYMON_AGENT is -EINVAL naming the variable. If the agent
 * dies, hangs (stop waits at most 30 s for it) or answers garbage while
 * the window is open, stop still returns 0 and every source is a
 * placeholder whose reason says what happened; SIGPIPE is never raised.
 * The result says who measured: "measured_by" ("agent" or "in-process")
 * and, under the agent, "agent": {"socket", "version"}; em_result_run too. */
EM_API int em_monitor_create(const struct em_config *cfg, pid_t target_pid, struct em_monitor **out,
                      struct em_error *err);
EM_API int em_monitor_start(struct em_monitor *mon, struct em_error *err);
EM_API int em_monitor_stop(struct em_monitor *mon, struct em_error *err);
/* Follow exactly these process trees from now on (their roots' pids; n may
 * be 0: none), replacing the target_pid given to em_monitor_create and any
 * earlier call, in every source whose plugin can (ABI 1.1 set_targets, for
 * process-scope plugins such as ebpf); other sources keep measuring as
 * before. Valid from em_monitor_create() until em_monitor_stop(). Before
 * start the plugins are called at once; while running, each source's
 * sampling thread makes the call between two samples (never concurrently
 * with the plugin's other methods) and this waits for it at most as long as
 * for a plugin's last calls at stop. Returns 0, or: -E2BIG for more than
 * 4194304 (2^22) pids; -EINVAL for a pid <= 0
 * or a stopped monitor; -EOPNOTSUPP when no source's plugin has
 * set_targets; the first failing plugin's code (-ESRCH for a pid that does
 * not exist, ...) with its reason, naming the source (the earlier targets
 * then stay in that source; sources after it are not called); -ETIMEDOUT
 * when a source did not answer in time; -EOPNOTSUPP under energymond (a
 * window follows the one tree named at em_monitor_create). */
EM_API int em_monitor_set_targets(struct em_monitor *mon, const pid_t *pids, size_t n, struct em_error *err);
/* Give up on every plugin call still running: an em_monitor_stop() waiting in
 * another thread returns at once, and each source still inside its plugin is
 * abandoned (reported with what it covered, never waited for again). Without
 * it, stop waits for each plugin's last calls at most max(5 s, min(3 x
 * interval, 10 s)). Under energymond it shuts the connection down at once:
 * the agent forgets the window and stop returns placeholders saying so.
 * The one call that is safe from a thread other than the
 * monitor's user, at any time until em_monitor_destroy() begins. */
EM_API void em_monitor_abandon(struct em_monitor *mon);
/* The composite result as a JSON document (UTF-8, NUL-terminated, caller
 * frees with free()). Valid after stop. NULL on allocation failure. */
EM_API char *em_monitor_result_json(struct em_monitor *mon);
/* One file per source plus _composite.json in `dir`, atomically, 0644 in a
 * 0755 directory; dir NULL means the configured output dir. */
EM_API int em_monitor_write_files(struct em_monitor *mon, const char *dir, const char *job_key,
                           const char *call_id, struct em_error *err);
EM_API void em_monitor_destroy(struct em_monitor *mon);

/* ---- The result, typed ----
 * The same result as em_monitor_result_json(), for callers that read it in
 * C instead of parsing JSON (the CLI's summary does). Valid from
 * em_monitor_stop() until em_monitor_destroy(); every string belongs to the
 * monitor. Each struct begins with struct_size: set it to sizeof(the struct)
 * before the call; the library fills no byte beyond it, so the structs can
 * grow at their end. Each function returns 0; -ENOENT past the last item
 * (iterate: for (i = 0; em_result_source(mon, i, &s) == 0; i++)); -EINVAL
 * before stop or for a struct_size smaller than the first members. A number
 * that could not be measured is NAN, and a reason says why. */

/* The whole run: the composite result. */
struct em_result_run {
	uint32_t struct_size;
	int measured;          /* some source measured: 0 means the run is a placeholder */
	int complete;          /* every source that measured covered the whole run */
	double timestamp;      /* start, unix seconds */
	double duration_s;
	double covered_s;      /* the least any measuring source covered; NAN when none */
	double cpu_share;      /* the process tree's share of busy CPU time; NAN without one */
	const char *cpu_share_source; /* the source id that measured it, NULL without */
	double monitor_cpu_s;  /* CPU time the monitor itself used */
	/* since 0.2: who measured: "in-process" (this process's plugins) or
	 * "agent" (energymond, at agent_socket) */
	const char *measured_by;
	const char *agent_socket; /* NULL when measured in-process */
};

/* One source: a plugin instance, named by its id ("ipmi", "ipmi:rack1"). */
struct em_result_source {
	uint32_t struct_size;
	const char *id;
	const char *plugin;    /* "ipmi" */
	const char *instance;  /* "rack1", "" for none */
	int available;         /* it could run here */
	int measured;          /* 0: a placeholder, see reason */
	int complete;          /* measured the whole run without gaps or drops */
	double timestamp;      /* start, unix seconds */
	double duration_s;
	double covered_s;      /* the time its values cover; NAN when nothing was measured */
	const char *reason;    /* why nothing was measured; NULL when something was */
	/* how it sampled; zero when it never started */
	int started;
	uint64_t samples, failed_samples, missed_deadlines;
	double interval_requested_s, interval_used_s, interval_median_s, interval_p95_s;
	const char *last_failure;      /* the last failed sample's reason, or NULL */
	const char *abandoned;         /* why it was given up on, or NULL */
	uint64_t dropped_readings;     /* readings of series beyond energy_max_series */
	size_t series_limit;           /* energy_max_series */
	uint64_t gap_count;            /* gaps of its first energy series that has any (em_result_gap) */
};

/* One metric: energymon's own key ("pkg") or one the plugin declared
 * ("gpu0_energy"). In the composite (source EM_RESULT_MERGED) the merged
 * metrics: own keys from the first source that measured them, declared ones
 * as "key" or "key@source id", and "attributed_*". */
struct em_result_metric {
	uint32_t struct_size;
	const char *key;
	const char *unit;      /* "J", "W", "s", "degC", "ratio", or a count's own unit */
	const char *kind;      /* "counter", "gauge" or "seconds" */
	const char *scope;     /* "system", "cpu_package", "accelerator", ... */
	unsigned index;        /* which package / GPU */
	int declared;          /* declared by the plugin, not one of energymon's keys */
	int attributable;      /* shared out to the process tree by CPU share */
	double value;          /* counters: the total; gauges: the time-weighted mean; NAN: see reason */
	const char *reason;    /* why value is NAN; NULL when there is a value */
	uint64_t readings;
	double covered_s;      /* NAN when none */
	const char *source;    /* the id of the source it comes from */
	/* Appended (present when struct_size covers them): the energy's 95 % bound, joules
	 * (docs/uncertainty.md); NAN when the metric bears no energy bound.
	 * energy_j is the energy bounded: value for a joule counter, the
	 * integral for a watt gauge. */
	double energy_j, energy_low_j, energy_high_j;
	const char *bound_method;
	/* With an idle baseline (energy_baseline_s): idle power (W) and the
	 * energy less idle power x covered_s (J), each with its bound; NAN
	 * when there is none. */
	double idle_w, idle_low_w, idle_high_w;
	double dynamic_j, dynamic_low_j, dynamic_high_j;
};
#define EM_RESULT_MERGED ((size_t)-1)

EM_API int em_result_run(const struct em_monitor *mon, struct em_result_run *out);
EM_API int em_result_source(const struct em_monitor *mon, size_t source, struct em_result_source *out);
/* Metric `i` of source `source`, or of the composite with EM_RESULT_MERGED. */
EM_API int em_result_metric(const struct em_monitor *mon, size_t source, size_t i, struct em_result_metric *out);
/* Gap `i` (at most 16 are kept) of the source's first energy series with
 * any: where the readings stop and start again, unix seconds. */
EM_API int em_result_gap(const struct em_monitor *mon, size_t source, size_t i, double *from, double *to);
/* The i-th note of the source that is text (numeric notes are in the JSON). */
EM_API int em_result_note(const struct em_monitor *mon, size_t source, size_t i, const char **key,
                          const char **text);
/* The i-th line the plugin logged: level "error", "warning", "info" or "debug". */
EM_API int em_result_log(const struct em_monitor *mon, size_t source, size_t i, const char **level,
                         const char **message);

/* ---- Continuous monitors and windows: what energymond is built on ----
 *
 * A continuous monitor samples from em_monitor_start() until
 * em_monitor_stop()/em_monitor_destroy() and follows no process tree of its
 * own: plugins see target_pid 0 with ENERGY_HOST_TARGETS_LATER. Its series
 * keep their most recent EM_SERIES_POINTS_MAX points instead of thinning,
 * and running totals that never lose precision to thinning.
 *
 * A window is a slice of it: em_window_begin() has every source it names
 * take a sample now and remembers where each stands; em_window_end() has
 * them sample again and makes a stopped monitor holding exactly what
 * happened between the two samples (totals are differences of running
 * totals, so exact for any length; the readings lists hold the points
 * still kept). Requests from several threads share one sample per source.
 * A source that does not answer within EM_WINDOW_SAMPLE_WAIT_S is taken as
 * it stood at its last sample, and the result says so.
 *
 * em_window_begin/end/free may be called from several threads at once on
 * one started continuous monitor, but not concurrently with
 * em_monitor_stop(), em_monitor_destroy() or em_monitor_set_targets().
 * A window must end or be freed before its monitor is destroyed.
 *
 * In a window's result: totals, covered_s, gap_s, gaps, wraps and the
 * sampler's counters are differences of running totals; `readings` and
 * `samples` count the reading the window begins at (the baseline of its
 * first delta) and every later one; min, max, mean and std_dev are of the
 * window's kept points (when the window has more readings than are kept,
 * mean and std_dev come from the running sums, min and max from the kept
 * points, and the source's note "window_points_partial" says so); points
 * and gaps are those kept inside the window; notes are the source's, log
 * lines those logged during the window (none once the source's 64 are
 * full); final readings none. The result's start and stop are the earliest
 * source's first and the latest source's last sample; its target_pid is
 * the window's root. A sample asked for by a window is not a missed
 * deadline and does not move the schedule; a late source gets the note
 * "window_sample_late". Sampling threads are named "em:<plugin>" (cut to
 * 15 bytes); a shared pool's thread (energy_sampler_threads) takes the
 * name of the plugin whose call it runs. */
#define EM_WINDOW_SAMPLE_WAIT_S 2.0
EM_API int em_monitor_create_continuous(const struct em_config *cfg, struct em_monitor **out,
                                        struct em_error *err);
struct em_window;
/* Open a window on a started continuous monitor over the sources `ids`
 * (nids of them, in the order the result's composite should prefer; ids
 * NULL: every source, in strategy order; an unknown id is -ENOENT naming it
 * and the monitor's sources). `root` (> 0) is a process tree to follow from
 * now until the window ends: it is added to the targets of every source
 * whose plugin has set_targets, and the result attributes energy by that
 * tree's CPU share; 0: no tree. The library keeps the union of all open
 * windows' roots as the targets (counted per root): a root that does not
 * exist is -ESRCH and leaves the union as it was; a root that exits while
 * its window is open is left out of the union given to plugins later (a
 * plugin refuses a whole list for one dead pid); a source without
 * set_targets is no error. A per-target metric (ENERGY_METRIC_PER_TARGET)
 * in the result is the root's own part, filed as the metric itself; with
 * no root, or no per-target readings for it, null with the reason. ids
 * NULL or nids 0: every source; a source named twice is -EINVAL. A monitor
 * that is not a started, running continuous one is -EINVAL. */
EM_API int em_window_begin(struct em_monitor *mon, pid_t root, const char *const *ids, size_t nids,
                           struct em_window **out, struct em_error *err);
/* Close the window: its sources sample now, and *result is a stopped
 * monitor to read as any other (em_monitor_result_json, em_result_*,
 * em_monitor_write_files), then em_monitor_destroy(). Frees the window
 * whatever it returns. */
EM_API int em_window_end(struct em_monitor *mon, struct em_window *w, struct em_monitor **result,
                         struct em_error *err);
/* Forget a window without a result (its client went away); NULL is a no-op. */
EM_API void em_window_free(struct em_monitor *mon, struct em_window *w);

/* A stopped monitor's measurement as one JSON document (what energymond
 * sends a client; caller frees), and a stopped monitor made from such a
 * document (what the client reads): results, files and the typed API come
 * out the same as from the original. The document is checked as hostile
 * input (sizes, types, ranges); -EPROTO says what is wrong with it. `cfg`
 * gives the reader's own settings (output dir, function name). */
EM_API char *em_monitor_state_json(const struct em_monitor *mon);
EM_API int em_monitor_from_state(const char *json, size_t len, const struct em_config *cfg,
                                 struct em_monitor **out, struct em_error *err);

/* ---- Live readings: what a Prometheus scrape reads (since 0.3) ----
 * A snapshot of a started monitor (em_monitor_start() or a continuous
 * monitor): each source's latest reading of each series, its running energy
 * total and its health. Taking it only copies what the sampling threads
 * already hold, under each source's lock for a few microseconds: it never
 * calls a plugin and never waits for a sample, so a dead or hung source
 * cannot slow it. Every string belongs to the snapshot until em_live_free().
 * The struct_size rule of the typed result above applies: set it before
 * the call; -ENOENT past the last item. */

/* Why samples failed, from the negative errno sample() returned. */
enum em_sample_error_kind {
	EM_SAMPLE_ERROR_TIMEOUT = 0,     /* ETIMEDOUT, EAGAIN, EINPROGRESS */
	EM_SAMPLE_ERROR_AUTH,            /* EACCES, EPERM, EKEYREJECTED */
	EM_SAMPLE_ERROR_CONNECTION,      /* ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ECONNRESET, ENOTCONN, EPIPE, EIO */
	EM_SAMPLE_ERROR_PROTOCOL,        /* EPROTO, EBADMSG, ERANGE */
	EM_SAMPLE_ERROR_UNSUPPORTED,     /* EOPNOTSUPP, ENOSYS, ENODEV, ENOENT */
	EM_SAMPLE_ERROR_OTHER,           /* anything else */
	EM_SAMPLE_ERROR_KINDS
};
/* "timeout", "auth", "connection", "protocol", "unsupported", "other";
 * NULL out of range. */
EM_API const char *em_sample_error_kind_name(int kind);
/* The kind of a failed sample's return value (a negative errno). */
EM_API int em_sample_error_kind_of(int rc);

struct em_live;
/* -EINVAL before start or after stop (mon NULL, not started), -ENOMEM;
 * -EOPNOTSUPP for a monitor energymond measures (read its /metrics). May be
 * called from any thread while the monitor samples and windows run, but
 * not concurrently with em_monitor_stop() or em_monitor_destroy(). A source
 * abandoned inside its plugin is reported with up 0, its abandon reason as
 * last_error and no series. */
EM_API int em_monitor_live(struct em_monitor *mon, struct em_live **out, struct em_error *err);
EM_API void em_live_free(struct em_live *live); /* NULL is a no-op */
EM_API double em_live_taken(const struct em_live *live); /* unix seconds */

struct em_live_source {
	uint32_t struct_size;
	const char *id;          /* "ipmi:rack1" */
	const char *plugin;      /* "ipmi" */
	const char *instance;    /* "rack1", "" for none */
	int available;           /* could run here; 0: see reason */
	const char *reason;      /* why unavailable, NULL when available */
	int up;                  /* its last sample() returned success */
	const char *last_error;  /* the latest failed sample's reason, NULL when none */
	double interval_s;       /* its sampling interval */
	uint64_t samples, failed_samples, missed_deadlines;
	uint64_t errors[EM_SAMPLE_ERROR_KINDS]; /* failed samples by kind */
	double last_try_s;       /* unix seconds the last sample() began; NAN: none yet */
	double last_ok_s;        /* ... the last one that succeeded; NAN: none yet */
	double started_s;        /* unix seconds the source started; NAN: not started */
	double thread_cpu_s;     /* CPU seconds its sampling used (its thread's, or its share of the pool's) */
	size_t nseries;          /* em_live_series() items of it */
};
EM_API int em_live_source(const struct em_live *live, size_t source, struct em_live_source *out);

struct em_live_series {
	uint32_t struct_size;
	const char *key;         /* the result's key: "system", "pkg", "dram", "fan", or a declared key */
	const char *sensor;      /* a sensor's name ("CPU Temp"), "" for none */
	const char *kind;        /* "counter", "gauge" or "seconds" */
	const char *unit;        /* "J", "W", "degC", "RPM", "V", "A", "s", ... */
	const char *scope;       /* "system", "cpu_package", ... */
	unsigned index;
	uint64_t readings;
	double value;            /* the latest reading, in unit; NAN: none yet */
	double value_s;          /* unix seconds of that reading; NAN: none yet */
	/* energy since the source started, in joules: a counter's wrap-corrected
	 * sum, a power series' trapezoid integral up to value_s; NAN for other
	 * series. Never decreases while the source runs. */
	double energy_j;
	double covered_s;        /* the time energy_j covers */
};
EM_API int em_live_series(const struct em_live *live, size_t source, size_t i, struct em_live_series *out);

/* Every plugin found on the search path, as a JSON array of
 * {name, file, version, abi, measures, available, reason, config_keys}.
 * `cfg` may be NULL (defaults). Caller frees. */
EM_API char *em_plugins_list_json(const struct em_config *cfg);
/* The same list into *json_out (caller frees); on failure, such as a
 * relative entry in ENERGYMON_PLUGIN_PATH, a negative errno and err says why. */
EM_API int em_plugins_list(const struct em_config *cfg, char **json_out, struct em_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ENERGYMON_H */
