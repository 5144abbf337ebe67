/* test_csv.c — the exported tables, byte for byte. */
#include <CUnit/Basic.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixture.h"
#include "../support/cunit_run.h"

static struct fixture_dir dir;

static int setup(void)
{
	if (fixture_dir_create(&dir) != 0)
		return -1;
	/* A function name that needs CSV quoting; a placeholder call. */
	return fixture_write(&dir, "job_0_ipmi.json",
		"{\"energy_consumption\": {\"job_key\": \"job\", \"call_id\": \"0\", "
		"\"timestamp\": 1700000000.25, \"energy_system\": 150.5, \"avg_power\": 75.25, "
		"\"min_power\": 70.0, \"max_power\": 80.0, \"power_std_dev\": 2.5, \"duration\": 2.0, "
		"\"source\": \"ipmi\", \"function_name\": \"f(a, \\\"b\\\")\", \"avg_cpu_temp\": 41.5},"
		" \"power_readings\": [{\"timestamp\": 1700000000.25, \"power\": 70.0},"
		" {\"timestamp\": 1700000001.25, \"power\": 80.0}],"
		" \"temperature_readings\": [{\"timestamp\": 1700000000.5, \"sensor\": \"CPU Temp\","
		" \"value\": 41.5}],"
		" \"voltage_readings\": [{\"timestamp\": 1700000000.5, \"sensor\": \"12V\", \"value\": 12.1}],"
		" \"current_readings\": [{\"timestamp\": 1700000000.5, \"sensor\": \"PSU1\", \"value\": 1.5}],"
		" \"fan_readings\": [{\"timestamp\": 1700000000.5, \"sensor\": \"FAN1\", \"value\": 4200}]}") ||
	       fixture_write(&dir, "job_2_ebpf.json",
		"{\"energy_consumption\": {\"job_key\": \"job\", \"call_id\": \"2\", "
		"\"cpu_time\": 0.75, \"duration\": 1.5, \"source\": \"ebpf\"}}") ||
	       fixture_write(&dir, "job_1_perf.json",
		"{\"energy_consumption\": {\"job_key\": \"job\", \"call_id\": \"1\", "
		"\"energy_pkg\": null, \"duration\": 1.0, \"source\": \"perf\", \"placeholder\": true}}");
}

static int teardown(void)
{
	fixture_dir_remove(&dir);
	return 0;
}

static char *export_table(const char *option, const char *file_name)
{
	char path[512];
	fixture_path(&dir, file_name, path, sizeof path);
	struct report_capture cap;
	const char *args[] = {option, path, dir.path, NULL};
	if (fixture_run_report(args, &cap) != 0)
		return NULL;
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, path));
	fixture_capture_free(&cap);
	char *text = fixture_read_file(path, NULL);
	remove(path);
	return text;
}

static void test_metrics_table(void)
{
	char *csv = export_table("--metrics-csv", "metrics.out");
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_STRING_EQUAL(csv,
		METRICS_CSV_HEADER
		/* files without bounds or a baseline: the new cells are empty */
		"job,0,\"f(a, \"\"b\"\")\",ipmi,false,1700000000.25,2,150.5,,75.25,70,80,2.5,41.5,,,,,,,,,,,,,\n"
		"job,1,,perf,true,,1,,,,,,,,,,,,,,,,,,,,\n"
		"job,2,,ebpf,false,,1.5,,,,,,,,,0.75,,,,,,,,,,,\n");
	free(csv);
}

static void test_power_table(void)
{
	char *csv = export_table("--power-csv", "power.out");
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_STRING_EQUAL(csv,
		"job_key,call_id,function_name,source,timestamp,power\n"
		"job,0,\"f(a, \"\"b\"\")\",ipmi,1700000000.25,70\n"
		"job,0,\"f(a, \"\"b\"\")\",ipmi,1700000001.25,80\n");
	free(csv);
}

static void test_sensor_table(void)
{
	char *csv = export_table("--sensors-csv", "sensors.out");
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_STRING_EQUAL(csv,
		"job_key,call_id,function_name,source,kind,sensor,timestamp,value,unit\n"
		"job,0,\"f(a, \"\"b\"\")\",ipmi,temperature,CPU Temp,1700000000.5,41.5,degC\n"
		"job,0,\"f(a, \"\"b\"\")\",ipmi,voltage,12V,1700000000.5,12.1,V\n"
		"job,0,\"f(a, \"\"b\"\")\",ipmi,current,PSU1,1700000000.5,1.5,A\n"
		"job,0,\"f(a, \"\"b\"\")\",ipmi,fan,FAN1,1700000000.5,4200,RPM\n");
	free(csv);
}

static void test_json_stdout_stays_pure_with_exports(void)
{
	char path[512];
	fixture_path(&dir, "power.out", path, sizeof path);
	struct report_capture cap;
	const char *args[] = {"--json", "--power-csv", path, dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	json_error_t error;
	json_t *doc = json_loads(cap.out, 0, &error);
	CU_ASSERT_PTR_NOT_NULL(doc);
	json_decref(doc);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "Wrote power readings to "));
	fixture_capture_free(&cap);
	remove(path);
}

static void test_unwritable_csv_fails_naming_path(void)
{
	struct report_capture cap;
	const char *args[] = {"--power-csv", "/nonexistent/dir/p.csv", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "cannot write /nonexistent/dir/p.csv: "));
	fixture_capture_free(&cap);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("report csv", setup, teardown);
	CU_add_test(suite, "metrics table", test_metrics_table);
	CU_add_test(suite, "power table", test_power_table);
	CU_add_test(suite, "sensor table", test_sensor_table);
	CU_add_test(suite, "json stdout stays pure with exports", test_json_stdout_stays_pure_with_exports);
	CU_add_test(suite, "unwritable csv fails naming path", test_unwritable_csv_fails_naming_path);
	return cunit_run_registered();
}
