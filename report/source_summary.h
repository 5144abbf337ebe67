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

#include "metric_summary.h"
#include "source_bounds.h"
#include "trace_set.h"

struct source_summary {
	const char *source;           /* the file tag: "ipmi", "gpuhwmon-a" */
	const char *source_id;        /* as the files name it ("gpuhwmon:a"), or NULL */
	/* The headline energy: the first energy row of core/result_keys.h that
	 * a file of the source holds a number for (else one it names as null);
	 * NULL for a source whose files name none (CPU time only, declared
	 * metrics only): its summary then has no total_*_energy lines. */
	const struct em_result_key *energy_row;
	size_t total_traces;          /* every file of this source */
	size_t traces_without_energy; /* placeholder, missing or null energy */
	struct maybe_double total_energy_j, avg_energy_j, max_energy_j, min_energy_j;
	struct maybe_double energy_std_dev_j;
	struct maybe_double avg_power_w;        /* mean of the traces' avg_power */
	struct maybe_double max_power_recorded_w, min_power_recorded_w;
	struct maybe_double avg_cpu_temp_c, avg_system_temp_c;
	struct maybe_double total_cpu_time_s, avg_cpu_time_s; /* sources that measure it */
	struct maybe_double total_duration_s, avg_duration_s;
	struct source_bounds bounds; /* of the headline energy's total */
	unsigned overflowed; /* bit i: the i-th summary value is beyond a double (absent) */
	struct metric_summaries metrics; /* what the source's plugin declared */
};

/* Summarises the traces of `source` (a file tag) in `set`. Returns 0, or -1
 * when out of memory. Release with source_summary_release(). */
int source_summary_compute(const struct trace_set *set, const char *source,
                           struct source_summary *out);
void source_summary_release(struct source_summary *summary);

/* Warns, naming the source and key, about every value that overflowed. */
void source_summary_warn(const struct source_summary *summary, FILE *warnings);

/* Prints one block of "key: value unit" lines, keys as the seed named them
 * (total_system_energy for a source whose headline is system, total_pkg_energy
 * for pkg), then the declared metrics' lines (metric_summary.h). When the
 * files carry bounds, the total's line ends in "(95 % bound LOW .. HIGH J)"
 * (or "(95 % bound unknown: N of M calls carry none)") and is followed by
 * total_<key>_dynamic_energy when they carry an idle baseline. */
void source_summary_print(const struct source_summary *summary, FILE *out);

/* The same as a JSON object: the seed's keys with numbers (null when
 * absent, with the reason only in the text form), plus energy_key (null
 * without a headline), source (the id), total_traces,
 * traces_without_energy, "units" naming each key's unit, the bounds
 * (total_<key>_energy_low/_high, total_<key>_dynamic_energy and its
 * _low/_high; null when unknown, left out when no file carries any) and "metrics"
 * (metric_summaries_json()).
 * NULL on allocation failure; the caller owns the reference. */
json_t *source_summary_json(const struct source_summary *summary);

#endif
