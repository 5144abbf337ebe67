/* source_summary.c — per-source statistics over a trace set. */
#include "source_summary.h"

#include <math.h>
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
}

static void print_value(FILE *out, const char *key, struct maybe_double value, const char *unit,
                        const char *why_absent)
{
	if (value.present)
		fprintf(out, "  %s: %.6f %s\n", key, value.value, unit);
	else if (why_absent != NULL)
		fprintf(out, "  %s: n/a (%s)\n", key, why_absent);
}

void source_summary_print(const struct source_summary *s, FILE *out)
{
	const char *label = energy_trace_energy_label(s->source);
	char key[64];
	fprintf(out, "%s (energy from energy_consumption.%s)\n", s->source,
	        energy_trace_energy_key(s->source));
	fprintf(out, "  total_traces: %zu\n", s->total_traces);
	fprintf(out, "  traces_without_energy: %zu\n", s->traces_without_energy);
	const char *no_energy = "no trace with a measured energy";
	snprintf(key, sizeof key, "total_%s_energy", label);
	print_value(out, key, s->total_energy_j, "J", no_energy);
	snprintf(key, sizeof key, "avg_%s_energy", label);
	print_value(out, key, s->avg_energy_j, "J", no_energy);
	snprintf(key, sizeof key, "max_%s_energy", label);
	print_value(out, key, s->max_energy_j, "J", no_energy);
	snprintf(key, sizeof key, "min_%s_energy", label);
	print_value(out, key, s->min_energy_j, "J", no_energy);
	print_value(out, "energy_std_dev", s->energy_std_dev_j, "J",
	            "needs two traces with a measured energy");
	const char *no_power = "no power values";
	print_value(out, "avg_power", s->avg_power_w, "W", no_power);
	print_value(out, "max_power_recorded", s->max_power_recorded_w, "W", no_power);
	print_value(out, "min_power_recorded", s->min_power_recorded_w, "W", no_power);
	/* Temperatures are optional in the format: shown only when present. */
	print_value(out, "avg_cpu_temp", s->avg_cpu_temp_c, "degC", NULL);
	print_value(out, "avg_system_temp", s->avg_system_temp_c, "degC", NULL);
	/* ebpf measures CPU time rather than energy: its own quantity. */
	print_value(out, "total_cpu_time", s->total_cpu_time_s, "s", NULL);
	print_value(out, "avg_cpu_time", s->avg_cpu_time_s, "s", NULL);
	print_value(out, "total_duration", s->total_duration_s, "s", "no durations");
	print_value(out, "avg_duration", s->avg_duration_s, "s", "no durations");
}
