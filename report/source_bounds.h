/*
 * source_bounds.h — the 95 % bounds of a source's summed energies, over
 * the calls with a measured energy (placeholders and null energies are in
 * none of the sums):
 *   - the total, as independent calls (interval_sum_independent);
 *   - the dynamic energy (energy less idle power x time), as a worst case
 *     (interval_sum_worst_case): calls measured in one run share its idle
 *     baseline, whose error then leans the same way in every call.
 * A dynamic total exists only when every such call carries one: a sum over
 * some of the calls would pass for the whole.
 */
#ifndef REPORT_SOURCE_BOUNDS_H
#define REPORT_SOURCE_BOUNDS_H

#include <jansson.h>
#include <stdio.h>

#include "interval_sum.h"

struct source_bounds {
	struct interval_sum total, dynamic;
	double dynamic_j;     /* sum of the calls' dynamic energies */
	size_t with_dynamic, without_dynamic;
};

/* Adds one call with a measured energy at `row`. */
void source_bounds_add(struct source_bounds *bounds, const struct energy_trace *trace,
                       const struct em_result_key *row);

/* " (95 % bound LOW .. HIGH J)" or " (95 % bound unknown: N of M calls carry
 * none)"; nothing when no call carries a bound (files from before bounds). */
void source_bounds_print_total(const struct source_bounds *bounds, FILE *out);

/* "  total_<key>_dynamic_energy: V J (95 % bound LOW .. HIGH J)" or
 * "...: n/a (N of M calls without an idle baseline)"; nothing when no call
 * carries one. */
void source_bounds_print_dynamic(const struct source_bounds *bounds, const char *key, FILE *out);

/* total_<key>_energy_low/_high, total_<key>_dynamic_energy(_low/_high)
 * into `object` (null when unknown), their units into `units`; left out
 * when no call carries them. */
void source_bounds_json(const struct source_bounds *bounds, const char *key, json_t *object, json_t *units);

#endif
