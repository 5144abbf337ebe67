/*
 * energy_plugin.h — the energymon plugin ABI.
 *
 * This is the only header a plugin author needs. It is plain C11, uses no
 * third-party types, and is the whole contract between the energymon host
 * library and a plugin shared object.
 *
 * LIFECYCLE (all calls for one instance are made by the host one at a time,
 * never concurrently, though possibly from different threads over its life):
 *
 *   energymon_plugin_entry()  -> const struct energy_plugin *   (once per load)
 *   probe(host, why)          -> can this plugin run here with this config?
 *   create(host, &inst, why)  -> build an instance (open sessions, load BPF...);
 *                                since 1.1 also declare its metrics here
 *   set_targets(inst, pids)   -> (1.1, optional) follow these process trees
 *   start(inst)               -> measurement begins now
 *   sample(inst) ...          -> take one set of readings, hand each to host->emit
 *   stop(inst)                -> measurement ends now
 *   get_data(inst)            -> emit final readings and notes (totals, metadata)
 *   destroy(inst)             -> free everything; inst is never used again
 *
 * ERRORS: every method returns 0 on success or a negative errno value on
 * failure. Before failing, a method explains why in words a user can act on
 * (name the host, file, key or permission) through host->set_error() (or the
 * `why` buffer for probe/create). Conventional codes: -ENODEV (hardware or
 * kernel feature absent), -EACCES / -EPERM (privilege), -EINVAL (bad config),
 * -ETIMEDOUT / -ECONNREFUSED / -EHOSTUNREACH (remote peer), -EIO (read failed).
 * A plugin never prints to stdout/stderr: it logs through host->log().
 *
 * UNITS: every reading carries its quantity, and each quantity has exactly one
 * unit (see enum energy_quantity). Time stamps are nanoseconds.
 *
 * TWO WAYS TO REPORT (1.1): a 1.0-style reading (host->emit) names its
 * quantity, scope and sensor, and the host files it under energymon's own
 * keys (system power -> "system", a CPU-package joule counter -> "pkg", ...:
 * the keys Lithops users read). A declared metric (host->declare_metric in
 * create(), then host->emit_metric) carries the plugin's own key, kind, unit,
 * scope and index: "gpu0_energy", an accelerator joule counter, appears
 * under that name. Use emit() for what energymon already names, declared
 * metrics for everything else. A plugin may use both.
 *
 * NEVER INVENT DATA: a plugin that cannot read a value emits nothing for it
 * and says why; it never emits zeros, estimates or placeholders.
 *
 * VERSIONING: ENERGY_PLUGIN_ABI_MAJOR changes only when an existing field or
 * method changes meaning; the host refuses a plugin of another major.
 * ENERGY_PLUGIN_ABI_MINOR grows when fields or methods are appended to the
 * end of a struct. The structs that can grow (energy_reading, energy_host,
 * energy_plugin, and the 1.1 structs energy_metric, energy_config_key_v2,
 * energy_config_value_v2) begin with struct_size, the sizeof() that the side
 * which filled it was compiled with, so either side can tell whether an
 * appended member exists before touching it (ENERGY_HAS_MEMBER below). The
 * 1.0 structs energy_config_key and energy_config_value have no struct_size
 * and are frozen as they are; 1.1 adds size-prefixed _v2 twins instead.
 *
 * ONE PLUGIN, SEVERAL HOSTS (1.1): a host of a later minor loads a plugin
 * built against an earlier one and never touches members the plugin's
 * struct_size does not cover. A plugin built against 1.1 that may be loaded
 * by a 1.0 host must check before using anything 1.1 adds:
 *   - host->abi_minor >= 1, or ENERGY_HAS_MEMBER(host, struct energy_host,
 *     declare_metric), before calling declare_metric / emit_metric /
 *     metric_reason / config_get_v2; otherwise report through emit() and
 *     config_get() as 1.0 plugins do;
 *   - a 1.0 host reads config_keys only (never config_keys_v2) and never
 *     calls set_targets: keep config_keys filled too, and take the single
 *     process tree from host->target_pid.
 * A plugin built against 1.2 that may be loaded by a 1.0 or 1.1 host must
 * also check, before reading host->flags or calling host->emit_target, that
 * ENERGY_HAS_MEMBER(host, struct energy_host, emit_target) holds (which a
 * 1.2 host's struct_size always covers) and that emit_target is not NULL;
 * on an older host the flags are 0 (read nothing), and per-target readings
 * are simply not reported: the metric's total through emit_metric is. Set
 * ENERGY_METRIC_PER_TARGET in a declaration only on a 1.2 host.
 *
 * PER-TARGET READINGS (1.2): a process-scope plugin that follows several
 * trees at once (set_targets) may report each tree's own part of a metric
 * besides the total of all of them: declare the metric with
 * ENERGY_METRIC_PER_TARGET (counters and cumulative seconds only) and feed
 * it with emit_metric (the union's total) and with emit_target (one
 * cumulative reading per current target, in the same unit). The host keeps
 * them apart from the metric's own series: a monitor's result shows the
 * total only; a window of a continuous monitor (energymond) reads its
 * tree's own. A host that passes ENERGY_HOST_TARGETS_LATER in host->flags
 * creates the plugin with target_pid 0 and names the trees later through
 * set_targets: follow nothing until then (and do not refuse to be created).
 */
#ifndef ENERGY_PLUGIN_H
#define ENERGY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ENERGY_PLUGIN_ABI_MAJOR 1
#define ENERGY_PLUGIN_ABI_MINOR 3

/* The one symbol a plugin exports. Its type is energy_plugin_entry_fn. */
#define ENERGY_PLUGIN_ENTRY_SYMBOL "energymon_plugin_entry"

/* True when a struct filled by the other side is large enough to contain
 * `member`: use before reading any member added after ABI 1.0. */
#define ENERGY_HAS_MEMBER(ptr, type, member) \
	((ptr)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

/* Fixed sizes keep every struct free of pointers the other side must free. */
#define ENERGY_NAME_MAX 64   /* sensor/domain names, including the NUL */
#define ENERGY_REASON_MAX 512 /* human-readable reasons, including the NUL */
#define ENERGY_UNIT_NAME_MAX 16 /* energy_metric.unit_name, including the NUL */

/* What a reading measures. Each quantity has one unit, named here. */
enum energy_quantity {
	ENERGY_Q_POWER_W = 1,       /* instantaneous power, watts */
	ENERGY_Q_ENERGY_J = 2,      /* cumulative energy counter, joules (may wrap, see counter_max) */
	ENERGY_Q_TEMPERATURE_C = 3, /* degrees Celsius */
	ENERGY_Q_VOLTAGE_V = 4,     /* volts */
	ENERGY_Q_CURRENT_A = 5,     /* amperes */
	ENERGY_Q_FAN_RPM = 6,       /* revolutions per minute */
	ENERGY_Q_CPU_TIME_S = 7,    /* cumulative CPU time, seconds (monotonic counter) */
	ENERGY_Q_COUNT = 8          /* cumulative event count, dimensionless (e.g. context switches) */
};

/* Where in the machine a reading belongs. Scopes nest: CPU_CORES and
 * CPU_UNCORE are inside CPU_PACKAGE, CPU_PACKAGE and DRAM are inside SYSTEM,
 * PROCESS is a share of SYSTEM. The host never adds readings of nested
 * scopes together. */
enum energy_scope {
	ENERGY_SCOPE_SYSTEM = 1,      /* whole server (BMC, PSU input, RAPL psys) */
	ENERGY_SCOPE_CPU_PACKAGE = 2, /* one CPU socket (RAPL pkg) */
	ENERGY_SCOPE_CPU_CORES = 3,   /* cores of a package (RAPL pp0) */
	ENERGY_SCOPE_CPU_UNCORE = 4,  /* integrated GPU/uncore (RAPL pp1) */
	ENERGY_SCOPE_DRAM = 5,        /* memory (RAPL dram) */
	ENERGY_SCOPE_PROCESS = 6,     /* the monitored process tree */
	ENERGY_SCOPE_SENSOR = 7,      /* an environmental sensor (temperature, fan, ...) */
	/* Since 1.1: */
	ENERGY_SCOPE_ACCELERATOR = 8, /* a GPU or other accelerator card, numbered by `index` */
	ENERGY_SCOPE_OTHER = 9        /* anything else: a PDU outlet, a battery, a load average */
};

/* Bits of energy_plugin.measures: which scopes a plugin can report. */
#define ENERGY_MEASURES(scope) (1u << (scope))

/* energy_reading.flags */
/* A summary emitted from get_data() (e.g. a run total): the host reports it
 * as given and never feeds it into the sampled series. */
#define ENERGY_READING_FINAL 0x1u
/* (1.3) How good the value is; the host bounds every energy figure with
 * these (docs/uncertainty.md). A plugin that knows nothing sets none. */
/* The value is the mean over average_s seconds ending when the device
 * refreshed it (DCMI's average power), not an instantaneous value. */
#define ENERGY_READING_AVERAGE 0x2u
/* range_low and range_high hold: the device saw the quantity between them
 * over range_s seconds before this reading (DCMI's minimum and maximum over
 * its statistics period), or the plugin's ceiling for bursts it cannot
 * see (then range_low is the value). */
#define ENERGY_READING_RANGE 0x4u
/* The device has not refreshed the value since the plugin's previous
 * reading (same DCMI time stamp and value): the same measurement again. */
#define ENERGY_READING_STALE 0x8u
/* Taken after the measurement ended (from stop()), to see what the
 * device's lag hid at the end: a BMC shows the last seconds' power only at
 * its next refresh. The host bounds the end with it and never adds it to
 * the energy, the statistics or the points. */
#define ENERGY_READING_LOOKAHEAD 0x10u

/* One typed reading. The plugin fills it and passes it to host->emit(); the
 * host copies it, so the plugin may reuse the memory at once. */
struct energy_reading {
	uint32_t struct_size;        /* sizeof(struct energy_reading) */
	uint32_t quantity;           /* enum energy_quantity */
	uint32_t scope;              /* enum energy_scope */
	uint32_t flags;              /* ENERGY_READING_* */
	char sensor[ENERGY_NAME_MAX];/* sensor or domain, e.g. "dcmi", "package-0", "CPU Temp" */
	double value;                /* in the quantity's unit */
	/* For cumulative counters that wrap: the value at which the counter
	 * returns to zero, in the quantity's unit; 0 when it never wraps. */
	double counter_max;
	int64_t mono_ns;             /* CLOCK_MONOTONIC when taken; 0: host uses the time of the sample() call */
	int64_t wall_ns;             /* CLOCK_REALTIME when taken; 0: as above */
	/* Members above are valid for ABI 1.0. Since 1.3 (0: not known): */

	/* How far the value may be from the truth through the device's own
	 * rounding or truncation, in the quantity's unit: 1 for DCMI's integer
	 * watts, one energy unit for a RAPL counter. */
	double resolution;
	/* The value may describe the quantity as it was up to lag_s seconds
	 * before it was taken: the device refreshes it at its own pace (a BMC
	 * every 0.1-5 s). With ENERGY_READING_AVERAGE the averaging window is
	 * average_s on top of it. */
	double lag_s;
	double average_s;
	/* With ENERGY_READING_RANGE: see that flag. */
	double range_low, range_high, range_s;
	/* Members above are valid for ABI 1.3. Append new ones below. */
};

/* ---- Declared metrics (since 1.1) ---- */

/* How the host reduces a metric's readings. */
enum energy_metric_kind {
	/* A cumulative counter (energy, events). The host sums the deltas
	 * between readings; a drop means one wrap at counter_max (or, with
	 * counter_max 0, a reset). The result is the total over the run. */
	ENERGY_KIND_COUNTER = 1,
	/* An instantaneous value (power, temperature, load). The host keeps
	 * min/max/mean/std-dev and the time-weighted mean; a gauge in watts is
	 * also integrated over time into joules (trapezoid rule). */
	ENERGY_KIND_GAUGE = 2,
	/* Cumulative seconds (CPU time): a counter whose unit is the second,
	 * used for attribution by CPU share. */
	ENERGY_KIND_SECONDS = 3
};

/* The unit of a declared metric: a fixed SI list, plus COUNT for anything
 * counted, named by energy_metric.unit_name. */
enum energy_unit {
	ENERGY_UNIT_JOULE = 1,
	ENERGY_UNIT_WATT = 2,
	ENERGY_UNIT_SECOND = 3,
	ENERGY_UNIT_CELSIUS = 4,
	ENERGY_UNIT_VOLT = 5,
	ENERGY_UNIT_AMPERE = 6,
	ENERGY_UNIT_RPM = 7,
	ENERGY_UNIT_HERTZ = 8,
	ENERGY_UNIT_RATIO = 9,  /* dimensionless, 1 = 100 % */
	ENERGY_UNIT_COUNT = 10  /* things counted; unit_name says which ("requests", "load") */
};

/* energy_metric.flags */
/* The metric's total may be shared out to the monitored process tree by its
 * CPU share (energy of the whole device, like the CPU package; not a GPU's,
 * whose work the CPU share does not describe). Only for a metric in
 * ENERGY_UNIT_JOULE or ENERGY_UNIT_WATT: declare_metric refuses it on any
 * other unit (-EINVAL). */
#define ENERGY_METRIC_ATTRIBUTABLE 0x1u
/* (1.2) Besides the metric's total for all targets (emit_metric), the
 * plugin reports each target's own part with emit_target. Counters and
 * cumulative seconds only. */
#define ENERGY_METRIC_PER_TARGET 0x2u

/* One metric a plugin measures, declared from create() through
 * host->declare_metric(). The host copies it. */
struct energy_metric {
	uint32_t struct_size;          /* sizeof(struct energy_metric) */
	uint32_t kind;                 /* enum energy_metric_kind */
	uint32_t unit;                 /* enum energy_unit; ENERGY_KIND_SECONDS needs ENERGY_UNIT_SECOND */
	uint32_t scope;                /* enum energy_scope */
	uint32_t index;                /* which package / GPU / outlet: 0, 1, ...; 0 when only one */
	uint32_t flags;                /* ENERGY_METRIC_* */
	/* The metric's name in results and files: 1-63 characters of [a-z0-9_],
	 * starting with a letter, e.g. "gpu0_energy". It must not be one of
	 * energymon's own keys ("system", "pkg", "avg_power", ...: the table in
	 * docs/writing-a-plugin.md) nor start with "energy_" or "attributed_";
	 * a key that collides with another selected plugin's is a load error
	 * naming both. Instances of one plugin share keys: results qualify
	 * them by instance.
	 * An empty key declares energymon's own metric for the kind, unit and
	 * scope, filed exactly as a 1.0 reading of it would be (a CPU-package
	 * joule counter is "pkg", summed over index; system watts are
	 * "system"): so a plugin can report the Lithops keys through
	 * emit_metric and metric_reason. -EINVAL when energymon has no key for
	 * that combination. */
	char key[ENERGY_NAME_MAX];
	char unit_name[ENERGY_UNIT_NAME_MAX]; /* ENERGY_UNIT_COUNT only, e.g. "requests"; else "" */
	/* ENERGY_KIND_COUNTER that wraps: the value at which it returns to 0, in
	 * the metric's unit; 0 when it never wraps. */
	double counter_max;
	/* Members above are valid for ABI 1.1. Since 1.3: */

	/* As energy_reading.resolution, for every reading of this metric (the
	 * RAPL energy unit, say); 0: not known. */
	double resolution;
	/* Members above are valid for ABI 1.3. Append new ones below. */
};

/* Types a configuration key can have. */
enum energy_config_type {
	ENERGY_CONFIG_STRING = 1,
	ENERGY_CONFIG_NUMBER = 2,      /* double */
	ENERGY_CONFIG_BOOL = 3,
	ENERGY_CONFIG_STRING_LIST = 4  /* a JSON array of strings, or one string */
};

/* A configuration key a plugin reads. Every name must start with the
 * plugin's name and "_": the host refuses to load a plugin that declares
 * any other (another plugin's key, say). The host validates the user's
 * configuration against these before create(): a key that starts with the
 * plugin's name and "_" but is not declared, or has the wrong type, is an
 * error naming the key. Secrets: set `secret` so the host never logs or
 * echoes the value, and refuses it on the command line (--set). */
struct energy_config_key {
	const char *name;        /* e.g. "ipmi_host" */
	uint32_t type;           /* enum energy_config_type */
	uint32_t secret;         /* nonzero: never shown */
	const char *default_doc; /* the default, as text for --list-plugins and docs */
	const char *help;        /* one line */
};

/* A configuration value as handed to the plugin. Pointers are owned by the
 * host and valid until the plugin's destroy() returns. */
struct energy_config_value {
	uint32_t type;             /* enum energy_config_type */
	int boolean;               /* ENERGY_CONFIG_BOOL */
	double number;             /* ENERGY_CONFIG_NUMBER */
	const char *string;        /* ENERGY_CONFIG_STRING */
	const char *const *list;   /* ENERGY_CONFIG_STRING_LIST */
	size_t list_len;
};

/* 1.1: energy_config_key with a size prefix, so it can grow. Rules as for
 * energy_config_key. */
struct energy_config_key_v2 {
	uint32_t struct_size;    /* sizeof(struct energy_config_key_v2) */
	uint32_t type;           /* enum energy_config_type */
	uint32_t secret;         /* nonzero: never shown, refused on the command line */
	uint32_t reserved0;      /* 0 */
	const char *name;
	const char *default_doc;
	const char *help;
	/* Members above are valid for ABI 1.1. Append new ones below. */
};

/* 1.1: energy_config_value with a size prefix. The plugin sets struct_size
 * before calling config_get_v2; the host fills no byte beyond it. */
struct energy_config_value_v2 {
	uint32_t struct_size;      /* sizeof(struct energy_config_value_v2), set by the caller */
	uint32_t type;             /* enum energy_config_type */
	int boolean;
	double number;
	const char *string;
	const char *const *list;
	size_t list_len;
	/* Members above are valid for ABI 1.1. Append new ones below. */
};

/* Log levels for host->log(). */
enum energy_log_level {
	ENERGY_LOG_ERROR = 0,
	ENERGY_LOG_WARN = 1,
	ENERGY_LOG_INFO = 2,
	ENERGY_LOG_DEBUG = 3
};

/* What the host offers a plugin instance. The host fills one per instance
 * and keeps it alive (same address) until destroy() returns; the plugin
 * keeps the pointer. Every function is safe to call from the thread the
 * host is calling the plugin on. */
struct energy_host {
	uint32_t struct_size;  /* sizeof(struct energy_host) as the host was built */
	uint32_t abi_major;    /* the host's ENERGY_PLUGIN_ABI_MAJOR */
	uint32_t abi_minor;    /* the host's ENERGY_PLUGIN_ABI_MINOR */
	uint32_t reserved0;
	void *ctx;             /* pass back as the first argument of every callback */

	/* Process tree to attribute to: its root pid, or 0 for none (whole system). */
	int64_t target_pid;
	/* The sampling interval the user asked for, seconds (> 0). */
	double interval_s;

	/* Look up `key`. Returns 0 and fills *out; -ENOENT when the user did not
	 * set it (use your default); -EINVAL when the key is not one the plugin
	 * declared. Values were already checked against the declared type. */
	int (*config_get)(void *ctx, const char *key, struct energy_config_value *out);

	/* Log a line (printf format). Never pass secrets. */
	void (*log)(void *ctx, int level, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 3, 4)))
#endif
		;

	/* Record one reading. Returns 0, or -EINVAL for a malformed reading
	 * (unknown quantity/scope, non-finite value; ACCELERATOR and OTHER,
	 * which have no energymon key, are for declared metrics only), which
	 * the host drops; -EBUSY from probe() or create() (the measurement
	 * begins with start());
	 * -ENOSPC when the reading would start a series beyond the source's
	 * limit (energy_max_series; dropped and counted in the result);
	 * -EEXIST when the plugin declared energymon's own metric that this
	 * reading would feed (same quantity, scope and sensor "index-N": feed
	 * it through emit_metric only; dropped); -ECANCELED after the host
	 * abandoned the instance or after get_data() returned (a call from a
	 * thread of the plugin's own). Sensor names that are not valid UTF-8 are kept with each invalid byte replaced by '?'. */
	int (*emit)(void *ctx, const struct energy_reading *reading);

	/* Explain the failure of the method currently running, in words a user
	 * can act on (printf format). The host shows it in the CLI, the result
	 * and the JSON files. The last call before a method returns wins. */
	void (*set_error)(void *ctx, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 2, 3)))
#endif
		;

	/* Attach a fact about this run to the plugin's result, e.g.
	 * ("power_source", "dcmi") or ("cpu_time_rule", "..."). Keys are
	 * snake_case; a later call with the same key replaces the value. */
	int (*note_string)(void *ctx, const char *key, const char *value);
	/* Same for a number; `unit` is its unit ("J", "W", "s", "" for a ratio). */
	int (*note_number)(void *ctx, const char *key, double value, const char *unit);

	/* Call from create() to be sampled at least every `max_interval_s`
	 * seconds whatever the user asked, e.g. so that a counter can never
	 * wrap twice between two readings. Returns 0, or -EINVAL for a
	 * non-finite or non-positive value. */
	int (*require_interval)(void *ctx, double max_interval_s);

	/* Members above are valid for ABI 1.0. Since 1.1: */

	/* The instance name when the user runs several instances of the plugin
	 * ("rack1" for strategy entry "ipmi:rack1"), or NULL. Each instance has
	 * its own configuration (config_get sees its section) and result. */
	const char *instance;

	/* Same as config_get, for a plugin built with struct
	 * energy_config_value_v2 (set out->struct_size first). */
	int (*config_get_v2)(void *ctx, const char *key, struct energy_config_value_v2 *out);

	/* Declare one metric; call from create() only. Returns its id (>= 0),
	 * used by emit_metric and metric_reason; or -EINVAL for a malformed
	 * declaration (bad key, kind/unit mismatch, a key energymon owns), or
	 * -EEXIST when the plugin already declared that key, or -EBUSY after
	 * create(), or -ENOSPC beyond energy_max_series. The reason is logged. */
	int (*declare_metric)(void *ctx, const struct energy_metric *metric);

	/* Record one reading of a declared metric, in its unit. mono_ns/wall_ns
	 * as in energy_reading (0: the time of the sample() call). Returns 0,
	 * -EINVAL (unknown id, non-finite value), -EBUSY from create() (the
	 * measurement begins with start()), or -ECANCELED after the host
	 * abandoned the instance or after get_data() returned. Cheaper than emit(): no strings are copied. */
	int (*emit_metric)(void *ctx, int metric, double value, int64_t mono_ns, int64_t wall_ns);

	/* Say why a declared metric has no (or no trustworthy) value, e.g.
	 * "the counter did not move while the CPU was busy". The result then
	 * reports it as null with this reason, even if readings were emitted;
	 * the last call wins; an empty string takes the verdict back. */
	int (*metric_reason)(void *ctx, int metric, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 3, 4)))
#endif
		;

	/* Members above are valid for ABI 1.1. Since 1.2: */

	/* ENERGY_HOST_* facts about this run. */
	uint32_t flags;

	/* Record one reading of a declared ENERGY_METRIC_PER_TARGET metric for
	 * one of the trees set_targets() named (`target`: its root's pid): that
	 * tree's own part of what the metric counts for all of them: a
	 * cumulative value, as for emit_metric. Same rules and returns as
	 * emit_metric (-EINVAL also for a metric declared without
	 * ENERGY_METRIC_PER_TARGET), and -ESRCH for a pid that is not among
	 * the current targets (those of the last set_targets() that returned
	 * 0, else host->target_pid when it is > 0), -ENOSPC when the source
	 * already keeps 16384 (metric, target) totals. The host keeps one
	 * running total per (metric, target); a target dropped by
	 * set_targets() loses its total. */
	int (*emit_target)(void *ctx, int metric, int64_t target, double value, int64_t mono_ns, int64_t wall_ns);

	/* Members above are valid for ABI 1.2. Append new ones below. */
};

/* host->flags (1.2): target_pid is 0 because set_targets() will name the
 * trees to follow (energymond's continuous monitor): follow none until
 * then, which is not "the whole system". */
#define ENERGY_HOST_TARGETS_LATER 0x1u

/* A plugin's self-description and methods. Returned by the entry symbol;
 * must stay valid while the shared object is loaded. */
struct energy_plugin {
	uint32_t struct_size; /* sizeof(struct energy_plugin) as the plugin was built */
	uint32_t abi_major;   /* ENERGY_PLUGIN_ABI_MAJOR the plugin was built with */
	uint32_t abi_minor;   /* ENERGY_PLUGIN_ABI_MINOR the plugin was built with */
	uint32_t measures;    /* OR of ENERGY_MEASURES(scope) */

	const char *name;        /* short, lower case, e.g. "ipmi"; also its config prefix */
	const char *version;     /* the plugin's own version, e.g. "1.0.0" */
	const char *description; /* one line */

	/* Smallest interval between sample() calls worth asking for, seconds;
	 * the host raises a shorter user interval to this and says so. */
	double min_interval_s;

	/* Configuration keys, terminated by an entry whose name is NULL. A 1.1
	 * host reads config_keys_v2 instead when the plugin sets it. */
	const struct energy_config_key *config_keys;

	/* Can the plugin run here with this configuration? 0 if yes; otherwise a
	 * negative errno and a reason in `why` (NUL-terminated, at most
	 * `why_len` bytes). Cheap and side-effect free; may be NULL. */
	int (*probe)(const struct energy_host *host, char *why, size_t why_len);

	/* Build an instance: read configuration, open devices or sessions. On
	 * failure returns a negative errno, fills `why`, and leaves *instance
	 * untouched with nothing allocated. */
	int (*create)(const struct energy_host *host, void **instance, char *why, size_t why_len);

	/* Measurement begins. */
	int (*start)(void *instance);

	/* Take one set of readings now and emit() each. May emit nothing when
	 * there is nothing new. A failure (BMC gone, read error) returns a
	 * negative errno after set_error(); the host records a gap and keeps
	 * calling sample() on schedule, so the plugin should try to recover
	 * (reconnect) on the next call without blocking for long. */
	int (*sample)(void *instance);

	/* Measurement ends. The host waits for the last sample(), stop() and
	 * get_data() at most max(5 s, min(3 x interval, 10 s)) in all; an
	 * instance still inside one of them then is abandoned: never called
	 * again (destroy() included) until that call returns. */
	int (*stop)(void *instance);

	/* After stop(): emit final readings (flag ENERGY_READING_FINAL) and
	 * notes that summarise the run. May be NULL. */
	int (*get_data)(void *instance);

	/* Free the instance. Safe after any failure of start/sample/stop. */
	void (*destroy)(void *instance);

	/* Members above are valid for ABI 1.0. Since 1.1: */

	/* Configuration keys as size-prefixed entries, terminated by NULL; when
	 * set, a 1.1 host ignores config_keys. May be NULL. */
	const struct energy_config_key_v2 *const *config_keys_v2;

	/* Follow exactly these process trees from now on (roots' pids; npids
	 * may be 0: follow none), replacing host->target_pid and any earlier
	 * call. Called between create() and destroy(), never concurrently with
	 * another method. A pid already among the targets may have exited:
	 * keep reporting its total (what its tree used, no more; a new process
	 * that gets the same pid later is not that tree); only a new pid must
	 * exist: one that does not is -ESRCH after set_error(), and the
	 * earlier targets stay. For process-scope plugins (ebpf); may be NULL. */
	int (*set_targets)(void *instance, const int64_t *pids, size_t npids);

	/* Members above are valid for ABI 1.1. Append new ones below. */
};

typedef const struct energy_plugin *(*energy_plugin_entry_fn)(void);

/* Use in the plugin's one .c file that exports the entry:
 *   ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
 *   { return &my_plugin; }
 */
#if defined(__GNUC__)
#define ENERGY_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define ENERGY_PLUGIN_EXPORT
#endif

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* ENERGY_PLUGIN_H */
