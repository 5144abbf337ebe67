/* Declarations shared between core/ files; nothing here is public. */
#ifndef ENERGYMON_INTERNAL_H
#define ENERGYMON_INTERNAL_H

#include "energymon.h"
#include "energy_plugin.h"

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

#define EM_INTERNAL __attribute__((visibility("hidden")))

/* Fill err (if not NULL) and return code (a negative errno). */
EM_INTERNAL int em_fail(struct em_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

EM_INTERNAL int64_t em_now_ns(int clock_id);

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
};

/* ---- plugin files (plugin_loader.c) ---- */
struct em_plugin_lib {
	void *dl;
	char path[PATH_MAX];
	const struct energy_plugin *vt;
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
	/* kept points, thinned 2:1 whenever full, so memory stays bounded */
	struct em_point *points;
	size_t npoints, keep_every, since_kept;
	struct em_gap { int64_t from_wall, to_wall; } gap_list[16];
};

#define EM_SERIES_POINTS_MAX 4096

EM_INTERNAL void em_series_init(struct em_series *s, const struct energy_reading *r);
EM_INTERNAL void em_series_add(struct em_series *s, const struct energy_reading *r, unsigned failure_epoch);
EM_INTERNAL void em_series_free(struct em_series *s);
EM_INTERNAL const char *em_quantity_name(uint32_t q);
EM_INTERNAL const char *em_quantity_unit(uint32_t q);
EM_INTERNAL const char *em_scope_name(uint32_t scope);

/* ---- how well a sampler kept time (interval_stats.c) ---- */
#define EM_INTERVAL_BUCKETS 1200
struct em_interval_stats {
	uint32_t buckets[EM_INTERVAL_BUCKETS]; /* log-spaced, 2% wide, from 1 us */
	uint64_t count;
	double max_s;
};
EM_INTERNAL void em_interval_add(struct em_interval_stats *st, double seconds);
EM_INTERNAL double em_interval_quantile(const struct em_interval_stats *st, double q);

/* ---- one plugin instance in a monitor (source.c, plugin_host.c, sampler.c) ---- */
struct em_source {
	struct em_monitor *mon;
	char name[ENERGY_NAME_MAX];
	struct em_plugin_lib lib;
	struct energy_host host;
	void *instance;
	bool available;
	bool started, stalled;
	char reason[ENERGY_REASON_MAX];   /* why unavailable */
	char last_error[ENERGY_REASON_MAX];
	char first_failure[ENERGY_REASON_MAX]; /* first failed sample's reason */
	char recent_failure[ENERGY_REASON_MAX];
	const json_t *cfg_root;
	json_t *list_cache;               /* key -> array of C strings (kept alive) */
	json_t *notes;                    /* object */
	json_t *log_lines;                /* array of {level, message}, bounded */
	json_t *finals;                   /* ENERGY_READING_FINAL readings, as reported */
	struct em_series *series;
	size_t nseries;
	unsigned failure_epoch;

	/* schedule */
	double interval_s;                /* what the sampler uses */
	double required_max_s;            /* from require_interval(), 0 if none */
	pthread_t thread;
	bool thread_running;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool sync_ready;                  /* lock and wake initialised */
	bool stop_requested, thread_done;
	int64_t call_mono, call_wall;     /* time of the sample() in progress */
	int64_t start_mono, start_wall, stop_mono, stop_wall;
	uint64_t samples, failed_samples, missed_deadlines;
	int64_t last_call_mono;
	struct em_interval_stats intervals;
	double thread_cpu_s;
};

EM_INTERNAL void em_host_init(struct em_source *src);
EM_INTERNAL void em_host_log(struct em_source *src, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
EM_INTERNAL int em_config_check_plugin_keys(const struct em_config *cfg, const struct energy_plugin *vt,
                                            struct em_error *err);
EM_INTERNAL int em_sampler_init(struct em_source *src);
EM_INTERNAL void em_sampler_fini(struct em_source *src);
EM_INTERNAL int em_sampler_start(struct em_source *src);
/* Ask the thread to take its last sample and finish; wait at most timeout,
 * or until em_monitor_abandon(). */
EM_INTERNAL int em_sampler_stop(struct em_source *src, double timeout_s);
EM_INTERNAL struct em_series *em_source_find_series(struct em_source *src, uint32_t q, uint32_t scope,
                                                    const char *sensor);

/* ---- the monitor (monitor.c) ---- */
struct em_monitor {
	struct em_config *cfg; /* private copy */
	pid_t target_pid;
	struct em_source **sources; /* each alone: a stalled one is never freed */
	size_t nsources;
	bool started, stopped;
	_Atomic bool abandon;  /* em_monitor_abandon(): stop waiting for plugins */
	int64_t start_mono, start_wall, stop_mono, stop_wall;
	double self_cpu_s;     /* CPU time of monitor calls and sampler threads */
	json_t *result;        /* built at stop */
};

/* ---- results (result_json.c, composite.c, lithops_files.c) ---- */
EM_INTERNAL json_t *em_source_result(const struct em_monitor *mon, const struct em_source *src);
EM_INTERNAL json_t *em_composite_result(struct em_monitor *mon);
EM_INTERNAL json_t *em_lithops_file(const json_t *source_result, const char *job_key, const char *call_id,
                                    const char *function_name);
EM_INTERNAL json_t *em_real_or_null(double v);
EM_INTERNAL int em_write_file_atomic(const char *dir, const char *name, const char *text,
                                     struct em_error *err);
EM_INTERNAL int em_append_line_locked(const char *dir, const char *name, const char *line,
                                      struct em_error *err);
EM_INTERNAL int em_mkdir_p(const char *dir, struct em_error *err);

#endif
