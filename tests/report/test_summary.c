/* test_summary.c — the printed summary's numbers against files whose
 * statistics are worked out by hand in the comments. */
#include <CUnit/Basic.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixture.h"
#include "../support/cunit_run.h"

static struct fixture_dir dir;

/* Three measured ipmi calls (100, 300, 200 J), a placeholder whose file
 * carries a made-up 999 J (as the old monitor wrote), and one whose energy
 * is null. Two perf calls (10 and 30 J of package energy). */
static const struct { const char *name, *text; } files[] = {
	{"job-a_00000_ipmi.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-a\", \"call_id\": \"00000\", "
	 "\"timestamp\": 1700000000.0, \"energy_system\": 100.0, \"avg_power\": 50.0, "
	 "\"min_power\": 40.0, \"max_power\": 60.0, \"power_std_dev\": 5.0, \"duration\": 2.0, "
	 "\"source\": \"ipmi\", \"function_name\": \"f\", \"avg_cpu_temp\": 40.0}}"},
	{"job-a_00001_ipmi.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-a\", \"call_id\": \"00001\", "
	 "\"timestamp\": 1700000010.0, \"energy_system\": 300.0, \"avg_power\": 100.0, "
	 "\"min_power\": 90.0, \"max_power\": 110.0, \"power_std_dev\": 10.0, \"duration\": 3.0, "
	 "\"source\": \"ipmi\", \"function_name\": \"f\", \"avg_cpu_temp\": 50.0}}"},
	{"job-a_00002_ipmi.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-a\", \"call_id\": \"00002\", "
	 "\"timestamp\": 1700000020.0, \"energy_system\": 200.0, \"avg_power\": 90.0, "
	 "\"min_power\": 70.0, \"max_power\": 95.0, \"duration\": 1.5, "
	 "\"source\": \"ipmi\", \"function_name\": \"f\"}}"},
	{"job-a_00003_ipmi.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-a\", \"call_id\": \"00003\", "
	 "\"energy_system\": 999.0, \"avg_power\": 999.0, \"min_power\": 1.0, "
	 "\"max_power\": 9999.0, \"duration\": 1.0, \"source\": \"ipmi\", \"placeholder\": true}}"},
	{"job-a_00004_ipmi.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-a\", \"call_id\": \"00004\", "
	 "\"energy_system\": null, \"avg_power\": null, \"duration\": 0.5, \"source\": \"ipmi\"}}"},
	{"job-b_00000_perf.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-b\", \"call_id\": \"00000\", "
	 "\"energy_pkg\": 10.0, \"energy_cores\": 4.0, \"avg_power\": 5.0, \"duration\": 2.0, "
	 "\"source\": \"perf\"}}"},
	{"job-c_00000_ebpf.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-c\", \"call_id\": \"00000\", "
	 "\"cpu_time\": 0.5, \"duration\": 1.0, \"source\": \"ebpf\", \"placeholder\": false}}"},
	{"job-c_00001_ebpf.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-c\", \"call_id\": \"00001\", "
	 "\"cpu_time\": 1.5, \"duration\": 2.0, \"source\": \"ebpf\", \"placeholder\": false}}"},
	{"job-b_00001_perf.json",
	 "{\"energy_consumption\": {\"job_key\": \"job-b\", \"call_id\": \"00001\", "
	 "\"energy_pkg\": 30.0, \"energy_cores\": 20.0, \"avg_power\": 15.0, \"duration\": 2.0, "
	 "\"source\": \"perf\"}}"},
};

static int setup(void)
{
	if (fixture_dir_create(&dir) != 0)
		return -1;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (fixture_write(&dir, files[i].name, files[i].text) != 0)
			return -1;
	return 0;
}

static int teardown(void)
{
	fixture_dir_remove(&dir);
	return 0;
}

static void test_ipmi_energy_statistics(void)
{
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	const char *o = cap.out;
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "total_traces"), 5);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "traces_without_energy"), 2);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "total_system_energy"), 600);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "avg_system_energy"), 200);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "max_system_energy"), 300);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "min_system_energy"), 100);
	/* Deviations -100, +100, 0: sqrt(20000 / (3 - 1)) = 100. */
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "energy_std_dev"), 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  total_system_energy: 600.000000 J\n"));
	fixture_capture_free(&cap);
}

static void test_ipmi_power_and_duration(void)
{
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	const char *o = cap.out;
	/* (50 + 100 + 90) / 3; the placeholder's 999 W and 9999 W are not real. */
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "avg_power"), 80);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "max_power_recorded"), 110);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "min_power_recorded"), 40);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "avg_cpu_temp"), 45);
	/* Wall time counts for every call: 2 + 3 + 1.5 + 1 + 0.5. */
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "total_duration"), 8);
	ASSERT_CLOSE(fixture_summary_value(o, "ipmi", "avg_duration"), 1.6);
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  avg_power: 80.000000 W\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  total_duration: 8.000000 s\n"));
	fixture_capture_free(&cap);
}

static void test_perf_uses_package_energy(void)
{
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	const char *o = cap.out;
	ASSERT_CLOSE(fixture_summary_value(o, "perf", "total_traces"), 2);
	ASSERT_CLOSE(fixture_summary_value(o, "perf", "traces_without_energy"), 0);
	/* Cores is inside the package: 10 + 30, not 10 + 4 + 30 + 20. */
	ASSERT_CLOSE(fixture_summary_value(o, "perf", "total_pkg_energy"), 40);
	ASSERT_CLOSE(fixture_summary_value(o, "perf", "avg_pkg_energy"), 20);
	ASSERT_CLOSE(fixture_summary_value(o, "perf", "energy_std_dev"), sqrt(200.0));
	ASSERT_CLOSE(fixture_summary_value(o, "perf", "avg_power"), 10);
	/* perf files carry no min/max power: said, not printed as 0. */
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  max_power_recorded: n/a (no power values)\n"));
	fixture_capture_free(&cap);
}

static void test_ebpf_reports_cpu_time_not_energy(void)
{
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	const char *o = cap.out;
	ASSERT_CLOSE(fixture_summary_value(o, "ebpf", "total_traces"), 2);
	ASSERT_CLOSE(fixture_summary_value(o, "ebpf", "traces_without_energy"), 2);
	ASSERT_CLOSE(fixture_summary_value(o, "ebpf", "total_cpu_time"), 2.0);
	ASSERT_CLOSE(fixture_summary_value(o, "ebpf", "avg_cpu_time"), 1.0);
	ASSERT_CLOSE(fixture_summary_value(o, "ebpf", "total_duration"), 3.0);
	/* Sources without CPU time do not print the line at all. */
	CU_ASSERT(isnan(fixture_summary_value(o, "ipmi", "total_cpu_time")));
	fixture_capture_free(&cap);
}

static double number_in(const json_t *doc, const char *source, const char *key)
{
	const json_t *value = json_object_get(json_object_get(json_object_get(doc, "sources"),
	                                                      source), key);
	return json_is_number(value) ? json_number_value(value) : NAN;
}

static void test_json_has_the_same_numbers(void)
{
	struct report_capture cap;
	const char *args[] = {"--json", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	json_error_t error;
	json_t *doc = json_loads(cap.out, 0, &error);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "per_call_files")), 9);
	ASSERT_CLOSE(number_in(doc, "ipmi", "total_traces"), 5);
	ASSERT_CLOSE(number_in(doc, "ipmi", "traces_without_energy"), 2);
	ASSERT_CLOSE(number_in(doc, "ipmi", "total_system_energy"), 600);
	ASSERT_CLOSE(number_in(doc, "ipmi", "energy_std_dev"), 100);
	ASSERT_CLOSE(number_in(doc, "ipmi", "avg_power"), 80);
	ASSERT_CLOSE(number_in(doc, "perf", "total_pkg_energy"), 40);
	ASSERT_CLOSE(number_in(doc, "ebpf", "total_cpu_time"), 2.0);
	const json_t *perf = json_object_get(json_object_get(doc, "sources"), "perf");
	CU_ASSERT(json_is_null(json_object_get(perf, "max_power_recorded")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(perf, "units"),
	                                                         "total_pkg_energy")), "J");
	json_decref(doc);
	fixture_capture_free(&cap);
}

static void test_source_filter(void)
{
	struct report_capture cap;
	const char *args[] = {"--source", "perf", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NULL(strstr(cap.out, "\nipmi ("));
	ASSERT_CLOSE(fixture_summary_value(cap.out, "perf", "total_pkg_energy"), 40);
	fixture_capture_free(&cap);
}

static void test_one_trace_has_no_std_dev(void)
{
	struct fixture_dir single;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&single), 0);
	CU_ASSERT_EQUAL(fixture_write(&single, files[0].name, files[0].text), 0);
	struct report_capture cap;
	const char *args[] = {single.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	ASSERT_CLOSE(fixture_summary_value(cap.out, "ipmi", "total_system_energy"), 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "  energy_std_dev: n/a ("));
	fixture_capture_free(&cap);
	fixture_dir_remove(&single);
}

static void test_only_placeholders_gives_no_energy(void)
{
	struct fixture_dir only;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&only), 0);
	CU_ASSERT_EQUAL(fixture_write(&only, files[3].name, files[3].text), 0);
	struct report_capture cap;
	const char *args[] = {only.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	ASSERT_CLOSE(fixture_summary_value(cap.out, "ipmi", "traces_without_energy"), 1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(cap.out, "  total_system_energy: n/a (no trace with a measured energy)\n"));
	CU_ASSERT_PTR_NULL(strstr(cap.out, "999"));
	fixture_capture_free(&cap);
	fixture_dir_remove(&only);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("report summary", setup, teardown);
	CU_add_test(suite, "ipmi energy statistics", test_ipmi_energy_statistics);
	CU_add_test(suite, "ipmi power and duration", test_ipmi_power_and_duration);
	CU_add_test(suite, "perf uses package energy", test_perf_uses_package_energy);
	CU_add_test(suite, "ebpf reports cpu time, not energy", test_ebpf_reports_cpu_time_not_energy);
	CU_add_test(suite, "--json has the same numbers", test_json_has_the_same_numbers);
	CU_add_test(suite, "--source filter", test_source_filter);
	CU_add_test(suite, "one trace has no std dev", test_one_trace_has_no_std_dev);
	CU_add_test(suite, "placeholders give no energy", test_only_placeholders_gives_no_energy);
	return cunit_run_registered();
}
