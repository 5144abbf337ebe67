/* Declarations shared between core/ files; nothing here is public. */
#ifndef ENERGYMON_INTERNAL_H
#define ENERGYMON_INTERNAL_H

#include "energymon.h"
#include "energy_plugin.h"
#include "baseline.h"
#include "uncertainty.h"

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

#define EM_INTERNAL __attribute__((visibility("hidden")))

/* Fill err (if not NULL) and return code (a negative errno). */
EM_INTERNAL int em_fail(struct em_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

EM_INTERNAL int64_t em_now_ns(int clock_id);

/* json_dumps flags for every number energymon writes: 16 significant digits
 * keep unix times to 1 us (12 rounded them to 10 ms) and print 0.1 as 0.1. */
#define EM_JSON_REALS JSON_REAL_PRECISION(16)

/* ---- configuration (config.c) ---- */
struct em_config {
	json_t *root;        /* the user's whole document; plugin keys are read from it */
	bool energy_enabled; /* lithops.energy */
	bool strategy_auto;
	char **strategy;     /* plugin names in the order asked */
	size_t nstrategy;
	double interval_s;   /* energy_sampling_interval */
	char *output_dir;    /* energy_output_dir */
	char *function_name; /* energy_function_name, may be NULL */
	bool allow_unavailable; /* energy_allow_unavailable */
	size_t max_series;   /* energy_max_series: series per source */
	int agent_mode;      /* energy_agent: enum em_agent_mode (agent.h), 0 when not set */
	unsigned sampler_threads; /* energy_sampler_threads: 0 = a thread per source */
	double baseline_s;   /* energy_baseline_s: idle seconds measured before the run (0: none) */
	bool baseline_after; /* energy_baseline_after: the same again after it */
	bool keys_checked;   /* em_config_check_keys() passed since the last change */
};

#define EM_DEFAULT_MAX_SERIES 1024
#define EM_DEFAULT_INTERVAL_S 1.0
#define EM_DEFAULT_OUTPUT_DIR "energy_data"

/* ---- configuration keys (config.c, config_strategy.c, config_set.c,
 * plugin_keys.c, installed_keys.c) ---- */
/* The declaration of a key the host owns ("lithops.energy", "energy_output_dir", ...), or NULL. */
EM_INTERNAL const struct energy_config_key *em_host_key(const char *name);
/* -EINVAL naming an unknown key in energymon's namespaces: the host key it
 * misses by case, else every host key (from_set: as --set explains it). */
EM_INTERNAL int em_unknown_host_key(const char *full, bool from_set, struct em_error *err);
/* A deep copy (NULL when out of memory), for a monitor's own. */
EM_INTERNAL struct em_config *em_config_copy(const struct em_config *in);
/* "lithops.energy, lithops.energy_strategy, ..." into buf; returns buf. */
EM_INTERNAL const char *em_host_keys_list(char *buf, size_t len);
/* Re-read the host's keys from cfg->root after it changed. */
EM_INTERNAL int em_config_reread(struct em_config *cfg, struct em_error *err);
EM_INTERNAL void em_config_free_strategy(struct em_config *cfg);
EM_INTERNAL int em_config_read_strategy(struct em_config *cfg, const json_t *v, struct em_error *err);
/* Instances: strategy entry "ipmi:rack1" (config_strategy.c). */
#define EM_INSTANCE_MAX 32
EM_INTERNAL bool em_instance_name_valid(const char *name, size_t len);
/* A top-level key with a ':' is an instance's section ("ipmi:rack1"):
 * true, and its plugin's name in `plugin`. */
EM_INTERNAL bool em_section_plugin(const char *key, char plugin[ENERGY_NAME_MAX]);
/* -EINVAL naming the section unless `key` is plugin:instance in shape. */
EM_INTERNAL int em_check_section_name(const char *key, struct em_error *err);
/* One configuration key a plugin declares, whichever struct declared it. */
struct em_key_decl {
	const char *name;
	uint32_t type;                /* enum energy_config_type */
	bool secret;
	const char *default_doc, *help;
};
/* The i-th key the plugin declares: from config_keys_v2 when the plugin
 * sets it (and its struct_size covers it), else from config_keys. 1 and *out
 * filled; 0 past the last; -EPROTO for a v2 entry without a name or shorter
 * than ABI 1.1's. The one way the host reads a plugin's declared keys. */
EM_INTERNAL int em_plugin_key_at(const struct energy_plugin *vt, size_t i, struct em_key_decl *out);
EM_INTERNAL bool em_plugin_key_find(const struct energy_plugin *vt, const char *name, struct em_key_decl *out);
/* -EPROTO unless every key the plugin declares starts with its name and "_". */
EM_INTERNAL int em_plugin_check_declared_keys(const struct energy_plugin *vt, struct em_error *err);
struct em_installed_key {
	uint32_t type;               /* enum energy_config_type */
	bool secret;
	char plugin[ENERGY_NAME_MAX]; /* who declares it */
	char near_miss[128];         /* a declared key equal but for case, when not found */
};
/* Find `key` among the installed plugins' declarations: 0, or -ENOENT. */
EM_INTERNAL int em_installed_key(const char *key, struct em_installed_key *out);

/* ---- plugin files (plugin_loader.c, plugin_trust.c, plugin_elf.c) ---- */
struct em_plugin_lib {
	void *dl;
	char path[PATH_MAX];
	const struct energy_plugin *vt;
	/* vt->set_targets, decided once at load: NULL when the plugin's
	 * struct_size does not cover it (a 1.0 plugin) or it left it NULL.
	 * (Declared keys are read through em_plugin_key_at, which makes the
	 * same check for config_keys_v2.) */
	int (*set_targets)(void *instance, const int64_t *pids, size_t npids);
};

/* Find NAME.so on $ENERGYMON_PLUGIN_PATH, then the installed plugin dir. */
EM_INTERNAL int em_plugin_find(const char *name, char *path, size_t len, struct em_error *err);
/* Trust and ELF checks, then dlopen + entry symbol + ABI check. lib->path
 * gets the resolved path that was loaded. */
EM_INTERNAL int em_plugin_open(const char *path, struct em_plugin_lib *lib, struct em_error *err);
EM_INTERNAL void em_plugin_close(struct em_plugin_lib *lib);
/* Call fn(name, path, arg) for every NAME.so in the search path, first hit of
 * a name wins. Fails (err filled) on a relative search path entry. */
EM_INTERNAL int em_plugin_scan(void (*fn)(const char *name, const char *path, void *arg), void *arg,
                               struct em_error *err);
/* realpath() into resolved, then refuse unless the file and every directory
 * above it are owned by root or the euid and not writable by group/others
 * (a sticky world-writable directory is accepted above a trusted one). */
EM_INTERNAL int em_plugin_path_trusted(const char *path, char *resolved, size_t len, struct em_error *err);
/* Refuse, without loading it, a file whose ELF dynamic symbol table does not
 * export ENERGY_PLUGIN_ENTRY_SYMBOL (plugin_elf.c). */
EM_INTERNAL int em_plugin_elf_check(const char *path, struct em_error *err);

/* ---- one measured quantity of one sensor (series.c) ---- */
struct em_point {
	int64_t wall_ns;
	double value;
};

struct em_series {
	uint32_t quantity, scope;
	char sensor[ENERGY_NAME_MAX];
	/* What the series is, in the 1.1 model. A 1.0 reading's series gets
	 * kind/unit from its quantity and no key (its key comes from the key
	 * table by quantity and scope); a declared metric's series has
	 * declared = true, the plugin's key, and sensor "" . */
	uint32_t kind;            /* enum energy_metric_kind */
	uint32_t unit;            /* enum energy_unit */
	uint32_t index;           /* energy_metric.index; 0 for 1.0 readings */
	uint32_t metric_flags;    /* ENERGY_METRIC_* */
	bool declared;
	char key[ENERGY_NAME_MAX];            /* declared key, "" for 1.0 readings */
	char unit_name[ENERGY_UNIT_NAME_MAX]; /* ENERGY_UNIT_COUNT's name */
	char reason[ENERGY_REASON_MAX];       /* metric_reason(): why no value, "" when none */
	uint64_t readings;        /* accepted readings */
	uint64_t dropped;         /* not strictly later than the previous one */
	int64_t first_mono, last_mono, last_wall;
	double last_value;
	double min, max, mean, m2; /* Welford over reading values */
	/* power: trapezoid integral; counters: sum of wrap-corrected deltas */
	double total;
	double covered_s;          /* time the total covers */
	double gap_s;              /* time not covered because samples failed */
	uint64_t gaps, wraps;
	unsigned failure_epoch;    /* source failures seen at the last reading */
	double counter_max;
	double wrap_safe_s;        /* the plugin's require_interval(), 0 if none */
	/* kept points, thinned 2:1 whenever full, so memory stays bounded */
	struct em_point *points;
	size_t npoints, keep_every, since_kept;
	struct em_gap { int64_t from_wall, to_wall; uint32_t why; } gap_list[16];
	/* continuous monitors (window.c): when full, drop the oldest half of
	 * points (and keep the latest gaps) instead of thinning, so a window
	 * finds every reading of its recent past */
	bool recent_only;
	/* em_series_result_key_cached(): which key the series is reported
	 * under, 0 until asked (an index, not a pointer: series move) */
	uint8_t key_slot;
	/* the error bound's running terms (uncertainty.c); a watt gauge's runs
	 * waiting for their look-ahead (allocated at its first reading) */
	double resolution;         /* the most any reading said (ABI 1.3), in the series' unit */
	double look_s;             /* the latest reading's look-ahead (lag + averaging), s */
	struct em_unc unc;
	struct em_unc_edge edge_open, edge_last; /* averaged readings: this stretch's first and latest */
	struct em_unc_seg *pend;
	size_t npend;
	bool unc_lost;             /* out of memory: the bound is unknown */
	bool unc_seen;             /* unc_seen_lo/hi hold: the least and most power the device reported */
	double unc_seen_lo, unc_seen_hi;
};

/* ABI 1.2 emit_target(): one target's running total of a PER_TARGET
 * metric (plugin_targets.c). Kept apart from src->series so that series
 * indices (metric ids) never move. */
struct em_target_series {
	int64_t target;  /* the tree's root pid; 0: a free slot */
	int metric;      /* the declared metric's id: index into src->series */
	struct em_series s;
};

/* Why a span is a gap (struct em_gap.why). */
enum em_gap_why {
	EM_GAP_FAILED_SAMPLES = 0, /* sample() failed in between */
	EM_GAP_WRAP_UNSAFE = 1,    /* a counter could have wrapped more than once: delta not counted */
	EM_GAP_ABANDONED = 2,      /* the plugin was abandoned: nothing measured to the end */
};
EM_INTERNAL const char *em_gap_reason(uint32_t why);
/* Record a gap from the series' last reading to (to_mono, to_wall). */
EM_INTERNAL void em_series_gap_to(struct em_series *s, int64_t to_mono, int64_t to_wall, uint32_t why);

#define EM_SERIES_POINTS_MAX 4096

EM_INTERNAL void em_series_init(struct em_series *s, const struct energy_reading *r);
EM_INTERNAL void em_series_add(struct em_series *s, const struct energy_reading *r, unsigned failure_epoch);
/* Add one value taken at (mono_ns, wall_ns); what em_series_add and
 * emit_metric share. */
EM_INTERNAL void em_series_push(struct em_series *s, int64_t mono_ns, int64_t wall_ns, double value,
                                unsigned failure_epoch);
EM_INTERNAL void em_series_push_info(struct em_series *s, int64_t mono_ns, int64_t wall_ns, double value,
                                     unsigned failure_epoch, const struct em_reading_info *info);
EM_INTERNAL void em_series_free(struct em_series *s);

/* ---- error bounds (uncertainty.c, bound.c; docs/uncertainty.md) ---- */
/* A watt gauge's reading (restart: samples failed since the previous one). */
EM_INTERNAL void em_unc_power_add(struct em_series *s, int64_t mono_ns, double v, const struct em_reading_info *in,
                                  bool restart);
/* Bound every waiting run with what is known (before a gap). */
EM_INTERNAL void em_unc_flush(struct em_series *s);
/* The terms as they stand, waiting runs bounded provisionally (s unchanged). */
EM_INTERNAL void em_unc_now(const struct em_series *s, struct em_unc *out);
/* The same without the open stretch's edges: what a window subtracts. */
EM_INTERNAL void em_unc_runs_now(const struct em_series *s, struct em_unc *out);
EM_INTERNAL void em_unc_add(struct em_unc *sum, const struct em_unc *u);
EM_INTERNAL void em_unc_sub(struct em_unc *out, const struct em_unc *now, const struct em_unc *then);
/* A series' terms: a watt gauge's integration and resolution, a counter's
 * resolution at both ends and at each wrap; false for series that bear no
 * bound (temperatures, counts). */
EM_INTERNAL bool em_series_unc(const struct em_series *s, struct em_unc *out);
/* The 95 % bound of `value` from summed terms. */
EM_INTERNAL void em_bound_of(const struct em_unc *u, double value, double gap_s, struct em_bound *b);
EM_INTERNAL void em_bound_none(struct em_bound *b);
EM_INTERNAL const char *em_quantity_name(uint32_t q);
EM_INTERNAL const char *em_quantity_unit(uint32_t q);
EM_INTERNAL const char *em_scope_name(uint32_t scope);

/* ---- declared metrics (metric_decl.c) ---- */
/* The kind and unit a 1.0 quantity stands for. */
EM_INTERNAL void em_quantity_kind_unit(uint32_t quantity, uint32_t *kind, uint32_t *unit);
EM_INTERNAL const char *em_kind_name(uint32_t kind);   /* "counter", NULL if unknown */
EM_INTERNAL const char *em_unit_symbol(uint32_t unit); /* "J", NULL if unknown */
/* The series' unit as results print it: the symbol, or a count's unit_name. */
EM_INTERNAL const char *em_series_unit(const struct em_series *s);
/* Check a plugin's declaration and initialise the series it becomes;
 * -EINVAL with the reason in `why`. A keyed declaration gets quantity 0
 * (no 1.0 rule may file it); an empty key gets the 1.0 quantity, scope and
 * sensor of energymon's own key. */
EM_INTERNAL int em_metric_series(const struct energy_metric *m, struct em_series *s, char *why, size_t len);

/* Replace every byte that is not part of valid UTF-8 with '?', in place, so
 * names and messages from devices survive into JSON (utf8.c). */
EM_INTERNAL void em_utf8_sanitize(char *s);
/* A plugin's printf-style text (fmt NULL: empty), cut to `len` and
 * sanitized as above (utf8.c). */
EM_INTERNAL void em_plugin_text(char *out, size_t len, const char *fmt, va_list ap);
/* Offset of the first byte of s that is not valid UTF-8, or -1. */
EM_INTERNAL long em_utf8_invalid_at(const char *s);

/* ---- how well a sampler kept time (interval_stats.c) ---- */
#define EM_INTERVAL_BUCKETS 1200
struct em_interval_stats {
	uint32_t buckets[EM_INTERVAL_BUCKETS]; /* log-spaced, 2% wide, from 1 us */
	uint64_t count;
	double max_s;
};
EM_INTERNAL void em_interval_add(struct em_interval_stats *st, double seconds);
EM_INTERNAL double em_interval_quantile(const struct em_interval_stats *st, double q);
/* The intervals added between `then` and `now` (two copies of one
 * histogram); max_s is the upper edge of the highest bucket that grew. */
EM_INTERNAL void em_interval_since(const struct em_interval_stats *now, const struct em_interval_stats *then,
                                   struct em_interval_stats *out);

/* ---- one plugin instance in a monitor (source.c, plugin_host.c, plugin_keys.c,
 * sampler.c) ----
 * A source owns everything its sampling thread can reach: the host struct
 * the plugin keeps, its own copy of the configuration, the lock, the
 * library. It is reference-counted (the monitor and a running thread hold
 * one each), so a thread abandoned inside the plugin finds all of it alive
 * when the plugin finally returns, whoever let go first. */
struct em_source {
	struct em_monitor *mon;           /* never used by the sampling thread (it may outlive it) */
	/* The source's id: the strategy entry, "ipmi" or "ipmi:rack1". Used in
	 * results ("monitors" keys, "source"), messages and composite keys. */
	char name[ENERGY_NAME_MAX];
	char plugin[ENERGY_NAME_MAX];     /* the plugin: "ipmi" */
	char instance_name[ENERGY_NAME_MAX]; /* "rack1", or "" for none */
	char file_tag[ENERGY_NAME_MAX];   /* in file names: "ipmi" or "ipmi-rack1" */
	struct em_plugin_lib lib;
	struct energy_host host;
	void *instance;
	bool available;
	bool started;
	bool declaring;                   /* inside create(): declare_metric() allowed */
	char reason[ENERGY_REASON_MAX];   /* why unavailable */
	char last_error[ENERGY_REASON_MAX];
	char first_failure[ENERGY_REASON_MAX]; /* first failed sample's reason */
	char recent_failure[ENERGY_REASON_MAX];
	/* The configuration as the plugin sees it: its instance's section
	 * (NULL for none) over the top-level keys. Both are the monitor's,
	 * shared and never changed once the monitor is made (a copy per source
	 * made 1000 sections cost 1000 x 1000 members); referenced, so a
	 * source that outlives its monitor still reads them. */
	json_t *cfg_root;
	json_t *cfg_section;
	json_t *list_cache;               /* key -> array of C strings (kept alive) */
	json_t *notes;                    /* object */
	json_t *log_lines;                /* array of {level, message}, bounded */
	json_t *finals;                   /* ENERGY_READING_FINAL readings, as reported */
	struct em_series *series;
	size_t nseries, series_alloc, max_series;
	uint64_t dropped_readings;        /* readings of series beyond max_series */
	unsigned failure_epoch;

	/* schedule */
	double interval_s;                /* what the sampler uses */
	double interval_requested_s;      /* its section's energy_sampling_interval; 0: the monitor's */
	double required_max_s;            /* from require_interval(), 0 if none */
	pthread_t thread;
	bool thread_running;
	pthread_mutex_t lock;             /* guards everything below and all result state */
	pthread_cond_t wake;
	bool sync_ready;                  /* lock and wake initialised */
	int refs;                         /* owners: the monitor, a running thread */
	bool stop_requested, thread_done;
	bool abandoned;                   /* given up on: its thread never writes results again */
	const char *in_call;              /* the plugin method running on the thread, or NULL */
	char abandon_reason[ENERGY_REASON_MAX];
	int64_t call_mono, call_wall;     /* time of the plugin call in progress */
	int64_t covered_mono, covered_wall; /* time of the last sample() that returned */
	int64_t start_mono, start_wall, stop_mono, stop_wall;
	uint64_t samples, failed_samples, missed_deadlines;
	int64_t last_call_mono;
	struct em_interval_stats intervals;
	double thread_cpu_s;
	/* How the latest sample went, for live snapshots (live.c), written by
	 * em_source_note_sample() under lock. Walls are 0 until the first. */
	int64_t last_try_wall, last_ok_wall;
	bool last_ok;
	uint64_t sample_errors[EM_SAMPLE_ERROR_KINDS]; /* failed samples by em_sample_error_kind_of() */

	/* em_monitor_set_targets() on a running source: the monitor hands the
	 * pids (targets, owned by whoever holds the pointer) to the sampling
	 * thread, which calls set_targets() between two samples and answers
	 * with targets_done, targets_rc and targets_error (sampler.c). */
	int64_t *targets;
	size_t ntargets;
	bool targets_pending, targets_done;
	int targets_rc;
	char targets_error[ENERGY_REASON_MAX];

	/* The plugin as loaded, apart from lib.vt so that a source rebuilt
	 * from a state document (monitor_state.c: no library) reports the
	 * same. Filled by em_source_open. */
	char plugin_version[64];
	char plugin_abi[16];              /* "1.2" */
	uint32_t plugin_measures;         /* energy_plugin.measures */

	/* ABI 1.2 per-target totals (plugin_targets.c), guarded by lock */
	struct em_target_series *tseries;
	size_t ntseries, tseries_alloc;
	/* The trees the plugin follows now, sorted: host->target_pid, then
	 * the pids of each set_targets() that returned 0 (emit_target's
	 * -ESRCH). tseries_hint: where the next lookup starts (plugins emit
	 * the targets in the same order every sample). Guarded by lock. */
	int64_t *cur_targets;
	size_t ncur_targets;
	size_t tseries_hint;

	/* Samples asked for now by windows (window.c): the thread takes one
	 * as soon as poke_asked > poke_served, then sets poke_served to the
	 * poke_asked it saw when the sample began. Guarded by lock. */
	uint64_t poke_asked, poke_served;

	/* Sampled by a monitor's shared pool (sampler_pool.c) instead of a
	 * thread of its own: pooled is set before the pool first runs it and
	 * never cleared; pool and pool_slot are read only while the monitor
	 * runs it. pool_worker: the worker in this source's turn (lock).
	 * pool_cpu_base_s/pool_cpu_mark_s: thread_cpu_s at the turn's start
	 * and the worker's CPU clock it is counted from (sampler.c adds the
	 * difference). */
	bool pooled;
	struct em_pool *pool;
	struct em_pool_slot *pool_slot;
	struct em_pool_worker *pool_worker;
	double pool_cpu_base_s, pool_cpu_mark_s;
};

/* ---- ABI 1.2 per-target totals (plugin_targets.c) ---- */
/* (metric, target) totals a source keeps at most: 4 x the ebpf plugin's
 * 4096 trees. */
#define EM_TSERIES_MAX (4 * 4096)
/* The plugin's set_targets(pids) returned rc: when 0, pids become the
 * current targets and the totals of targets that left are freed. Call
 * with the source's lock held (or before its thread runs); pids is not
 * kept. */
EM_INTERNAL void em_source_targets_applied(struct em_source *src, const int64_t *pids, size_t n, int rc);
/* The running total of `metric` for `target`, or NULL when the plugin
 * reported none (lock held). */
EM_INTERNAL const struct em_series *em_source_target_series(const struct em_source *src, int metric,
                                                            int64_t target);
/* host->emit_target (plugin_metrics.c fills it in). */
EM_INTERNAL int em_host_emit_target(void *ctx, int metric, int64_t target, double value, int64_t mono_ns,
                                    int64_t wall_ns);
/* Free every per-target total and the target set (source.c). */
EM_INTERNAL void em_source_targets_free(struct em_source *src);

/* Fill src->host: the callbacks, with src as their context, and what the
 * plugin is told at create() (plugin_host.c). */
EM_INTERNAL void em_host_init(struct em_source *src, pid_t target_pid, double interval_s);
/* Take the source's lock; false, with the lock released, once the source
 * was abandoned (plugin_host.c). */
EM_INTERNAL bool em_source_lock_live(struct em_source *src);
EM_INTERNAL void em_source_unlock(struct em_source *src);
/* A new series for the source, unless it has its cap of them (NULL). */
EM_INTERNAL struct em_series *em_source_new_series(struct em_source *src);
/* The config callbacks of struct energy_host (plugin_config.c). */
EM_INTERNAL void em_host_init_config(struct energy_host *h);
/* The 1.1 metric callbacks of struct energy_host (plugin_metrics.c). */
EM_INTERNAL void em_host_init_metrics(struct energy_host *h);
EM_INTERNAL int em_config_check_plugin_keys(const struct em_config *cfg, const struct energy_plugin *vt,
                                            struct em_error *err);
/* Lock held: book one returned sample() that began at wall_ns and
 * returned rc (sample_note.c); every sampling path calls it. */
EM_INTERNAL void em_source_note_sample(struct em_source *src, int rc, int64_t wall_ns);
EM_INTERNAL int em_sampler_init(struct em_source *src);
EM_INTERNAL void em_sampler_fini(struct em_source *src);
/* Run sample() on the source's own thread until asked to stop; then the
 * last sample(), stop() and get_data(), on that same thread. */
EM_INTERNAL int em_sampler_start(struct em_source *src);
/* Ask the thread to take its last sample and finish (returns at once). */
EM_INTERNAL void em_sampler_request_stop(struct em_source *src);
/* Wait until the thread finished or deadline_mono passed or *give_up is set;
 * 0 when it finished (joined), else -ETIMEDOUT: the source is then abandoned
 * with `why` and its thread left to finish alone. */
EM_INTERNAL int em_sampler_wait(struct em_source *src, int64_t deadline_mono, const _Atomic bool *give_up,
                                const char *why);
/* What a pool's worker runs of a source (sampler.c): one sample() with
 * its bookkeeping (false once abandoned), and the calls that end the run
 * (the last sample(), stop(), get_data()). */
EM_INTERNAL bool em_sampler_take_sample(struct em_source *src, bool scheduled);
EM_INTERNAL void em_sampler_finish_run(struct em_source *src);
/* ---- many sources, few threads (sampler_pool.c, sampler_pool_turn.c) ----
 * energy_sampler_threads > 0: the monitor's running sources are sampled by
 * that many shared workers, each source's calls in the order its own
 * thread would make them. */
#define EM_SAMPLER_THREADS_MAX 256
struct em_pool;
struct em_pool_slot;
struct em_pool_worker;
/* A pool of `threads` workers for at most `nsources` sources: 0 or -errno. */
EM_INTERNAL int em_pool_new(unsigned threads, size_t nsources, struct em_pool **out);
/* Hand a started source to the pool (em_sampler_start does, when src->pool). */
EM_INTERNAL int em_pool_add(struct em_source *src);
/* A request for the source (stop, a window's sample, set_targets) was made
 * under its lock: have a worker take its turn now. No-op unless pooled. */
EM_INTERNAL void em_pool_kick(struct em_source *src);
/* Source lock held, the source just abandoned: the worker inside one of
 * its plugin calls (if any) is named `name` and left to it (sampler.c). */
EM_INTERNAL void em_pool_abandoned_locked(struct em_source *src, const char *name);
/* Every source finished or abandoned: end the workers (a worker stuck in
 * an abandoned call is left to finish alone) and drop the monitor's
 * reference. Returns the workers' CPU time no source was charged with. */
EM_INTERNAL double em_pool_close(struct em_pool *pool);
/* (monitor_pool.c) At start: the pool energy_sampler_threads asks for, and
 * every available source pointed at it; at the end, after every source
 * finished or was abandoned: closed, its idle CPU added to the monitor's. */
EM_INTERNAL int em_monitor_pool_open(struct em_monitor *mon, struct em_error *err);
EM_INTERNAL void em_monitor_pool_close(struct em_monitor *mon);
/* (monitor_targets.c) Have the running thread call set_targets(pids)
 * between two samples (sampler.c takes them) and
 * wait for it until deadline_mono or *give_up: the plugin's code, with its
 * set_error() text in `why`; -ETIMEDOUT when it did not answer in time
 * (the pids are then applied later or never, the earlier targets may stay),
 * -ECANCELED when the thread ended first. */
EM_INTERNAL int em_sampler_set_targets(struct em_source *src, const int64_t *pids, size_t n, int64_t deadline_mono,
                                       const _Atomic bool *give_up, char *why, size_t why_len);
/* A source holding the monitor's reference (source.c). */
EM_INTERNAL struct em_source *em_source_new(struct em_monitor *mon);
/* Load, check config, probe and create the source `id` ("ipmi" or
 * "ipmi:rack1": its identity fields are set from it). Returns 0, or -errno with
 * err filled (src->reason holds the plugin's own words). */
EM_INTERNAL int em_source_open(struct em_source *src, const char *id, struct em_error *err);
/* -EINVAL, naming both, when two sources (or a source and the composite)
 * would write files of the same name (source.c). */
EM_INTERNAL int em_check_file_tags(struct em_source *const *sources, size_t n, struct em_error *err);
/* Drop one reference; the last one frees the source (destroy(), dlclose()). */
EM_INTERNAL void em_source_release(struct em_source *src);
/* Free a source and everything it owns (its instance, configuration copy,
 * results, library) at once: for a source no sampling thread ever held. */
EM_INTERNAL void em_source_free(struct em_source *src);
EM_INTERNAL void em_source_failed_tail_gaps(struct em_source *src);
EM_INTERNAL void em_source_gaps_to_end(struct em_source *src, int64_t end_mono, int64_t end_wall);
/* Threads of plugin `name` abandoned in this process and still inside it. */
EM_INTERNAL int em_abandoned_threads(const char *name);
#define EM_ABANDONED_PER_PLUGIN_MAX 8
EM_INTERNAL struct em_series *em_source_find_series(struct em_source *src, uint32_t q, uint32_t scope,
                                                    const char *sensor);

/* How long the monitor waits for a plugin call on a source's thread (the
 * last calls at stop, set_targets while running): max(5 s, min(3 x
 * interval, 10 s)) (monitor.c). */
EM_INTERNAL double em_call_wait_s(double interval_s);
/* -EEXIST, naming both plugins and files, when two available sources of
 * different plugins declare the same metric key (metric_collision.c). */
EM_INTERNAL int em_check_metric_keys(struct em_source *const *sources, size_t n, struct em_error *err);

/* ---- the monitor (monitor.c) ---- */
struct em_monitor {
	struct em_config *cfg; /* private copy */
	pid_t target_pid;
	struct em_source **sources; /* each alone: an abandoned one outlives the monitor */
	size_t nsources;
	struct em_pool *pool;  /* the shared sampling threads while running, or NULL */
	json_t *plugins_keys_checked; /* plugin name -> true: its keys in cfg passed, once per monitor */
	bool started, stopped;
	_Atomic bool abandon;  /* em_monitor_abandon(): stop waiting for plugins */
	int64_t start_mono, start_wall, stop_mono, stop_wall;
	double self_cpu_s;     /* CPU time of monitor calls and sampler threads */
	json_t *result;        /* built at stop */
	struct em_results *results; /* the same, typed */

	/* continuous monitors and their windows (window.c) */
	bool continuous;
	struct em_window_roots *roots; /* open windows' roots, counted; NULL when none */
	pthread_mutex_t windows_lock;  /* guards roots and the targets they make */
	bool windows_lock_ready;

	/* who measured (agent_mode.c): NULL in-process; else the agent's
	 * socket path, and the connection while a window is open */
	char *agent_socket;
	struct em_agent_conn *agent;

	struct em_baseline *baseline; /* energy_baseline_s: the idle spans measured (baseline.c); NULL when none */
};

/* ---- the typed result (result_model.c, composite.c, result_api.c) ----
 * Built once at stop from the sources' series; every JSON edge (the
 * result, the files) and the CLI summary are written from it. Strings
 * point into the sources and their series: valid while the monitor is. */
#define EM_RESULT_KEY_MAX (2 * ENERGY_NAME_MAX + 16) /* "attributed_gpu0_energy@mygpu:a" */
struct em_metric_result {
	char key[EM_RESULT_KEY_MAX];     /* "pkg", "gpu0_energy"; in the composite "gpu0_energy@mygpu:a" */
	const struct em_result_key *row; /* energymon's own key, NULL for a declared one */
	const struct em_series *series;  /* a declared metric's series; an own key's first one */
	bool declared, attributable;
	uint32_t kind, unit, scope, index; /* of the metric it comes from */
	const char *unit_symbol;         /* of value: "J", "W", ..., COUNT's unit_name */
	double value;                    /* NAN when there is none: see reason */
	const char *reason;              /* why there is no value; NULL when there is one */
	uint64_t readings;
	double covered_s;                /* time the value covers; NAN when none */
	double energy_j;                 /* a gauge in watts: its integral; else NAN */
	struct em_bound bound;           /* of the energy (value in J, or energy_j); value NAN when none */
	struct em_bound dynamic;         /* with a baseline: the energy less idle power x covered_s */
	double idle_w, idle_low_w, idle_high_w; /* with a baseline: idle power and its bound; NAN when none */
	const char *source;              /* composite: the source id it comes from */
	const char *attributed_by;       /* composite, attributed keys: the source of cpu_share */
};

struct em_source_result {
	const struct em_source *src;
	bool available, measured, complete;
	double timestamp, duration, covered_s; /* unix s, s, s; NAN when none */
	const char *reason;              /* why nothing was measured; NULL when something was */
	struct em_metric_result *metrics;
	size_t nmetrics;
};

struct em_results {
	struct em_source_result *sources; /* one per source, in strategy order */
	size_t nsources;
	struct em_metric_result *merged; /* the composite's energy: own keys first-wins, declared per source */
	size_t nmerged;
	bool measured, complete;
	double covered_s, timestamp, duration; /* NAN when none */
	double cpu_share;                /* NAN without a process-level source */
	const char *cpu_share_source;
};

/* One source's typed result: 0, or -ENOMEM. */
EM_INTERNAL int em_source_result_build(const struct em_monitor *mon, const struct em_source *src,
                                       struct em_source_result *out);
EM_INTERNAL void em_source_result_free(struct em_source_result *r);
/* The typed result of every source and the merge; NULL on allocation failure. */
EM_INTERNAL struct em_results *em_results_build(const struct em_monitor *mon);
EM_INTERNAL void em_results_free(struct em_results *r);
/* The key a series is reported under (live snapshots): a declared
 * metric's own key; else the energymon total it files under ("system",
 * "pkg", "cpu_time"); else its quantity's name ("temperature", "fan"). */
EM_INTERNAL const char *em_series_result_key(const struct em_series *s);
/* The same, remembered in s->key_slot: what a series is never changes, and
 * a scrape asks for every series' key (call it where s may be written). */
EM_INTERNAL const char *em_series_result_key_cached(struct em_series *s);
EM_INTERNAL const struct em_metric_result *em_result_metric_find(const struct em_metric_result *m, size_t n,
                                                                 const char *key);

/* Copy what fits of `full` into the caller's size-prefixed struct `out`
 * (its struct_size), which must hold at least `least` bytes: 0, or -EINVAL
 * (result_api.c; the typed result and live snapshots share the rule). */
EM_INTERNAL int em_fill_sized(void *out, const void *full, size_t full_size, size_t least);

/* ---- the idle baseline (baseline.c, baseline_json.c) ---- */
/* Measure energy_baseline_s of idle with a monitor of the same plugins
 * (before the run, or after it) and keep what it measured in
 * mon->baseline. A span that cannot be measured is a reason, never an
 * error of the run: 0, or -ENOMEM. */
EM_INTERNAL int em_baseline_measure(struct em_monitor *mon, bool after);
/* Idle power and dynamic energy of a source's energy metrics. */
EM_INTERNAL void em_baseline_fill(const struct em_baseline *b, const char *source, struct em_metric_result *m,
                                  size_t n);
/* The "baseline" object of a source's result; NULL without a baseline. */
EM_INTERNAL json_t *em_baseline_json(const struct em_baseline *b, const struct em_metric_result *m, size_t n);
EM_INTERNAL void em_baseline_free(struct em_baseline *b);

/* ---- kinds, units and their names (metric_kind.c) ---- */
EM_INTERNAL double em_series_std_dev(const struct em_series *s);
/* A series' kind and unit (enum values): declared, or for a 1.0 reading
 * from its quantity. */
EM_INTERNAL uint32_t em_series_kind(const struct em_series *s);
EM_INTERNAL uint32_t em_series_unit_id(const struct em_series *s);
EM_INTERNAL const char *em_scope_label(uint32_t scope); /* em_scope_name, "unknown" if none */

/* ---- results as JSON (result_json.c, composite.c, lithops_files.c) ---- */
EM_INTERNAL json_t *em_source_result_json(const struct em_monitor *mon, const struct em_source_result *r);
/* Builds mon->results and returns the composite result's JSON. */
EM_INTERNAL json_t *em_composite_result(struct em_monitor *mon);
/* The per-call file of one source (its result JSON is the "energymon" object). */
EM_INTERNAL json_t *em_lithops_file(const struct em_source_result *r, const json_t *result_json,
                                    const char *job_key, const char *call_id, const char *function_name);
EM_INTERNAL json_t *em_real_or_null(double v);
/* A bound as JSON: {value, low, high, half_width, unit, method, terms}, or null. */
EM_INTERNAL json_t *em_bound_json(const struct em_bound *b);
EM_INTERNAL int em_write_file_atomic(const char *dir, const char *name, const char *text,
                                     struct em_error *err);
EM_INTERNAL int em_append_line_locked(const char *dir, const char *name, const char *line,
                                      struct em_error *err);
EM_INTERNAL int em_mkdir_p(const char *dir, struct em_error *err);
/* 0, or -EPERM when a part of the way to `dir` could be redirected by another
 * user (a planted symlink, a directory someone else may change). */
EM_INTERNAL int em_output_dir_trusted(const char *dir, struct em_error *err);

/* ---- what the sampling thread does for others (sampler.c, sampler_names.c,
 * sampler_requests.c) ---- */
/* Mark the start of a plugin call on the sampling thread; false when the
 * source was abandoned (then the call must not be made). */
EM_INTERNAL bool em_sampler_enter_call(struct em_source *src, const char *method, int64_t mono, int64_t wall);
/* Its end; false when abandoned meanwhile; returns with the lock held when true. */
EM_INTERNAL bool em_sampler_leave_call_locked(struct em_source *src);
/* Lock held: call set_targets() with the pids handed over (the lock is
 * dropped during the call, held again on return). */
EM_INTERNAL void em_sampler_apply_targets_locked(struct em_source *src);
/* Name the calling (sampling) thread "em:<plugin>", cut to 15 bytes. */
EM_INTERNAL void em_sampler_name_self(const char *plugin);
/* "emab:" + 10 hex digits of the plugin name's FNV-1a hash. */
EM_INTERNAL void em_abandoned_thread_name(const char *plugin, char out[16]);
/* Ask the source's running thread for a sample now: a ticket, 0 when no
 * thread runs. */
EM_INTERNAL uint64_t em_sampler_poke(struct em_source *src);
/* Lock held: wait until a sample that began after `ticket` was taken
 * returned (true), or deadline_mono passed, or the thread ended (false). */
EM_INTERNAL bool em_sampler_poke_wait_locked(struct em_source *src, uint64_t ticket, int64_t deadline_mono);

/* ---- continuous monitors' windows (window.c, window_roots.c) ---- */
/* mon->windows_lock and mon->roots: set up at em_monitor_create_continuous,
 * torn down at em_monitor_destroy. */
EM_INTERNAL int em_window_roots_init(struct em_monitor *mon);
EM_INTERNAL void em_window_roots_fini(struct em_monitor *mon);

/* ---- stopped monitors made, not run (stopped_monitor.c): a window's
 * result, a monitor read from a state document ---- */
EM_INTERNAL struct em_monitor *em_monitor_new_stopped(const struct em_config *cfg); /* NULL on ENOMEM; cfg copied */
/* appended to mon->sources, lock initialised, refs = 1 (the monitor's) */
EM_INTERNAL struct em_source *em_source_new_detached(struct em_monitor *mon);
/* build mon->results and mon->result; 0 or -ENOMEM */
EM_INTERNAL int em_monitor_finish_stopped(struct em_monitor *mon);

/* ---- monitor state documents (monitor_state.c, state_write.c, state_read.c) ----
 * The inputs of the result model (sources and their series), so that the
 * reader runs the same result code on the same numbers. */
#define EM_STATE_VERSION 1
/* The document as JSON (em_monitor_state_json without the text), for a
 * writer that embeds it in a larger message (energymond's `end` answer):
 * dump that message with EM_STATE_REALS, never EM_JSON_REALS, or the reader
 * derives numbers that differ in the last digit. NULL before stop or on ENOMEM. */
EM_INTERNAL json_t *em_monitor_state_doc(const struct em_monitor *mon);
/* em_monitor_from_state on a document already parsed (the reader of such a
 * message; parse it with JSON_REJECT_DUPLICATES and a size cap). */
EM_INTERNAL int em_monitor_from_state_doc(const json_t *doc, const struct em_config *cfg, struct em_monitor **out,
                                          struct em_error *err);
#define EM_STATE_MAX_BYTES ((size_t)64 << 20)
#define EM_STATE_SOURCES_MAX 4096 /* a fleet agent holds ~1000 BMCs */
#define EM_STATE_SERIES_MAX 65536
/* 17 significant digits: every double reads back exactly, so numbers the
 * reader derives (means, shares, attributed energy) print as the writer's. */
#define EM_STATE_REALS JSON_REAL_PRECISION(17)
enum em_state_type {
	EM_F_BOOL, EM_F_PID, EM_F_U32, EM_F_UINT, EM_F_U64, EM_F_SIZE, EM_F_I64,
	EM_F_REAL,        /* finite */
	EM_F_REAL_NONNEG, /* finite and >= 0 */
	EM_F_TEXT,        /* a char array of `size` bytes, NUL included */
};
/* One member of the document that is one member of a struct. */
struct em_state_field {
	const char *name;
	uint8_t type;    /* enum em_state_type */
	size_t offset, size;
};
/* Each ends with a NULL name. */
EM_INTERNAL extern const struct em_state_field em_state_monitor_fields[];
EM_INTERNAL extern const struct em_state_field em_state_source_fields[];
EM_INTERNAL extern const struct em_state_field em_state_series_fields[];
/* The plugin methods an abandoned source may have been inside
 * (em_source.in_call): the static string of that name, or NULL. */
EM_INTERNAL const char *em_state_call_name(const char *name);
/* "an object", "a string", ...: for messages. */
EM_INTERNAL const char *em_state_type_name(const json_t *v);
/* -EPROTO: "state document: PATH: what is wrong". */
EM_INTERNAL int em_state_bad(struct em_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same naming at.member: ("sources[1].series[3]", "points_wall_ns"). */
EM_INTERNAL int em_state_bad_in(struct em_error *err, const char *at, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* obj's array member `name` of at most `max` elements ("%zu WHAT, more
 * than MAX"), or NULL with *rc set. */
EM_INTERNAL const json_t *em_state_array(const json_t *obj, const char *name, size_t max, const char *what,
                                         const char *at, int *rc, struct em_error *err);
/* (state_check.c) The source's id as a strategy entry must be, and the
 * plugin, instance and file tag em_source_open derives from it. */
EM_INTERNAL int em_state_check_identity(const struct em_source *src, const char *at, struct em_error *err);
/* A series the host could have made: a 1.0 reading's (kind and unit of
 * its quantity) or a declaration declare_metric accepts. */
EM_INTERNAL int em_state_check_series_kind(const struct em_series *s, const char *at, struct em_error *err);
/* obj's "intervals": {"count", "max_s", "buckets": [[index, n], ...]}. */
EM_INTERNAL int em_state_read_intervals(const json_t *obj, struct em_interval_stats *st, const char *at,
                                        struct em_error *err);
/* The free-form members a plugin fills (notes, log lines, final readings),
 * at `path`: bounded in members, depth and string length; 0 or -EPROTO. */
EM_INTERNAL int em_state_check_notes(const json_t *notes, const char *path, struct em_error *err);
EM_INTERNAL int em_state_check_log(const json_t *log, const char *path, struct em_error *err);
EM_INTERNAL int em_state_check_finals(const json_t *finals, const char *path, struct em_error *err);

#endif
