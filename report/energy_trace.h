/*
 * energy_trace.h — one per-call energy file ({job_key}_{call_id}_{source}.json,
 * format: docs of the Lithops energy JSON) read into plain values.
 *
 * A value the file does not carry, or carries as null, is absent
 * (`present == false`), never 0: a placeholder run has no energy.
 */
#ifndef REPORT_ENERGY_TRACE_H
#define REPORT_ENERGY_TRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct maybe_double {
	bool present;
	double value;
};

struct power_sample {
	double timestamp_s; /* unix time */
	double power_w;
};

struct energy_trace {
	char *file_name;     /* base name, for messages */
	char *source;        /* ipmi, perf, ebpf: from the file name */
	const char *job_key; /* these three point into `root` */
	const char *call_id;
	const char *function_name; /* NULL when the file has none */
	bool placeholder;    /* the monitor measured nothing real */
	struct maybe_double timestamp_s, duration_s;
	struct maybe_double energy_j; /* the source's main energy key */
	struct maybe_double avg_power_w, min_power_w, max_power_w, power_std_dev_w;
	struct maybe_double avg_cpu_temp_c, avg_system_temp_c;
	struct maybe_double cpu_time_s; /* the monitored tree's CPU time (ebpf) */
	struct power_sample *power; /* power_readings, in file order */
	size_t n_power;
	json_t *root; /* kept for the sensor readings export */
};

/* The energy_consumption key that holds a source's energy in joules
 * ("energy_system" for ipmi, "energy_pkg" for perf and ebpf); NULL for a
 * source this report does not know. */
const char *energy_trace_energy_key(const char *source);
/* The seed's word for that quantity ("system", "pkg"), used to name the
 * summary's keys (total_system_energy, total_pkg_energy). */
const char *energy_trace_energy_label(const char *source);

/* Reads `path` as a trace of `source`. Returns 0, or -1 with a one-line
 * reason in `why` (the file is then not understood and is skipped). */
int energy_trace_load(const char *path, const char *file_name, const char *source,
                      struct energy_trace *out, char *why, size_t why_size);

void energy_trace_release(struct energy_trace *trace);

#endif
