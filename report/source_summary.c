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

static bool has_energy(const struct energy_trace *trace)
{
	return !trace->placeholder && trace->energy_j.present;
}

/* Two passes (mean first) keep the deviation exact for equal values,
 * which a single-pass sum-of-squares formula does not. */
static struct maybe_double sample_std_dev(const struct trace_set *set, const char *source,
                                          double mean, size_t n)
{
	if (n < 2)
		return (struct maybe_double){false, 0};
	double squares = 0.0;
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *trace = &set->traces[i];
		if (strcmp(trace->source, source) == 0 && has_energy(trace))
			squares += (trace->energy_j.value - mean) * (trace->energy_j.value - mean);
	}
	return some(sqrt(squares / (double)(n - 1)));
}

static void mark_overflows(struct source_summary *s);

void source_summary_compute(const struct trace_set *set, const char *source,
                            struct source_summary *out)
{
	memset(out, 0, sizeof *out);
	out->source = source;
	struct accumulator energy = {0}, avg_power = {0}, max_power = {0}, min_power = {0};
	struct accumulator cpu_temp = {0}, system_temp = {0}, duration = {0}, cpu_time = {0};
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *trace = &set->traces[i];
		if (strcmp(trace->source, source) != 0)
			continue;
		out->total_traces++;
		/* Wall time is real even when the energy is not. */
		accumulate(&duration, trace->duration_s);
		if (!has_energy(trace))
			out->traces_without_energy++;
		if (trace->placeholder)
			continue;
		accumulate(&energy, trace->energy_j);
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
		out->energy_std_dev_j = sample_std_dev(set, source, out->avg_energy_j.value, energy.n);
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
}

/* The summary's values in the seed's order; "%s" in a key is the source's
 * energy label ("system", "pkg"). Fields without a reason are optional in
 * the file format and left out when absent. */
static const struct summary_field {
	const char *key;
	size_t offset;
	const char *unit;
	const char *why_absent;
} summary_fields[] = {
#define FIELD(key, member, unit, why) {key, offsetof(struct source_summary, member), unit, why}
	FIELD("total_%s_energy", total_energy_j, "J", "no trace with a measured energy"),
	FIELD("avg_%s_energy", avg_energy_j, "J", "no trace with a measured energy"),
	FIELD("max_%s_energy", max_energy_j, "J", "no trace with a measured energy"),
	FIELD("min_%s_energy", min_energy_j, "J", "no trace with a measured energy"),
	FIELD("energy_std_dev", energy_std_dev_j, "J", "needs two traces with a measured energy"),
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
};

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
		snprintf(key, size, field->key, energy_trace_energy_label(s->source));
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
	fprintf(out, "%s (energy from energy_consumption.%s)\n", s->source,
	        energy_trace_energy_key(s->source));
	fprintf(out, "  total_traces: %zu\n", s->total_traces);
	fprintf(out, "  traces_without_energy: %zu\n", s->traces_without_energy);
	for (size_t i = 0; i < sizeof summary_fields / sizeof summary_fields[0]; i++) {
		const struct summary_field *field = &summary_fields[i];
		struct maybe_double value = field_value(s, field);
		char key[64];
		field_key(s, field, key, sizeof key);
		if (value.present)
			fprintf(out, "  %s: %.6f %s\n", key, value.value, field->unit);
		else if (s->overflowed & (1u << i))
			fprintf(out, "  %s: n/a (" OVERFLOW_REASON ")\n", key);
		else if (field->why_absent != NULL)
			fprintf(out, "  %s: n/a (%s)\n", key, field->why_absent);
	}
}

json_t *source_summary_json(const struct source_summary *s)
{
	json_t *object = json_pack("{s:s,s:I,s:I}", "energy_key", energy_trace_energy_key(s->source),
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
		if (!value.present && field->why_absent == NULL && !(s->overflowed & (1u << i)))
			continue;
		json_object_set_new(object, key, value.present ? json_real(value.value) : json_null());
		json_object_set_new(units, key, json_string(field->unit));
	}
	json_object_set_new(object, "units", units);
	return object;
}
