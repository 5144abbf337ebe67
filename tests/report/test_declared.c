/* test_declared.c — a source the report has never heard of (two instances
 * of a GPU plugin) summarised by the metrics its files declare, and the
 * headline energy chosen by energymon's table of keys, not by plugin name. */
#include <CUnit/Basic.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../support/cunit_run.h"
#include "report_fixture.h"

#define ASSERT_WITHIN_1E9(actual, expected) CU_ASSERT_DOUBLE_EQUAL((actual), (expected), 1e-9)

/* A per-call file as energymon writes it for "gpuhwmon:INST": values under
 * the plain keys in energy_consumption, declarations in energymon.metrics. */
#define GPU_FILE(inst, call, placeholder, e0, temp, power, power_j)                                        \
	"{\"energy_consumption\": {\"job_key\": \"job\", \"call_id\": \"" call "\", "                      \
	"\"source\": \"gpuhwmon:" inst "\", \"duration\": 2.0, \"placeholder\": " placeholder ", "         \
	"\"gpu0_energy\": " e0 ", \"gpu1_energy\": null, \"gpu_temp\": " temp ", \"gpu_power\": " power ", " \
	"\"units\": {\"gpu0_energy\": \"J\", \"gpu1_energy\": \"J\", \"gpu_temp\": \"degC\", "            \
	"\"gpu_power\": \"W\"}}, \"power_readings\": [], "                                                 \
	"\"energymon\": {\"source\": \"gpuhwmon:" inst "\", \"metrics\": ["                                \
	"{\"key\": \"gpu0_energy\", \"declared\": true, \"kind\": \"counter\", \"unit\": \"J\", "          \
	"\"scope\": \"accelerator\", \"index\": 0, \"attributable\": false, \"value\": " e0 ", "         \
	"\"reason\": null, \"readings\": 20, \"covered_s\": 2.0, \"uncertainty\": null}, "                 \
	"{\"key\": \"gpu1_energy\", \"declared\": true, \"kind\": \"counter\", \"unit\": \"J\", "          \
	"\"scope\": \"accelerator\", \"index\": 1, \"attributable\": false, \"value\": null, "            \
	"\"reason\": \"no reading of /hw/energy2_input: No such file or directory\", \"readings\": 0, "   \
	"\"covered_s\": null, \"uncertainty\": null}, "                                                    \
	"{\"key\": \"gpu_temp\", \"declared\": true, \"kind\": \"gauge\", \"unit\": \"degC\", "            \
	"\"scope\": \"accelerator\", \"index\": 0, \"attributable\": false, \"value\": " temp ", "       \
	"\"reason\": null, \"readings\": 20, \"covered_s\": 2.0, \"uncertainty\": null}, "                 \
	"{\"key\": \"gpu_power\", \"declared\": true, \"kind\": \"gauge\", \"unit\": \"W\", "              \
	"\"scope\": \"accelerator\", \"index\": 0, \"attributable\": false, \"value\": " power ", "      \
	"\"energy_j\": " power_j ", \"reason\": null, \"readings\": 20, \"covered_s\": 2.0, "              \
	"\"uncertainty\": null}, "                                                                         \
	"{\"key\": \"not_declared\", \"declared\": false, \"kind\": \"gauge\", \"unit\": \"W\", "          \
	"\"value\": 1234.0}]}}"

static struct fixture_dir dir;

static int setup(void)
{
	if (fixture_dir_create(&dir) != 0)
		return -1;
	return fixture_write(&dir, "job_0_gpuhwmon-a.json", GPU_FILE("a", "0", "false", "10.0", "60.0", "5.0", "10.0")) ||
	       fixture_write(&dir, "job_1_gpuhwmon-a.json", GPU_FILE("a", "1", "false", "30.0", "70.0", "7.0", "14.0")) ||
	       /* a placeholder's numbers are not measurements */
	       fixture_write(&dir, "job_2_gpuhwmon-a.json", GPU_FILE("a", "2", "true", "999.0", "999.0", "999.0", "999.0")) ||
	       fixture_write(&dir, "job_0_gpuhwmon-b.json", GPU_FILE("b", "0", "false", "18.0", "50.0", "9.0", "18.0"));
}

static int teardown(void)
{
	fixture_dir_remove(&dir);
	return 0;
}

static void test_unknown_source_summarised_by_declared_metrics(void)
{
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	const char *o = cap.out;
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "4 per-call file(s)\n"));
	CU_ASSERT_PTR_NULL(strstr(cap.err, "gpuhwmon")); /* understood: no warning */
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "\ngpuhwmon-a (source gpuhwmon:a; no energy key of energymon's own; "
	                                 "its declared metrics follow)\n"));
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-a", "total_traces"), 3);
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-a", "total_gpu0_energy"), 40);
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-a", "avg_gpu0_energy"), 20);
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-a", "min_gpu0_energy"), 10);
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-a", "max_gpu0_energy"), 30);
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  total_gpu0_energy: 40.000000 J\n"));
	/* a gauge: means, no sum of means; in watts also its energy */
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-a", "avg_gpu_temp"), 65);
	CU_ASSERT(isnan(fixture_summary_value(o, "gpuhwmon-a", "total_gpu_temp")));
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  avg_gpu_temp: 65.000000 degC\n"));
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-a", "total_gpu_power_energy"), 24);
	/* never measured: said, with the plugin's reason, never 0 */
	CU_ASSERT(isnan(fixture_summary_value(o, "gpuhwmon-a", "total_gpu1_energy")));
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  gpu1_energy: declared counter in J, accelerator 1; 0 call(s) with a "
	                                 "value, 3 without (no reading of /hw/energy2_input"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o, "  gpu0_energy: declared counter in J, accelerator 0; 2 call(s) with a "
	                                 "value, 1 without (a placeholder run)\n"));
	CU_ASSERT_PTR_NULL(strstr(o, "999"));
	CU_ASSERT_PTR_NULL(strstr(o, "not_declared"));
	CU_ASSERT_PTR_NULL(strstr(o, "1234"));
	/* the other instance, on its own */
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-b", "total_gpu0_energy"), 18);
	ASSERT_WITHIN_1E9(fixture_summary_value(o, "gpuhwmon-b", "avg_gpu_temp"), 50);
	fixture_capture_free(&cap);
}

static void test_json_has_declared_metrics(void)
{
	struct report_capture cap;
	const char *args[] = {"--json", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	json_error_t error;
	json_t *doc = json_loads(cap.out, 0, &error);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	const json_t *a = json_object_get(json_object_get(doc, "sources"), "gpuhwmon-a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "source")), "gpuhwmon:a");
	CU_ASSERT(json_is_null(json_object_get(a, "energy_key")));
	CU_ASSERT_PTR_NULL(json_object_get(a, "total__energy"));
	const json_t *metrics = json_object_get(a, "metrics");
	const json_t *e0 = json_object_get(metrics, "gpu0_energy");
	ASSERT_WITHIN_1E9(json_number_value(json_object_get(e0, "total")), 40);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e0, "unit")), "J");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e0, "kind")), "counter");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e0, "scope")), "accelerator");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(e0, "calls_with_value")), 2);
	const json_t *e1 = json_object_get(metrics, "gpu1_energy");
	CU_ASSERT(json_is_null(json_object_get(e1, "total")));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(e1, "reason")), "energy2_input"));
	const json_t *temp = json_object_get(metrics, "gpu_temp");
	CU_ASSERT(json_is_null(json_object_get(temp, "total")));
	ASSERT_WITHIN_1E9(json_number_value(json_object_get(temp, "avg")), 65);
	ASSERT_WITHIN_1E9(json_number_value(json_object_get(json_object_get(metrics, "gpu_power"), "total_energy_j")), 24);
	CU_ASSERT_PTR_NULL(json_object_get(metrics, "not_declared"));
	json_decref(doc);
	fixture_capture_free(&cap);
}

static void test_source_filter_takes_an_instance_id(void)
{
	struct report_capture cap;
	const char *args[] = {"--source", "gpuhwmon:b", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NULL(strstr(cap.out, "\ngpuhwmon-a ("));
	ASSERT_WITHIN_1E9(fixture_summary_value(cap.out, "gpuhwmon-b", "total_gpu0_energy"), 18);
	fixture_capture_free(&cap);
}

static void test_declared_csv(void)
{
	char path[512];
	fixture_path(&dir, "declared.out", path, sizeof path);
	struct report_capture cap;
	const char *args[] = {"--source", "gpuhwmon-b", "--declared-csv", path, dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	fixture_capture_free(&cap);
	char *csv = fixture_read_file(path, NULL);
	remove(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_STRING_EQUAL(csv,
		"job_key,call_id,function_name,source,key,kind,scope,index,value,unit,energy_j,reason\n"
		"job,0,,gpuhwmon-b,gpu0_energy,counter,accelerator,0,18,J,,\n"
		"job,0,,gpuhwmon-b,gpu1_energy,counter,accelerator,1,,J,,"
		"no reading of /hw/energy2_input: No such file or directory\n"
		"job,0,,gpuhwmon-b,gpu_temp,gauge,accelerator,0,50,degC,,\n"
		"job,0,,gpuhwmon-b,gpu_power,gauge,accelerator,0,9,W,18,\n");
	free(csv);
}

/* The headline is the first energy key of energymon's table with a number:
 * system before psys before pkg; a key named only as null (as a file owes
 * it) does not win over a measured one. */
static void test_headline_energy_follows_the_table(void)
{
	struct fixture_dir own;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&own), 0);
	CU_ASSERT_EQUAL(fixture_write(&own, "j_0_rapl.json",
		"{\"energy_consumption\": {\"job_key\": \"j\", \"call_id\": \"0\", \"energy_system\": null, "
		"\"energy_pkg\": 5.0, \"energy_cores\": 2.0, \"source\": \"rapl\"}}"), 0);
	CU_ASSERT_EQUAL(fixture_write(&own, "j_0_platform.json",
		"{\"energy_consumption\": {\"job_key\": \"j\", \"call_id\": \"0\", \"energy_pkg\": 5.0, "
		"\"energy_psys\": 7.0, \"source\": \"platform\"}}"), 0);
	struct report_capture cap;
	const char *args[] = {own.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "\nrapl (energy from energy_consumption.energy_pkg)\n"));
	ASSERT_WITHIN_1E9(fixture_summary_value(cap.out, "rapl", "total_pkg_energy"), 5);
	CU_ASSERT(isnan(fixture_summary_value(cap.out, "rapl", "total_system_energy")));
	ASSERT_WITHIN_1E9(fixture_summary_value(cap.out, "platform", "total_psys_energy"), 7);
	fixture_capture_free(&cap);
	fixture_dir_remove(&own);
}

/* A hostile file: keys with an escape sequence or a '/', a kind that is a
 * number, a key named twice, a reason that would clear the terminal. None
 * reaches the output raw; the duplicate counts once. */
static void test_hostile_metrics_array(void)
{
	struct fixture_dir own;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&own), 0);
	CU_ASSERT_EQUAL(fixture_write(&own, "j_0_evil.json",
		"{\"energy_consumption\": {\"job_key\": \"j\", \"call_id\": \"0\", \"source\": \"evil\", "
		"\"twice\": 5.0, \"gone\": null}, \"energymon\": {\"source\": \"evil\", \"metrics\": ["
		"{\"key\": \"esc\\u001b[2J\", \"declared\": true, \"kind\": \"counter\", \"unit\": \"J\", \"value\": 1},"
		"{\"key\": \"a/b\", \"declared\": true, \"kind\": \"counter\", \"unit\": \"J\", \"value\": 1},"
		"{\"key\": \"numkind\", \"declared\": true, \"kind\": 3, \"unit\": \"J\", \"value\": 1},"
		"{\"key\": \"badkind\", \"declared\": true, \"kind\": \"x\\u001b[2J\", \"unit\": \"J\", \"value\": 1},"
		"{\"key\": \"badunit\", \"declared\": true, \"kind\": \"gauge\", \"unit\": \"W\\u001b[2J\", \"value\": 1},"
		"{\"key\": \"twice\", \"declared\": true, \"kind\": \"counter\", \"unit\": \"J\", \"value\": 5},"
		"{\"key\": \"twice\", \"declared\": true, \"kind\": \"counter\", \"unit\": \"J\", \"value\": 5},"
		"{\"key\": \"gone\", \"declared\": true, \"kind\": \"counter\", \"unit\": \"J\", \"value\": null, "
		"\"scope\": \"other\\u001b[2J\", \"reason\": \"\\u001b[2Jcleared\"},"
		"{\"key\": 7, \"declared\": true}, 12, null]}}"), 0);
	struct report_capture cap;
	const char *args[] = {own.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NULL(strchr(cap.out, '\033'));
	CU_ASSERT_PTR_NULL(strchr(cap.err, '\033'));
	CU_ASSERT_PTR_NULL(strstr(cap.out, "a/b"));
	CU_ASSERT_PTR_NULL(strstr(cap.out, "numkind"));
	CU_ASSERT_PTR_NULL(strstr(cap.out, "badunit"));
	ASSERT_WITHIN_1E9(fixture_summary_value(cap.out, "evil", "total_twice"), 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "  twice: declared counter in J, scope not given 0; 1 call(s) with a "
	                                       "value, 0 without\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "  gone: declared counter in J, scope not given 0; 0 call(s)"));
	fixture_capture_free(&cap);
	fixture_dir_remove(&own);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("report declared metrics", setup, teardown);
	CU_add_test(suite, "unknown source summarised by declared metrics",
	            test_unknown_source_summarised_by_declared_metrics);
	CU_add_test(suite, "--json has declared metrics", test_json_has_declared_metrics);
	CU_add_test(suite, "--source takes an instance id", test_source_filter_takes_an_instance_id);
	CU_add_test(suite, "--declared-csv", test_declared_csv);
	CU_add_test(suite, "headline energy follows the table", test_headline_energy_follows_the_table);
	CU_add_test(suite, "hostile metrics array", test_hostile_metrics_array);
	return cunit_run_registered();
}
