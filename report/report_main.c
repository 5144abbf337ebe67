/* report_main.c — argument handling and the order of the report's steps. */
#include "report.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "csv_export.h"
#include "power_plot.h"
#include "source_summary.h"
#include "summary_log.h"
#include "trace_set.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct report_options {
	const char *dir;
	const char *only_source;
	const char *metrics_csv, *power_csv, *sensors_csv, *declared_csv, *plot;
	bool json; /* the summary as one JSON document on stdout */
};

static const char usage_text[] =
	"usage: energymon report [options] DIR\n"
	"Summarises the per-call energy files ({job_key}_{call_id}_{source}.json) in DIR.\n"
	"  --source NAME        only files of source NAME (ipmi, perf, gpuhwmon:a, gpuhwmon-a ...)\n"
	"  --metrics-csv FILE   write one row per call (energy J, power W, time s)\n"
	"  --power-csv FILE     write every power reading (timestamp s, power W)\n"
	"  --sensors-csv FILE   write temperature, voltage, current and fan readings\n"
	"  --declared-csv FILE  write the metrics plugins declared, one row per call and metric\n"
	"  --plot FILE          draw power over time per call into FILE (.svg or .png)\n"
	"  --json               print the summary as JSON (numbers in the units it names)\n"
	"  -h, --help           show this help\n";

/* A plugin name ("ipmi"), a source id ("gpuhwmon:a") or a file tag
 * ("gpuhwmon-a"); what else could name files is refused as a typo. */
static bool is_source_name(const char *name)
{
	if (name[0] == '\0' || strlen(name) > 128)
		return false;
	for (const char *c = name; *c != '\0'; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == ':'))
			return false;
	return true;
}

/* Option values follow as the next argument or after '='. Parsed by hand
 * because getopt keeps its position in process-wide variables. */
static int parse(int argc, char **argv, struct report_options *opts, FILE *err)
{
	static const struct { const char *name; size_t offset; } valued[] = {
		{"--source", offsetof(struct report_options, only_source)},
		{"--metrics-csv", offsetof(struct report_options, metrics_csv)},
		{"--power-csv", offsetof(struct report_options, power_csv)},
		{"--sensors-csv", offsetof(struct report_options, sensors_csv)},
		{"--declared-csv", offsetof(struct report_options, declared_csv)},
		{"--plot", offsetof(struct report_options, plot)},
	};
	memset(opts, 0, sizeof *opts);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return 1;
		if (strcmp(arg, "--json") == 0) {
			opts->json = true;
			continue;
		}
		size_t k = 0, n = sizeof valued / sizeof valued[0];
		for (; k < n; k++) {
			size_t len = strlen(valued[k].name);
			if (strncmp(arg, valued[k].name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
				continue;
			const char *value = arg[len] == '=' ? arg + len + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (value == NULL || value[0] == '\0') {
				fprintf(err, "report: %s needs a value\n%s", valued[k].name, usage_text);
				return -1;
			}
			*(const char **)((char *)opts + valued[k].offset) = value;
			break;
		}
		if (k < n)
			continue;
		if (arg[0] == '-' && arg[1] != '\0') {
			fprintf(err, "report: unknown option %s\n%s", arg, usage_text);
			return -1;
		}
		if (opts->dir != NULL) {
			fprintf(err, "report: one directory only (got %s and %s)\n%s", opts->dir, arg,
			        usage_text);
			return -1;
		}
		opts->dir = arg;
	}
	if (opts->dir == NULL) {
		fprintf(err, "report: which directory? (energymon writes energy_data/)\n%s",
		        usage_text);
		return -1;
	}
	if (opts->only_source != NULL && !is_source_name(opts->only_source)) {
		fprintf(err, "report: --source %s: expected a source as energymon names it: a plugin name, "
		        "optionally with :instance or -instance (letters, digits, '_', '-', ':')\n",
		        opts->only_source);
		return -1;
	}
	if (opts->plot != NULL && power_plot_device_for(opts->plot) == NULL) {
		fprintf(err, "report: --plot %s: name it .svg or .png\n", opts->plot);
		return -1;
	}
	return 0;
}

static void print_header(const struct report_options *opts, const struct trace_set *set,
                         FILE *out)
{
	fprintf(out, "Energy summary of %s: %zu per-call file(s)", opts->dir, set->count);
	if (set->skipped_derived > 0)
		fprintf(out, "; %zu summary/composite file(s) not counted again",
		        set->skipped_derived);
	if (set->skipped_unknown > 0)
		fprintf(out, "; %zu file(s) ignored", set->skipped_unknown);
	fputs("\n", out);
}

/* Text blocks, or one JSON document: the same numbers either way. */
static int print_summaries(const struct report_options *opts, const struct trace_set *set,
                           FILE *out, FILE *err)
{
	json_t *by_source = json_object();
	json_t *document = json_pack("{s:s,s:I,s:I,s:I,s:O}", "directory", opts->dir,
	                             "per_call_files", (json_int_t)set->count,
	                             "derived_files_skipped", (json_int_t)set->skipped_derived,
	                             "files_ignored", (json_int_t)set->skipped_unknown,
	                             "sources", by_source);
	if (document == NULL) {
		json_decref(by_source);
		fprintf(err, "report: out of memory\n");
		return -1;
	}
	const char **sources = NULL;
	size_t n_sources = 0;
	if (trace_set_sources(set, &sources, &n_sources) != 0) {
		json_decref(by_source);
		json_decref(document);
		fprintf(err, "report: out of memory\n");
		return -1;
	}
	if (!opts->json)
		print_header(opts, set, out);
	for (size_t i = 0; i < n_sources; i++) {
		struct source_summary summary;
		if (source_summary_compute(set, sources[i], &summary) != 0) {
			fprintf(err, "report: out of memory summarising %s\n", sources[i]);
			source_summary_release(&summary);
			continue;
		}
		struct summary_log_check log;
		bool has_log = summary_log_check(opts->dir, sources[i], set, err, &log) == 0 &&
		               log.lines + log.bad_lines > 0;
		source_summary_warn(&summary, err);
		if (opts->json) {
			json_t *object = source_summary_json(&summary);
			if (object != NULL && has_log)
				json_object_set_new(object, "summary_log",
				                    json_pack("{s:I,s:I,s:I}", "calls", (json_int_t)log.lines,
				                              "without_file", (json_int_t)log.missing_files,
				                              "unreadable_lines", (json_int_t)log.bad_lines));
			json_object_set_new(by_source, sources[i], object);
			source_summary_release(&summary);
			continue;
		}
		fputs("\n", out);
		source_summary_print(&summary, out);
		if (has_log)
			fprintf(out, "  summary_log: %zu call(s) in %s_summary.jsonl, %zu without a "
			        "per-call file, %zu unreadable line(s)\n", log.lines, sources[i],
			        log.missing_files, log.bad_lines);
		source_summary_release(&summary);
	}
	free(sources);
	if (opts->json) {
		json_dumpf(document, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
		fputs("\n", out);
	}
	json_decref(by_source);
	json_decref(document);
	return 0;
}

static int write_outputs(const struct report_options *opts, const struct trace_set *set,
                         FILE *out, FILE *err)
{
	const struct {
		const char *path;
		int (*export)(const struct trace_set *, FILE *);
		const char *what;
	} tables[] = {
		{opts->metrics_csv, csv_export_metrics, "metrics"},
		{opts->power_csv, csv_export_power, "power readings"},
		{opts->sensors_csv, csv_export_sensors, "sensor readings"},
		{opts->declared_csv, csv_export_declared, "declared metrics"},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (tables[i].path == NULL)
			continue;
		if (csv_export_to_file(tables[i].path, tables[i].export, set, err) != 0)
			failed = 1;
		else
			fprintf(out, "Wrote %s to %s\n", tables[i].what, tables[i].path);
	}
	if (opts->plot != NULL) {
		if (power_plot_write(set, opts->plot, err) != 0)
			failed = 1;
		else
			fprintf(out, "Wrote power plot to %s\n", opts->plot);
	}
	return failed;
}

int report_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct report_options opts;
	int parsed = parse(argc, argv, &opts, err);
	if (parsed != 0) {
		if (parsed > 0)
			fputs(usage_text, out);
		return parsed > 0 ? EXIT_OK : EXIT_USAGE;
	}
	struct trace_set set;
	if (trace_set_load(opts.dir, opts.only_source, err, &set) != 0)
		return EXIT_FAILED;
	if (set.count == 0) {
		fprintf(err, "report: no per-call energy files%s%s in %s\n",
		        opts.only_source ? " of source " : "", opts.only_source ? opts.only_source : "",
		        opts.dir);
		/* a reader of --json gets a document even then: no sources */
		if (opts.json)
			print_summaries(&opts, &set, out, err);
		trace_set_release(&set);
		return EXIT_FAILED;
	}
	if (print_summaries(&opts, &set, out, err) != 0) {
		trace_set_release(&set);
		return EXIT_FAILED;
	}
	fflush(out);
	/* With --json, stdout holds only the document. */
	int failed = write_outputs(&opts, &set, opts.json ? err : out, err);
	trace_set_release(&set);
	return failed ? EXIT_FAILED : EXIT_OK;
}

int report_main(int argc, char **argv)
{
	return report_run(argc, argv, stdout, stderr);
}
