/*
 * metric_summary.h — per-source statistics of the metrics plugins declared
 * (declared_metric.h), so a source the report has never heard of is
 * summarised by what its files say it measures.
 *
 * Per metric, over the calls that have a value (placeholder runs and null
 * values are counted, never averaged in as 0): counters and seconds give
 * total_/avg_/min_/max_<key> of the per-call totals; gauges give
 * avg_/min_/max_<key> of the per-call time-weighted means, and a gauge in
 * watts also total_<key>_energy (J, the sum of its per-call integrals).
 */
#ifndef REPORT_METRIC_SUMMARY_H
#define REPORT_METRIC_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

#include "trace_set.h"

struct metric_summary {
	const char *key, *kind, *unit, *scope; /* as the first file declaring it says */
	long long index;
	size_t with_value, without_value; /* calls */
	const char *reason;               /* the first call's reason for having no value */
	struct maybe_double total, avg, min, max;
	struct maybe_double total_energy_j; /* gauges in watts */
};

struct metric_summaries {
	struct metric_summary *items; /* in the order the files declare them */
	size_t count;
};

/* Returns 0 or -1 when out of memory. */
int metric_summaries_compute(const struct trace_set *set, const char *source, struct metric_summaries *out);
/* "  key: value unit" lines, after a line describing each metric. */
void metric_summaries_print(const struct metric_summaries *summaries, FILE *out);
/* {"<key>": {"kind", "unit", "scope", "index", "calls_with_value", "calls_without_value",
 *  "reason", "total"/"avg"/"min"/"max" (null when absent), "total_energy_j" (watt gauges)}} */
json_t *metric_summaries_json(const struct metric_summaries *summaries);
void metric_summaries_release(struct metric_summaries *summaries);

#endif
