/* source_summary.c — per-source statistics over a trace set. */
#include "source_summary.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Running mean / min / max / sum of one quantity, skipping absent values. */
struct accumulator {
	size_t n;
	double sum, min, max;
};

static void accumulate(struct accumulator *acc, struct maybe_double value)
{
	if (!value.present)
		return;
	if (acc->n == 0 || value.value < acc->min)
		acc->min = value.value;
	if (acc->n == 0 || value.value > acc->max)
		acc->max = value.value;
	acc->sum += value.value;
	acc->n++;
}

static struct maybe_double some(double value)
{
	return (struct maybe_double){true, value};
}

static struct maybe_double mean_of(const struct accumulator *acc)
{
	return acc->n ? some(acc->sum / (double)acc->n) : (struct maybe_double){false, 0};
}

/* A trace's energy at the source's headline key (its own headline may be
 * another when the source's files differ). */
static struct maybe_double energy_of(const struct energy_trace *trace, const struct em_result_key *row)
{
	if (row == NULL)
		return (struct maybe_double){false, 0};
	if (trace->energy_row == row)
		return trace->energy_j; /* negatives already dropped with a warning */
	struct maybe_double value = energy_trace_number(trace, row->lithops_key);
	value.present = value.present && value.value >= 0;
	return value;
}

static bool has_energy(const struct energy_trace *trace, const struct em_result_key *row)
{
	return !trace->placeholder && energy_of(trace, row).present;
}

/* The first energy row (table order) any trace has a number for, else the
 * first any trace names. */
static const struct em_result_key *source_energy_row(const struct trace_set *set, const char *source)
{
	const struct em_result_key *best = NULL;
	bool best_measured = false;
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *trace = &set->traces[i];
		if (strcmp(trace->source, source) != 0 || trace->energy_row == NULL)
			continue;
		bool measured = trace->energy_j.present;
		if (best == NULL || (measured && !best_measured) ||
		    (measured == best_measured && trace->energy_row < best)) {
			best = trace->energy_row;
			best_measured = measured;
		}
	}
	return best;
}

/* Two passes (mean first) keep the deviation exact for equal values,
 * which a single-pass sum-of-squares formula does not. */
static struct maybe_double sample_std_dev(const struct trace_set *set, const char *source,
                                          const struct em_result_key *row, double mean, size_t n)
{
	if (n < 2)
		return (struct maybe_double){false, 0};
	double squares = 0.0;
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *trace = &set->traces[i];
		if (strcmp(trace->source, source) == 0 && has_energy(trace, row)) {
			double energy = energy_of(trace, row).value;
			squares += (energy - mean) * (energy - mean);
		}
	}
	return some(sqrt(squares / (double)(n - 1)));
}

static void mark_overflows(struct source_summary *s);

int source_summary_compute(const struct trace_set *set, const char *source,
                           struct source_summary *out)
{
	memset(out, 0, sizeof *out);
	out->source = source;
	out->energy_row = source_energy_row(set, source);
	struct accumulator energy = {0}, avg_power = {0}, max_power = {0}, min_power = {0};
	struct accumulator cpu_temp = {0}, system_temp = {0}, duration = {0}, cpu_time = {0};
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *trace = &set->traces[i];
		if (strcmp(trace->source, source) != 0)
			continue;
		out->total_traces++;
		if (out->source_id == NULL)
			out->source_id = trace->source_id;
		/* Wall time is real even when the energy is not. */
		accumulate(&duration, trace->duration_s);
		if (!has_energy(trace, out->energy_row))
			out->traces_without_energy++;
		if (trace->placeholder)
			continue;
		accumulate(&energy, energy_of(trace, out->energy_row));
		if (has_energy(trace, out->energy_row))
			source_bounds_add(&out->bounds, trace, out->energy_row);
		accumulate(&avg_power, trace->avg_power_w);
		accumulate(&max_power, trace->max_power_w);
		accumulate(&min_power, trace->min_power_w);
		accumulate(&cpu_temp, trace->avg_cpu_temp_c);
		accumulate(&system_temp, trace->avg_system_temp_c);
		accumulate(&cpu_time, trace->cpu_time_s);
	}
	if (energy.n > 0) {
		out->total_energy_j = some(energy.sum);
		out->avg_energy_j = mean_of(&energy);
		out->max_energy_j = some(energy.max);
		out->min_energy_j = some(energy.min);
		out->energy_std_dev_j = sample_std_dev(set, source, out->energy_row, out->avg_energy_j.value,
		                                       energy.n);
	}
	out->avg_power_w = mean_of(&avg_power);
	if (max_power.n > 0)
		out->max_power_recorded_w = some(max_power.max);
	if (min_power.n > 0)
		out->min_power_recorded_w = some(min_power.min);
	out->avg_cpu_temp_c = mean_of(&cpu_temp);
	out->avg_system_temp_c = mean_of(&system_temp);
	if (cpu_time.n > 0)
		out->total_cpu_time_s = some(cpu_time.sum);
	out->avg_cpu_time_s = mean_of(&cpu_time);
	if (duration.n > 0)
		out->total_duration_s = some(duration.sum);
	out->avg_duration_s = mean_of(&duration);
	mark_overflows(out);
	return metric_summaries_compute(set, source, &out->metrics);
}

void source_summary_release(struct source_summary *summary)
{
	metric_summaries_release(&summary->metrics);
}

/* The summary's values in the seed's order; "%s" in a key is the source's
 * energy label ("system", "pkg"). Fields without a reason are optional in
 * the file format and left out when absent. */
static const struct summary_field {
	const char *key;
	size_t offset;
	const char *unit;
	const char *why_absent;
	bool energy; /* of the headline energy: left out for a source without one */
} summary_fields[] = {
#define FIELD(key, member, unit, why) {key, offsetof(struct source_summary, member), unit, why, false}
#define ENERGY(key, member, why) {key, offsetof(struct source_summary, member), "J", why, true}
	ENERGY("total_%s_energy", total_energy_j, "no trace with a measured energy"),
	ENERGY("avg_%s_energy", avg_energy_j, "no trace with a measured energy"),
	ENERGY("max_%s_energy", max_energy_j, "no trace with a measured energy"),
	ENERGY("min_%s_energy", min_energy_j, "no trace with a measured energy"),
	ENERGY("energy_std_dev", energy_std_dev_j, "needs two traces with a measured energy"),
	FIELD("avg_power", avg_power_w, "W", "no power values"),
	FIELD("max_power_recorded", max_power_recorded_w, "W", "no power values"),
	FIELD("min_power_recorded", min_power_recorded_w, "W", "no power values"),
	FIELD("avg_cpu_temp", avg_cpu_temp_c, "degC", NULL),
	FIELD("avg_system_temp", avg_system_temp_c, "degC", NULL),
	/* ebpf measures CPU time rather than energy: its own quantity. */
	FIELD("total_cpu_time", total_cpu_time_s, "s", NULL),
	FIELD("avg_cpu_time", avg_cpu_time_s, "s", NULL),
	FIELD("total_duration", total_duration_s, "s", "no durations"),
	FIELD("avg_duration", avg_duration_s, "s", "no durations"),
#undef FIELD
#undef ENERGY
};

static bool field_shown(const struct source_summary *s, const struct summary_field *field)
{
	return s->energy_row != NULL || !field->energy;
}

static struct maybe_double field_value(const struct source_summary *s,
                                       const struct summary_field *field)
{
	return *(const struct maybe_double *)((const char *)s + field->offset);
}

/* Sums of values near the largest double overflow to inf, which is not a
 * number JSON can hold: such a value is absent, and said to be. */
static void mark_overflows(struct source_summary *s)
{
	for (size_t i = 0; i < sizeof summary_fields / sizeof summary_fields[0]; i++) {
		struct maybe_double *value = (struct maybe_double *)((char *)s + summary_fields[i].offset);
		if (value->present && !isfinite(value->value)) {
			value->present = false;
			s->overflowed |= 1u << i;
		}
	}
}

static void field_key(const struct source_summary *s, const struct summary_field *field,
                      char *key, size_t size)
{
	if (strstr(field->key, "%s") != NULL)
		snprintf(key, size, field->key, s->energy_row ? s->energy_row->key : "");
	else
		snprintf(key, size, "%s", field->key);
}

#define OVERFLOW_REASON "the sum exceeds the range of a double"

void source_summary_warn(const struct source_summary *s, FILE *warnings)
{
	for (size_t i = 0; i < sizeof summary_fields / sizeof summary_fields[0]; i++) {
		char key[64];
		field_key(s, &summary_fields[i], key, sizeof key);
		if (s->overflowed & (1u << i))
			fprintf(warnings, "report: warning: %s: %s: " OVERFLOW_REASON " (the files hold values too "
			        "large to add); reported as null\n", s->source, key);
	}
}

void source_summary_print(const struct source_summary *s, FILE *out)
{
	fprintf(out, "%s (", s->source);
	if (s->source_id != NULL && strcmp(s->source_id, s->source) != 0)
		fprintf(out, "source %s; ", s->source_id);
	if (s->energy_row != NULL)
		fprintf(out, "energy from energy_consumption.%s)\n", s->energy_row->lithops_key);
	else
		fprintf(out, "no energy key of energymon's own%s)\n",
		        s->metrics.count ? "; its declared metrics follow" : "");
	fprintf(out, "  total_traces: %zu\n", s->total_traces);
	fprintf(out, "  traces_without_energy: %zu\n", s->traces_without_energy);
	for (size_t i = 0; i < sizeof summary_fields / sizeof summary_fields[0]; i++) {
		const struct summary_field *field = &summary_fields[i];
		struct maybe_double value = field_value(s, field);
		char key[64];
		field_key(s, field, key, sizeof key);
		if (!field_shown(s, field))
			continue;
		bool total = field->offset == offsetof(struct source_summary, total_energy_j);
		if (value.present) {
			fprintf(out, "  %s: %.6f %s", key, value.value, field->unit);
			if (total) /* beside the figure, so neither is read without the other */
				source_bounds_print_total(&s->bounds, out);
			fputc('\n', out);
		} else if (s->overflowed & (1u << i))
			fprintf(out, "  %s: n/a (" OVERFLOW_REASON ")\n", key);
		else if (field->why_absent != NULL)
			fprintf(out, "  %s: n/a (%s)\n", key, field->why_absent);
		if (total)
			source_bounds_print_dynamic(&s->bounds, s->energy_row->key, out);
	}
	metric_summaries_print(&s->metrics, out);
}

json_t *source_summary_json(const struct source_summary *s)
{
	json_t *object = json_pack("{s:s?,s:s?,s:I,s:I}", "energy_key",
	                           s->energy_row ? s->energy_row->lithops_key : NULL, "source", s->source_id,
	                           "total_traces", (json_int_t)s->total_traces,
	                           "traces_without_energy", (json_int_t)s->traces_without_energy);
	json_t *units = json_object();
	if (object == NULL || units == NULL) {
		json_decref(object);
		json_decref(units);
		return NULL;
	}
	for (size_t i = 0; i < sizeof summary_fields / sizeof summary_fields[0]; i++) {
		const struct summary_field *field = &summary_fields[i];
		struct maybe_double value = field_value(s, field);
		char key[64];
		field_key(s, field, key, sizeof key);
		if (!field_shown(s, field) ||
		    (!value.present && field->why_absent == NULL && !(s->overflowed & (1u << i))))
			continue;
		json_object_set_new(object, key, value.present ? json_real(value.value) : json_null());
		json_object_set_new(units, key, json_string(field->unit));
	}
	if (s->energy_row != NULL)
		source_bounds_json(&s->bounds, s->energy_row->key, object, units);
	json_object_set_new(object, "units", units);
	json_object_set_new(object, "metrics", metric_summaries_json(&s->metrics));
	return object;
}
