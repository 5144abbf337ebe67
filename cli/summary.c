/*
 * The short human summary printed to stderr after a run, in the spirit of
 * `perf stat`: per source what it measured with units (energymon's keys
 * and every metric the plugin declared), how many samples and how evenly,
 * and for a source that could not measure, why. Read from the library's
 * typed result (energymon.h), not from its JSON.
 */
#include "cli.h"
#include "../core/result_keys.h" /* EM_ATTRIBUTED_PREFIX */

#include <math.h>
#include <string.h>
#include <sys/resource.h>

#define INDENT "         "

static void print_value(FILE *out, const struct em_result_metric *m)
{
	if (!strcmp(m->unit, "ratio"))
		fprintf(out, "  %s %.1f%%", m->key, 100 * m->value);
	else
		fprintf(out, "  %s %.3f %s", m->key, m->value, m->unit);
}

/* The bound of every energy, and what the baseline makes of it. */
static void print_bounds(FILE *out, const struct em_monitor *mon, size_t source)
{
	struct em_result_metric m = {.struct_size = sizeof(m)};
	for (size_t i = 0; em_result_metric(mon, source, i, &m) == 0; i++) {
		if (!m.bound_method || isnan(m.energy_j))
			continue;
		fprintf(out, INDENT "%s %s%.3f J, 95 %% bound [%.3f, %.3f] J\n", m.key, strcmp(m.unit, "J") ? "energy " : "",
		        m.energy_j, m.energy_low_j, m.energy_high_j);
		if (!isnan(m.dynamic_j))
			fprintf(out, INDENT "%s dynamic %.3f J [%.3f, %.3f] over idle %.2f W [%.2f, %.2f]\n", m.key,
			        m.dynamic_j, m.dynamic_low_j, m.dynamic_high_j, m.idle_w, m.idle_low_w, m.idle_high_w);
	}
}

/* One line of values, then a line for each metric that has none. */
static void print_metrics(FILE *out, const struct em_monitor *mon, size_t source)
{
	struct em_result_metric m = {.struct_size = sizeof(m)};
	for (size_t i = 0; em_result_metric(mon, source, i, &m) == 0; i++)
		if (!isnan(m.value))
			print_value(out, &m);
	fputc('\n', out);
	for (size_t i = 0; em_result_metric(mon, source, i, &m) == 0; i++)
		if (isnan(m.value))
			fprintf(out, INDENT "%s: no value: %s\n", m.key, m.reason ? m.reason : "unknown");
}

/* The gaps of the first energy series that has any, in seconds since the
 * source started. */
static void print_gaps(FILE *out, const struct em_monitor *mon, size_t source, const struct em_result_source *s)
{
	double from, to;
	size_t listed = 0;
	for (; em_result_gap(mon, source, listed, &from, &to) == 0; listed++)
		fprintf(out, "%s %.1f-%.1f s", listed ? "," : " (gaps:", from - s->timestamp, to - s->timestamp);
	if (!listed)
		return;
	if (s->gap_count > listed)
		fprintf(out, " and %llu more", (unsigned long long)(s->gap_count - listed));
	fputc(')', out);
}

/* A source that measured with holes says how much of the run it covers:
 * of the run's duration, not the source's own (an abandoned source's ends
 * at its last sample that returned). */
static void print_coverage(FILE *out, const struct em_monitor *mon, size_t source,
                           const struct em_result_source *s, double run_s)
{
	if (s->complete || isnan(s->covered_s))
		return;
	fprintf(out, INDENT "covered %.1f s of %.1f s", s->covered_s, isnan(run_s) ? s->duration_s : run_s);
	print_gaps(out, mon, source, s);
	fputc('\n', out);
}

static void print_source(FILE *out, const struct em_monitor *mon, size_t source, double run_s)
{
	struct em_result_source s = {.struct_size = sizeof(s)};
	if (em_result_source(mon, source, &s) != 0)
		return;
	if (!s.available || !s.measured) {
		fprintf(out, "  %-6s no measurement: %s\n", s.id, s.reason ? s.reason : "unknown");
	} else {
		fprintf(out, "  %-6s", s.id);
		print_metrics(out, mon, source);
		print_bounds(out, mon, source);
		print_coverage(out, mon, source, &s, run_s);
	}
	/* the other reasons a source is incomplete, which gaps do not show */
	if (s.dropped_readings)
		fprintf(out, INDENT "dropped %llu readings of series beyond energy_max_series (%zu)\n",
		        (unsigned long long)s.dropped_readings, s.series_limit);
	if (s.abandoned) /* the reason names the call */
		fprintf(out, INDENT "abandoned: %s\n", s.abandoned);
	if (s.started)
		fprintf(out, INDENT "%llu samples (%llu failed, %llu deadlines missed), interval %.3f s asked, "
		        "%.3f s used, median %.4f s, p95 %.4f s\n",
		        (unsigned long long)s.samples, (unsigned long long)s.failed_samples,
		        (unsigned long long)s.missed_deadlines, s.interval_requested_s, s.interval_used_s,
		        s.interval_median_s, s.interval_p95_s);
	const char *key, *text;
	for (size_t i = 0; em_result_note(mon, source, i, &key, &text) == 0; i++)
		fprintf(out, INDENT "%s: %s\n", key, text);
	/* an abandoned source's last failure is its abandonment, said above */
	if (s.last_failure && !(s.abandoned && !strcmp(s.last_failure, s.abandoned)))
		fprintf(out, INDENT "last failure: %s\n", s.last_failure);
}

/* Plugins log into the result; what needs the user's attention (a password
 * file others can read, a counter that may be wrong) is said on stderr too. */
static void print_plugin_warnings(FILE *out, const struct em_monitor *mon)
{
	struct em_result_source s = {.struct_size = sizeof(s)};
	for (size_t i = 0; em_result_source(mon, i, &s) == 0; i++) {
		const char *level, *message;
		for (size_t j = 0; em_result_log(mon, i, j, &level, &message) == 0; j++)
			if (!strcmp(level, "warning") || !strcmp(level, "error"))
				fprintf(out, "energymon: warning: %s: %s\n", s.id, message);
	}
}

static void print_attribution(FILE *out, const struct em_monitor *mon, const struct em_result_run *run)
{
	if (isnan(run->cpu_share))
		return;
	fprintf(out, "  attributed to the command (%.1f%% of busy CPU time):", 100 * run->cpu_share);
	struct em_result_metric m = {.struct_size = sizeof(m)};
	size_t prefix = strlen(EM_ATTRIBUTED_PREFIX);
	for (size_t i = 0; em_result_metric(mon, EM_RESULT_MERGED, i, &m) == 0; i++)
		if (!strncmp(m.key, EM_ATTRIBUTED_PREFIX, prefix) && !isnan(m.value))
			fprintf(out, " %s %.3f %s", m.key + prefix, m.value, m.unit);
	fputc('\n', out);
}

void cli_print_summary(FILE *out, const struct em_monitor *mon, const char *what, int status)
{
	struct em_result_run run = {.struct_size = sizeof(run)};
	if (em_result_run(mon, &run) != 0)
		return;
	fprintf(out, "\n energymon: %s: %.3f s", what, run.duration_s);
	if (status >= 0)
		fprintf(out, ", exit status %d", status);
	fputs("\n", out);
	if (run.agent_socket)
		fprintf(out, "  measured by energymond at %s\n", run.agent_socket);
	struct em_result_source s = {.struct_size = sizeof(s)};
	for (size_t i = 0; em_result_source(mon, i, &s) == 0; i++)
		print_source(out, mon, i, run.duration_s);
	print_attribution(out, mon, &run);
	/* taken now, so that it includes writing the files */
	struct rusage ru;
	double peak_mib = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024 : NAN;
	fprintf(out, "  monitor cost: %.2f ms CPU (%.3f%% of the run), peak RSS %.1f MiB\n\n", 1e3 * run.monitor_cpu_s,
	        run.duration_s > 0 ? 100 * run.monitor_cpu_s / run.duration_s : NAN, peak_mib);
	print_plugin_warnings(out, mon);
}
