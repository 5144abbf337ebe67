/* source_bounds.c — bounds of a source's summed energies. */
#include "source_bounds.h"

#include <math.h>

void source_bounds_add(struct source_bounds *b, const struct energy_trace *trace, const struct em_result_key *row)
{
	struct energy_bounds call;
	energy_bounds_read(trace, row, &call);
	interval_sum_add(&b->total, call.total);
	if (!call.dynamic_j.present) {
		b->without_dynamic++;
		return;
	}
	b->with_dynamic++;
	b->dynamic_j += call.dynamic_j.value;
	interval_sum_add(&b->dynamic, call.dynamic);
}

static void print_interval(struct energy_interval interval, const struct interval_sum *sum, FILE *out)
{
	if (interval.present)
		fprintf(out, " (95 %% bound %.6f .. %.6f J)", interval.low, interval.high);
	else
		fprintf(out, " (95 %% bound unknown: %zu of %zu calls carry none)", sum->without,
		        sum->with + sum->without);
}

void source_bounds_print_total(const struct source_bounds *b, FILE *out)
{
	if (b->total.with > 0)
		print_interval(interval_sum_independent(&b->total), &b->total, out);
}

static bool dynamic_total(const struct source_bounds *b)
{
	return b->with_dynamic > 0 && b->without_dynamic == 0 && isfinite(b->dynamic_j);
}

void source_bounds_print_dynamic(const struct source_bounds *b, const char *key, FILE *out)
{
	if (b->with_dynamic == 0)
		return;
	fprintf(out, "  total_%s_dynamic_energy: ", key);
	if (!dynamic_total(b)) {
		fprintf(out, "n/a (%zu of %zu calls without an idle baseline)\n", b->without_dynamic,
		        b->with_dynamic + b->without_dynamic);
		return;
	}
	fprintf(out, "%.6f J", b->dynamic_j);
	print_interval(interval_sum_worst_case(&b->dynamic), &b->dynamic, out);
	fputc('\n', out);
}

static void put(json_t *object, json_t *units, const char *key, const char *name, bool present, double value)
{
	char full[128];
	snprintf(full, sizeof full, name, key);
	json_object_set_new(object, full, present && isfinite(value) ? json_real(value) : json_null());
	json_object_set_new(units, full, json_string("J"));
}

void source_bounds_json(const struct source_bounds *b, const char *key, json_t *object, json_t *units)
{
	if (b->total.with > 0) {
		struct energy_interval total = interval_sum_independent(&b->total);
		put(object, units, key, "total_%s_energy_low", total.present, total.low);
		put(object, units, key, "total_%s_energy_high", total.present, total.high);
	}
	if (b->with_dynamic > 0) {
		struct energy_interval dynamic = interval_sum_worst_case(&b->dynamic);
		put(object, units, key, "total_%s_dynamic_energy", dynamic_total(b), b->dynamic_j);
		put(object, units, key, "total_%s_dynamic_energy_low", dynamic_total(b) && dynamic.present, dynamic.low);
		put(object, units, key, "total_%s_dynamic_energy_high", dynamic_total(b) && dynamic.present,
		    dynamic.high);
	}
}
