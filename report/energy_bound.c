/* energy_bound.c — reading a call's bounds and idle baseline. */
#include "energy_bound.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* {low, high} of object[key] when both are finite and in order. */
static struct energy_interval interval_at(const json_t *object, const char *key)
{
	const json_t *range = json_object_get(object, key);
	struct maybe_double low = maybe_number_at(range, "low"), high = maybe_number_at(range, "high");
	if (low.present && high.present && isfinite(low.value) && isfinite(high.value) && low.value <= high.value)
		return (struct energy_interval){true, low.value, high.value};
	return (struct energy_interval){false, 0, 0};
}

/* value +- half_width: the symmetric cover energy_consumption carries. */
static struct energy_interval around(struct maybe_double value, struct maybe_double half_width)
{
	if (value.present && half_width.present && isfinite(value.value) && isfinite(half_width.value) &&
	    half_width.value >= 0)
		return (struct energy_interval){true, value.value - half_width.value, value.value + half_width.value};
	return (struct energy_interval){false, 0, 0};
}

static struct maybe_double suffixed(const json_t *consumption, const char *key, const char *suffix)
{
	char name[160];
	snprintf(name, sizeof name, "%s%s", key, suffix);
	return maybe_number_at(consumption, name);
}

void energy_bounds_read(const struct energy_trace *trace, const struct em_result_key *row,
                        struct energy_bounds *out)
{
	memset(out, 0, sizeof *out);
	if (row == NULL || trace->placeholder)
		return;
	const json_t *consumption = json_object_get(trace->root, "energy_consumption");
	const json_t *energymon = json_object_get(trace->root, "energymon");
	const json_t *baseline = json_object_get(energymon, "baseline");
	struct maybe_double value = maybe_number_at(consumption, row->lithops_key);
	if (!value.present)
		return; /* a bound around no figure bounds nothing */
	out->total = interval_at(json_object_get(energymon, "uncertainty"), row->key);
	if (!out->total.present)
		out->total = around(value, suffixed(consumption, row->lithops_key, "_uncertainty_j"));

	out->dynamic_j = suffixed(consumption, row->lithops_key, "_dynamic");
	if (out->dynamic_j.present) {
		out->dynamic = interval_at(json_object_get(baseline, "dynamic_j"), row->key);
		if (!out->dynamic.present)
			out->dynamic = around(out->dynamic_j,
			                      suffixed(consumption, row->lithops_key, "_dynamic_uncertainty_j"));
	}
	char idle_key[96];
	snprintf(idle_key, sizeof idle_key, "idle_power_%s_w", row->key);
	out->idle_power_w = maybe_number_at(consumption, idle_key);
	if (!out->idle_power_w.present)
		out->idle_power_w = maybe_number_at(json_object_get(json_object_get(baseline, "idle_power_w"), row->key),
		                                    "value");
}
