/* The monitor end to end with test plugins whose truth is known. */
#include "test_util.h"

#include <math.h>

static const json_t *monitor_of(const json_t *res, const char *name)
{
	return json_object_get(json_object_get(res, "monitors"), name);
}

static const json_t *series_of(const json_t *mon, const char *quantity, const char *sensor)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(mon, "series"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "quantity")), quantity) &&
		    !strcmp(json_string_value(json_object_get(s, "sensor")), sensor))
			return s;
	return NULL;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void test_constant_power_integrates_exactly(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.05,"
	                      " \"testpower_watts\": 120}", 0.6, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *tp = monitor_of(res, "testpower");
	const json_t *power = series_of(tp, "power", "test");
	double covered = num(power, "covered_s");
	CU_ASSERT(covered > 0.5);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "system"), 120 * covered, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "avg_power"), 120, 1e-9);
	/* first reading at start, last at stop: the series covers the run */
	CU_ASSERT_DOUBLE_EQUAL(covered, num(tp, "duration"), 0.02);
	CU_ASSERT_PTR_NULL(json_object_get(power, "dropped_out_of_order"));
	CU_ASSERT(json_is_false(json_object_get(tp, "placeholder")));
	CU_ASSERT(json_is_true(json_object_get(tp, "complete")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(tp, "units"), "system")), "J");
	/* the final reading is reported as given, and not counted as a sample */
	const json_t *fin = json_array_get(json_object_get(tp, "final_readings"), 0);
	CU_ASSERT_DOUBLE_EQUAL(num(fin, "value"), 1e6, 1e-9);
	const json_t *pkg = series_of(tp, "energy", "package-0");
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "pkg"), 50 * num(pkg, "covered_s"), 1e-6);
	json_decref(res);
}

static void test_wrapping_counter_and_required_interval(void)
{
	/* 50 W into a 2 J counter wraps every 40 ms; the plugin asks for 20 ms
	 * sampling, and the host must honour it over the user's 1 s */
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 1,"
	                      " \"testpower_counter_max\": 2}", 0.5, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *tp = monitor_of(res, "testpower");
	const json_t *pkg = series_of(tp, "energy", "package-0");
	CU_ASSERT_DOUBLE_EQUAL(num(json_object_get(tp, "sampling"), "interval_used_s"), 0.02, 1e-12);
	CU_ASSERT(json_integer_value(json_object_get(pkg, "wraps")) >= 10);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "pkg"), 50 * num(pkg, "covered_s"), 1e-6);
	json_decref(res);
}

static void test_failed_samples_leave_a_visible_gap(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.02,"
	                      " \"testpower_fail_from\": 0.2, \"testpower_fail_to\": 0.4}", 0.6, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *tp = monitor_of(res, "testpower");
	const json_t *power = series_of(tp, "power", "test");
	CU_ASSERT(num(power, "gap_s") >= 0.2);
	CU_ASSERT(json_is_false(json_object_get(tp, "complete")));
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(tp, "sampling"), "failed_samples")) >= 5);
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(tp, "sampling"), "first_failure")),
	                "simulated failure");
	/* energy covers only what was measured, never interpolated over the gap */
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "system"), 100 * num(power, "covered_s"), 1e-6);
	CU_ASSERT(num(power, "covered_s") + num(power, "gap_s") <= num(tp, "duration") + 1e-3);
	json_decref(res);
}

static void test_blocking_plugin_does_not_stall_others(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": [\"blocker\", \"testpower\"]},"
	                      " \"energy_sampling_interval\": 0.05, \"blocker_sleep_s\": 0.6}", 1.0, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *good = json_object_get(monitor_of(res, "testpower"), "sampling");
	const json_t *slow = json_object_get(monitor_of(res, "blocker"), "sampling");
	CU_ASSERT(json_integer_value(json_object_get(good, "samples")) >= 15);
	CU_ASSERT(json_integer_value(json_object_get(slow, "samples")) <= 4);
	CU_ASSERT(json_integer_value(json_object_get(slow, "missed_deadlines")) >= 5);
	json_decref(res);
}

static void test_start_failure_names_the_plugin(void)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": [\"testpower\", "
	                                            "\"failstart\"]}}", &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	CU_ASSERT(em_monitor_start(mon, &err) < 0);
	ASSERT_CONTAINS(err.message, "plugin 'failstart' failed to start: device 127.0.0.1:1 refused the session");
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

static void test_silent_source_is_a_placeholder_with_reason(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.05,"
	                      " \"testpower_silent\": true}", 0.2, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *tp = monitor_of(res, "testpower");
	CU_ASSERT(json_is_true(json_object_get(tp, "placeholder")));
	CU_ASSERT_PTR_NULL(json_object_get(json_object_get(tp, "energy"), "system"));
	ASSERT_CONTAINS(json_string_value(json_object_get(tp, "reason")), "emitted no");
	CU_ASSERT(json_is_true(json_object_get(res, "placeholder")));
	json_decref(res);
}

static void test_composite_never_adds_nested_scopes_and_attributes_by_share(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": [\"testpower\", \"testcpu\"]},"
	                      " \"energy_sampling_interval\": 0.05, \"testcpu_share\": 0.25}", 0.5, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	double system = energy_of(res, NULL, "system"), pkg = energy_of(res, NULL, "pkg");
	CU_ASSERT_DOUBLE_EQUAL(system, energy_of(res, "testpower", "system"), 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(pkg, energy_of(res, "testpower", "pkg"), 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "cpu_share"), 0.25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "attributed_system"), 0.25 * system, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "attributed_pkg"), 0.25 * pkg, 1e-9);
	const json_t *sources = json_object_get(res, "energy_sources");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(sources, "system")), "testpower");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(sources, "cpu_share")), "testcpu");
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(res, "attribution"), "rule")), "cpu_share");
	const json_t *cost = json_object_get(res, "monitor_cost");
	CU_ASSERT(num(cost, "cpu_time_s") > 0);
	CU_ASSERT(num(cost, "peak_rss_kib") > 0);
	json_decref(res);
}

static void test_interval_statistics_reported(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.05}",
	                      0.5, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *s = json_object_get(monitor_of(res, "testpower"), "sampling");
	double median = num(s, "interval_median_s"), p95 = num(s, "interval_p95_s");
	/* a scheduler that works at all lands near its deadlines; generous bounds
	 * because the test machine may be loaded */
	CU_ASSERT(median > 0.025 && median < 0.075);
	CU_ASSERT(p95 >= median);
	json_decref(res);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"constant power integrates exactly", test_constant_power_integrates_exactly},
		{"wrapping counter and required interval", test_wrapping_counter_and_required_interval},
		{"failed samples leave a visible gap", test_failed_samples_leave_a_visible_gap},
		{"blocking plugin does not stall others", test_blocking_plugin_does_not_stall_others},
		{"start failure names the plugin", test_start_failure_names_the_plugin},
		{"silent source is a placeholder with reason", test_silent_source_is_a_placeholder_with_reason},
		{"composite: no nested sums, attribution by share",
		 test_composite_never_adds_nested_scopes_and_attributes_by_share},
		{"interval statistics reported", test_interval_statistics_reported},
		CU_TEST_INFO_NULL,
	};
	return run_suite("monitor", tests);
}
