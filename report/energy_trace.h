/*
 * energy_trace.h — one per-call energy file ({job_key}_{call_id}_{source}.json,
 * format: docs of the Lithops energy JSON) read into plain values.
 *
 * A value the file does not carry, or carries as null, is absent
 * (`present == false`), never 0: a placeholder run has no energy.
 *
 * Energy keys are read by energymon's one table of result keys
 * (core/result_keys.h), never by the name of the plugin that wrote the
 * file: the file's headline energy is the first energy key of that table
 * (system, psys, pkg, cores, uncore, dram) that it holds a number for.
 * What a plugin measures beyond the table it declared, and the file says
 * so (declared_metric.h).
 */
#ifndef REPORT_ENERGY_TRACE_H
#define REPORT_ENERGY_TRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "declared_metric.h"
#include "maybe_double.h"
#include "result_keys.h"

struct power_sample {
	double timestamp_s; /* unix time */
	double power_w;
};

struct energy_trace {
	char *file_name;     /* base name, for messages */
	char *source;        /* the file tag: "ipmi", "gpuhwmon-a" (from the file name) */
	const char *source_id; /* energy_consumption.source: "gpuhwmon:a"; NULL if absent */
	const char *job_key; /* these point into `root` */
	const char *call_id;
	const char *function_name; /* NULL when the file has none */
	bool placeholder;    /* the source measured nothing real */
	struct maybe_double timestamp_s, duration_s;
	/* The headline energy: the first energy row of the table the file has
	 * a number for, else the first it names (as null); NULL when it names
	 * none (a source that measures no energy of energymon's, e.g. CPU time
	 * only, or only declared metrics). */
	const struct em_result_key *energy_row;
	struct maybe_double energy_j; /* at energy_row */
	struct maybe_double avg_power_w, min_power_w, max_power_w, power_std_dev_w;
	struct maybe_double avg_cpu_temp_c, avg_system_temp_c;
	struct maybe_double cpu_time_s; /* the monitored tree's CPU time (ebpf) */
	struct power_sample *power; /* power_readings, in file order */
	size_t n_power;
	struct declared_metric *declared; /* the plugin's own metrics, in file order */
	size_t n_declared;
	json_t *root; /* kept for the sensor readings export */
};

/* The file tag of `file_name` written for (job_key, call_id): what follows
 * "{job_key}_{call_id}_" up to ".json". Returns 0 and copies it into `tag`,
 * or -1 when the name is not the one those ids give. */
int energy_trace_tag(const char *file_name, const char *job_key, const char *call_id, char *tag,
                     size_t tag_size);

/* The trace's number at an energy_consumption key ("energy_pkg"). */
struct maybe_double energy_trace_number(const struct energy_trace *trace, const char *lithops_key);

/* Reads `path` (named `file_name`). Returns 0, or -1 with a one-line reason
 * in `why` (the file is then not understood and is skipped). */
int energy_trace_load(const char *path, const char *file_name, struct energy_trace *out, char *why,
                      size_t why_size);

void energy_trace_release(struct energy_trace *trace);

#endif
