/*
 * The short human summary printed to stderr after a run, in the spirit of
 * `perf stat`: per source what it measured with units, how many samples and
 * how evenly, and for a source that could not measure, why.
 */
#include "cli.h"

#include <math.h>
#include <string.h>

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void print_energy_line(FILE *out, const json_t *energy, const json_t *units)
{
	static const char *const order[] = {"system", "avg_power", "min_power", "max_power", "psys", "pkg", "cores",
	                                    "uncore", "dram", "cpu_time", "machine_busy_time", "cpu_share", NULL};
	for (size_t i = 0; order[i]; i++) {
		double v = num(energy, order[i]);
		if (isnan(v))
			continue;
		const char *unit = json_string_value(json_object_get(units, order[i]));
		if (unit && !strcmp(unit, "ratio"))
			fprintf(out, "  %s %.1f%%", order[i], 100 * v);
		else
			fprintf(out, "  %s %.3f %s", order[i], v, unit ? unit : "");
	}
	fputc('\n', out);
}

/* The gaps of the first energy-bearing series that has any, in seconds
 * since the source started. */
static void print_gaps(FILE *out, const json_t *res)
{
	double t0 = num(res, "timestamp");
	size_t i, j;
	json_t *s, *g;
	json_array_foreach(json_object_get(res, "series"), i, s) {
		const json_t *gaps = json_object_get(s, "gaps");
		if (!json_object_get(s, "covered_s") || !json_array_size(gaps))
			continue;
		fputs(" (gaps:", out);
		json_array_foreach(gaps, j, g) fprintf(out, "%s %.1f-%.1f s", j ? "," : "", num(g, "from") - t0,
		                                       num(g, "to") - t0);
		json_int_t count = json_integer_value(json_object_get(s, "gap_count"));
		if (count > (json_int_t)json_array_size(gaps))
			fprintf(out, " and %lld more", (long long)(count - (json_int_t)json_array_size(gaps)));
		fputc(')', out);
		return;
	}
}

/* A source that measured with holes says how much of the run it covers:
 * of the run's duration, not the source's own (an abandoned source's ends
 * at its last sample that returned). */
static void print_coverage(FILE *out, const json_t *res, double run_s)
{
	if (json_is_true(json_object_get(res, "complete")) || !json_is_number(json_object_get(res, "covered_s")))
		return;
	fprintf(out, "         covered %.1f s of %.1f s", num(res, "covered_s"),
	        isnan(run_s) ? num(res, "duration") : run_s);
	print_gaps(out, res);
	fputc('\n', out);
}

/* The other reasons a source is incomplete, which gaps do not show. */
static void print_incomplete_reasons(FILE *out, const json_t *res)
{
	const json_t *dropped = json_object_get(res, "dropped_readings");
	if (dropped)
		fprintf(out, "         dropped %lld readings of series beyond energy_max_series (%lld)\n",
		        (long long)json_integer_value(json_object_get(dropped, "count")),
		        (long long)json_integer_value(json_object_get(dropped, "series_limit")));
	const json_t *ab = json_object_get(res, "abandoned");
	if (ab) /* the reason names the call */
		fprintf(out, "         abandoned: %s\n", json_string_value(json_object_get(ab, "reason")));
}

static void print_source(FILE *out, const char *name, const json_t *res, double run_s)
{
	const json_t *sampling = json_object_get(res, "sampling");
	if (!json_is_true(json_object_get(res, "available")) || json_is_true(json_object_get(res, "placeholder"))) {
		fprintf(out, "  %-6s no measurement: %s\n", name, json_string_value(json_object_get(res, "reason")));
	} else {
		fprintf(out, "  %-6s", name);
		print_energy_line(out, json_object_get(res, "energy"), json_object_get(res, "units"));
		print_coverage(out, res, run_s);
	}
	print_incomplete_reasons(out, res);
	if (sampling)
		fprintf(out, "         %lld samples (%lld failed, %lld deadlines missed), interval %.3f s asked, "
		        "%.3f s used, median %.4f s, p95 %.4f s\n",
		        (long long)json_integer_value(json_object_get(sampling, "samples")),
		        (long long)json_integer_value(json_object_get(sampling, "failed_samples")),
		        (long long)json_integer_value(json_object_get(sampling, "missed_deadlines")),
		        num(sampling, "interval_requested_s"), num(sampling, "interval_used_s"),
		        num(sampling, "interval_median_s"), num(sampling, "interval_p95_s"));
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(res, "notes"), key, v) {
		if (json_is_string(v))
			fprintf(out, "         %s: %s\n", key, json_string_value(v));
	}
	/* an abandoned source's last failure is its abandonment, said above */
	const json_t *last = json_object_get(sampling, "last_failure");
	const json_t *abandon_reason = json_object_get(json_object_get(res, "abandoned"), "reason");
	if (last && !json_equal((json_t *)last, (json_t *)abandon_reason))
		fprintf(out, "         last failure: %s\n", json_string_value(last));
}

/* Plugins log into the result; what needs the user's attention (a password
 * file others can read, a counter that may be wrong) is said on stderr too. */
static void print_plugin_warnings(FILE *out, const json_t *result)
{
	const char *name;
	json_t *res, *line;
	size_t i;
	json_object_foreach(json_object_get(result, "monitors"), name, res) {
		json_array_foreach(json_object_get(res, "log"), i, line) {
			const char *level = json_string_value(json_object_get(line, "level"));
			const char *message = json_string_value(json_object_get(line, "message"));
			if (level && message && (!strcmp(level, "warning") || !strcmp(level, "error")))
				fprintf(out, "energymon: warning: %s: %s\n", name, message);
		}
	}
}

void cli_print_summary(FILE *out, const json_t *result, const char *what, int status)
{
	fprintf(out, "\n energymon: %s: %.3f s", what, num(result, "duration"));
	if (status >= 0)
		fprintf(out, ", exit status %d", status);
	fputs("\n", out);
	const char *name;
	json_t *res;
	json_object_foreach(json_object_get(result, "monitors"), name, res)
		print_source(out, name, res, num(result, "duration"));
	const json_t *att = json_object_get(result, "attribution");
	const json_t *energy = json_object_get(result, "energy");
	if (json_is_number(json_object_get(att, "cpu_share"))) {
		fprintf(out, "  attributed to the command (%.1f%% of busy CPU time):", 100 * num(att, "cpu_share"));
		if (!isnan(num(energy, "attributed_system")))
			fprintf(out, " system %.3f J", num(energy, "attributed_system"));
		if (!isnan(num(energy, "attributed_pkg")))
			fprintf(out, " pkg %.3f J", num(energy, "attributed_pkg"));
		fputc('\n', out);
	}
	const json_t *cost = json_object_get(result, "monitor_cost");
	fprintf(out, "  monitor cost: %.2f ms CPU (%.3f%% of the run), peak RSS %.1f MiB\n\n",
	        1e3 * num(cost, "cpu_time_s"), 100 * num(cost, "cpu_fraction"), num(cost, "peak_rss_kib") / 1024);
	print_plugin_warnings(out, result);
}
