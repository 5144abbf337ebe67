/*
 * declared_metric.h — the metrics a plugin declared, as one per-call file
 * carries them: their description in "energymon"."metrics" (entries with
 * "declared": true) and their values in energy_consumption under the plain
 * key. This is how the report summarises a source it has never heard of.
 */
#ifndef REPORT_DECLARED_METRIC_H
#define REPORT_DECLARED_METRIC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "maybe_double.h"

struct declared_metric {
	const char *key;    /* "gpu0_energy"; these strings point into the file's JSON */
	const char *kind;   /* "counter", "gauge" or "seconds" */
	const char *unit;   /* "J", "W", "degC", ... or a count's unit name */
	const char *scope;  /* "accelerator", ...; NULL when the file does not say */
	long long index;    /* which card / package */
	struct maybe_double value;    /* counter/seconds: the call's total; gauge: its time-weighted mean */
	struct maybe_double energy_j; /* a gauge in watts: its integral over the call */
	const char *reason; /* why there is no value, when the file says */
};

/* True for a counter or seconds metric: per-call values add up. */
bool declared_metric_is_total(const struct declared_metric *metric);

/* Reads the declared metrics of one file (`root`: the whole file,
 * `consumption`: its energy_consumption). Entries without a usable key
 * (1-63 of [a-z0-9_], as energymon declares them), kind or unit, or with
 * control characters in them, are skipped, as is a key's second entry. Returns 0 (with *out NULL when there are none)
 * or -1 when out of memory. */
int declared_metrics_load(const json_t *root, const json_t *consumption, struct declared_metric **out,
                          size_t *count);

#endif
