/* test_bounds.c — the 95 % bounds, dynamic energy and idle power the
 * report reads from energymon's files: summary lines (with the sum rule
 * worked out by hand), metrics CSV cells, and files without them. */
#include <CUnit/Basic.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixture.h"
#include "../support/cunit_run.h"

/* Call 0 as energymon writes it: a lopsided bound in the energymon section
 * ([96, 106] around 100 J, so centre 101, half-width 5), dynamic 40 J in
 * [32, 50] (centre 41, half-width 9), idle 30 W. */
static const char call_0[] =
	"{\"energy_consumption\": {\"job_key\": \"bnd\", \"call_id\": \"0\", \"source\": \"ipmi\", "
	"\"duration\": 2.0, \"energy_system\": 100.0, \"energy_system_uncertainty_j\": 6.0, "
	"\"energy_system_dynamic\": 40.0, \"energy_system_dynamic_uncertainty_j\": 10.0, "
	"\"idle_power_system_w\": 30.0},"
	" \"energymon\": {\"uncertainty\": {\"system\": {\"value\": 100.0, \"low\": 96.0, \"high\": 106.0, "
	"\"half_width\": 6.0, \"unit\": \"J\", \"method\": \"95 %\"}},"
	" \"baseline\": {\"idle_power_w\": {\"system\": {\"value\": 30.0, \"low\": 29.0, \"high\": 31.0}},"
	" \"dynamic_j\": {\"system\": {\"value\": 40.0, \"low\": 32.0, \"high\": 50.0, \"half_width\": 10.0}}}}}";
/* Call 1 with only energy_consumption's keys: 200 +- 8 J, dynamic 120 +- 5,
 * idle 40 W. */
static const char call_1[] =
	"{\"energy_consumption\": {\"job_key\": \"bnd\", \"call_id\": \"1\", \"source\": \"ipmi\", "
	"\"duration\": 2.0, \"energy_system\": 200.0, \"energy_system_uncertainty_j\": 8.0, "
	"\"energy_system_dynamic\": 120.0, \"energy_system_dynamic_uncertainty_j\": 5.0, "
	"\"idle_power_system_w\": 40.0}}";
/* A perf call: package energy 50 +- 2 J, dynamic 20 +- 3, idle 10 W. */
static const char call_2[] =
	"{\"energy_consumption\": {\"job_key\": \"bnd\", \"call_id\": \"2\", \"source\": \"perf\", "
	"\"duration\": 2.0, \"energy_pkg\": 50.0, \"energy_pkg_uncertainty_j\": 2.0, "
	"\"energy_pkg_dynamic\": 20.0, \"energy_pkg_dynamic_uncertainty_j\": 3.0, \"idle_power_pkg_w\": 10.0}}";
/* As the seed's monitor (or energymon before bounds) wrote it. */
static const char call_old[] =
	"{\"energy_consumption\": {\"job_key\": \"bnd\", \"call_id\": \"3\", \"source\": \"ipmi\", "
	"\"duration\": 2.0, \"energy_system\": 300.0}}";

struct file {
	const char *name, *text;
};

static int make_dir(struct fixture_dir *dir, const struct file *files, size_t n)
{
	if (fixture_dir_create(dir) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (fixture_write(dir, files[i].name, files[i].text) != 0)
			return -1;
	return 0;
}

static char *summary_of(const struct file *files, size_t n)
{
	struct fixture_dir dir;
	if (make_dir(&dir, files, n) != 0)
		return NULL;
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	char *out = NULL;
	if (fixture_run_report(args, &cap) == 0) {
		CU_ASSERT_EQUAL(cap.status, 0);
		out = cap.out;
		cap.out = NULL;
	}
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
	return out;
}

/* The LOW and HIGH of "  KEY: ... (95 % bound LOW .. HIGH J)". */
static int bound_on_line(const char *out, const char *key, double *low, double *high)
{
	char needle[96];
	snprintf(needle, sizeof needle, "\n  %s: ", key);
	const char *line = strstr(out, needle);
	const char *bound = line ? strstr(line, "(95 % bound ") : NULL;
	const char *end = line ? strchr(line + 1, '\n') : NULL;
	if (bound == NULL || (end != NULL && bound > end))
		return -1;
	return sscanf(bound, "(95 %% bound %lf .. %lf J)", low, high) == 2 ? 0 : -1;
}

static void test_sum_of_two_calls(void)
{
	const struct file files[] = {{"bnd_0_ipmi.json", call_0}, {"bnd_1_ipmi.json", call_1}};
	char *out = summary_of(files, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* Centres 101 + 200; half-widths 5 and 8, independent:
	 * min(1.96 sqrt((25 + 64) / 3), 13) = 10.6756 < 13. */
	double half = 1.96 * sqrt(89.0 / 3.0), low = NAN, high = NAN;
	CU_ASSERT_EQUAL(bound_on_line(out, "total_system_energy", &low, &high), 0);
	ASSERT_CLOSE(low, 301.0 - half);
	ASSERT_CLOSE(high, 301.0 + half);
	char line[160];
	snprintf(line, sizeof line, "\n  total_system_energy: 300.000000 J (95 %% bound %.6f .. %.6f J)\n",
	         301.0 - half, 301.0 + half);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, line));
	/* Dynamic 40 + 120 = 160 J; centres 41 + 120, half-widths 9 + 5 summed
	 * as a worst case (one idle baseline may serve both). */
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\n  total_system_dynamic_energy: 160.000000 J (95 % bound 147.000000 .. 175.000000 J)\n"));
	/* The dynamic line follows the total's */
	const char *total = strstr(out, "\n  total_system_energy: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(total);
	CU_ASSERT_EQUAL(strncmp(strchr(total + 1, '\n'), "\n  total_system_dynamic_energy: ", 32), 0);
	free(out);
}

/* One call alone: 1.96 sqrt(25 / 3) = 5.66 would be wider than the call's
 * own bound; the worst case (5) caps it. */
static void test_one_call_keeps_its_own_bound(void)
{
	const struct file files[] = {{"bnd_0_ipmi.json", call_0}};
	char *out = summary_of(files, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  total_system_energy: 100.000000 J (95 % bound 96.000000 .. 106.000000 J)\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\n  total_system_dynamic_energy: 40.000000 J (95 % bound 32.000000 .. 50.000000 J)\n"));
	free(out);
}

static void test_a_call_without_bound_makes_it_unknown(void)
{
	const struct file files[] = {{"bnd_0_ipmi.json", call_0}, {"bnd_3_ipmi.json", call_old}};
	char *out = summary_of(files, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\n  total_system_energy: 400.000000 J (95 % bound unknown: 1 of 2 calls carry none)\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\n  total_system_dynamic_energy: n/a (1 of 2 calls without an idle baseline)\n"));
	free(out);
}

static void test_old_files_print_as_before(void)
{
	const struct file files[] = {{"bnd_3_ipmi.json", call_old}};
	char *out = summary_of(files, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  total_system_energy: 300.000000 J\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "95 %"));
	CU_ASSERT_PTR_NULL(strstr(out, "dynamic"));
	free(out);
}

static void test_perf_package_bound(void)
{
	const struct file files[] = {{"bnd_2_perf.json", call_2}};
	char *out = summary_of(files, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  total_pkg_energy: 50.000000 J (95 % bound 48.000000 .. 52.000000 J)\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\n  total_pkg_dynamic_energy: 20.000000 J (95 % bound 17.000000 .. 23.000000 J)\n"));
	free(out);
}

static double json_number_at(const json_t *doc, const char *source, const char *key)
{
	const json_t *v = json_object_get(json_object_get(json_object_get(doc, "sources"), source), key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void test_json_has_the_bounds(void)
{
	struct fixture_dir dir;
	const struct file files[] = {{"bnd_0_ipmi.json", call_0}, {"bnd_1_ipmi.json", call_1}};
	CU_ASSERT_EQUAL_FATAL(make_dir(&dir, files, 2), 0);
	struct report_capture cap;
	const char *args[] = {"--json", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	json_t *doc = json_loads(cap.out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	double half = 1.96 * sqrt(89.0 / 3.0);
	ASSERT_CLOSE(json_number_at(doc, "ipmi", "total_system_energy_low"), 301.0 - half);
	ASSERT_CLOSE(json_number_at(doc, "ipmi", "total_system_energy_high"), 301.0 + half);
	ASSERT_CLOSE(json_number_at(doc, "ipmi", "total_system_dynamic_energy"), 160.0);
	ASSERT_CLOSE(json_number_at(doc, "ipmi", "total_system_dynamic_energy_low"), 147.0);
	ASSERT_CLOSE(json_number_at(doc, "ipmi", "total_system_dynamic_energy_high"), 175.0);
	json_decref(doc);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

static void test_metrics_csv_columns(void)
{
	struct fixture_dir dir;
	const struct file files[] = {{"bnd_0_ipmi.json", call_0}, {"bnd_1_ipmi.json", call_1},
	                             {"bnd_2_perf.json", call_2}, {"bnd_3_ipmi.json", call_old}};
	CU_ASSERT_EQUAL_FATAL(make_dir(&dir, files, 4), 0);
	char path[512];
	fixture_path(&dir, "metrics.out", path, sizeof path);
	struct report_capture cap;
	const char *args[] = {"--metrics-csv", path, dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	fixture_capture_free(&cap);
	char *csv = fixture_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_STRING_EQUAL(csv,
		METRICS_CSV_HEADER
		/* the energymon section's lopsided bounds win over value +- half-width */
		"bnd,0,,ipmi,false,,2,100,,,,,,,,,96,106,,,40,32,50,,,,30\n"
		"bnd,1,,ipmi,false,,2,200,,,,,,,,,192,208,,,120,115,125,,,,40\n"
		"bnd,2,,perf,false,,2,,50,,,,,,,,,,48,52,,,,20,17,23,10\n"
		"bnd,3,,ipmi,false,,2,300,,,,,,,,,,,,,,,,,,,\n");
	free(csv);
	fixture_dir_remove(&dir);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("report bounds", NULL, NULL);
	CU_add_test(suite, "sum of two calls", test_sum_of_two_calls);
	CU_add_test(suite, "one call keeps its own bound", test_one_call_keeps_its_own_bound);
	CU_add_test(suite, "a call without a bound makes it unknown", test_a_call_without_bound_makes_it_unknown);
	CU_add_test(suite, "old files print as before", test_old_files_print_as_before);
	CU_add_test(suite, "perf package bound", test_perf_package_bound);
	CU_add_test(suite, "--json has the bounds", test_json_has_the_bounds);
	CU_add_test(suite, "metrics csv columns", test_metrics_csv_columns);
	return cunit_run_registered();
}
