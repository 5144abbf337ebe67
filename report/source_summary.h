/*
 * source_summary.h — the seed's get_energy_summary(), per source.
 *
 * Energy statistics cover only traces with a measured energy: placeholder
 * runs and files whose energy is missing or null are counted in
 * `traces_without_energy` and never averaged in as 0 J. Power statistics
 * likewise skip placeholder runs. The standard deviation is the sample one
 * (n - 1), as the seed's pandas .std() gave; absent with fewer than two
 * measured traces.
 */
#ifndef REPORT_SOURCE_SUMMARY_H
#define REPORT_SOURCE_SUMMARY_H

#include <stdio.h>

#include "trace_set.h"

struct source_summary {
	const char *source;
	size_t total_traces;          /* every file of this source */
	size_t traces_without_energy; /* placeholder, missing or null energy */
	struct maybe_double total_energy_j, avg_energy_j, max_energy_j, min_energy_j;
	struct maybe_double energy_std_dev_j;
	struct maybe_double avg_power_w;        /* mean of the traces' avg_power */
	struct maybe_double max_power_recorded_w, min_power_recorded_w;
	struct maybe_double avg_cpu_temp_c, avg_system_temp_c;
	struct maybe_double total_cpu_time_s, avg_cpu_time_s; /* sources that measure it */
	struct maybe_double total_duration_s, avg_duration_s;
	unsigned overflowed; /* bit i: the i-th summary value is beyond a double (absent) */
};

/* Summarises the traces of `source` in `set`. */
void source_summary_compute(const struct trace_set *set, const char *source,
                            struct source_summary *out);

/* Warns, naming the source and key, about every value that overflowed. */
void source_summary_warn(const struct source_summary *summary, FILE *warnings);

/* Prints one block of "key: value unit" lines, keys as the seed named them
 * (total_system_energy for ipmi, total_pkg_energy for perf). */
void source_summary_print(const struct source_summary *summary, FILE *out);

/* The same as a JSON object: the seed's keys with numbers (null when
 * absent, with the reason only in the text form), plus energy_key,
 * total_traces, traces_without_energy and "units" naming each key's unit.
 * NULL on allocation failure; the caller owns the reference. */
json_t *source_summary_json(const struct source_summary *summary);

#endif
