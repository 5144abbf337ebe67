/* The monitor end to end with test plugins whose truth is known. */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

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
	/* A sampler starved for a whole wrap period (40 ms) on a loaded machine
	 * misses a wrap no host could see: exact only when none was that late,
	 * and never more than the truth. */
	double truth = 50 * num(pkg, "covered_s");
	if (num(json_object_get(tp, "sampling"), "interval_max_s") < 0.04)
		CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "pkg"), truth, 1e-6);
	CU_ASSERT(energy_of(res, "testpower", "pkg") <= truth + 1e-6);
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
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(tp, "sampling"), "failed_samples")) >= 1);
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(tp, "sampling"), "first_failure")),
	                "simulated failure");
	/* energy covers only what was measured, never interpolated over the gap */
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "system"), 100 * num(power, "covered_s"), 1e-6);
	CU_ASSERT(num(power, "covered_s") + num(power, "gap_s") <= num(tp, "duration") + 1e-3);
	json_decref(res);
}

/* testpower's 20 J counter at 50 W wraps every 0.4 s and declares 0.2 s
 * as wrap-safe; samples fail for 0.7 s, so the counter wrapped once or
 * twice unseen: that span is a gap, not counted, and the energy is exactly
 * the measured time's. */
static void test_counter_gap_beyond_wrap_safe_interval_is_not_counted(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 1,"
	                      " \"testpower_counter_max\": 20, \"testpower_fail_from\": 0.2, \"testpower_fail_to\": 0.9}",
	                      1.2, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *tp = monitor_of(res, "testpower");
	const json_t *pkg = series_of(tp, "energy", "package-0");
	CU_ASSERT(num(pkg, "gap_s") >= 0.7);
	ASSERT_CONTAINS(json_string_value(json_object_get(json_array_get(json_object_get(pkg, "gaps"), 0), "reason")),
	                "wrapped more than once");
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "pkg"), 50 * num(pkg, "covered_s"), 1e-6);
	CU_ASSERT(json_is_false(json_object_get(tp, "complete")));
	json_decref(res);
}

/* One source hung inside sample() for the whole run (the `hang` plugin
 * blocks on a pipe nobody writes to) does not keep the other from sampling
 * and finishing its stop() and get_data(). */
static void test_blocking_plugin_does_not_stall_others(void)
{
	int release[2];
	CU_ASSERT_EQUAL_FATAL(pipe(release), 0);
	char json[300];
	snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": [\"hang\", \"testpower\"]},"
	         " \"energy_sampling_interval\": 0.05, \"hang_fd\": %d, \"hang_from_sample\": 1}", release[0]);
	struct em_error err = {0};
	struct em_monitor *mon = NULL;
	json_t *res = measure(json, 0.3, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *good = monitor_of(res, "testpower"), *hung = monitor_of(res, "hang");
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(good, "sampling"), "samples")) >= 2);
	CU_ASSERT(json_is_true(json_object_get(good, "complete")));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(good, "final_readings")); /* its get_data() ran */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(hung, "abandoned"), "call")), "sample");
	CU_ASSERT(json_is_false(json_object_get(hung, "complete")));
	json_decref(res);
	em_monitor_destroy(mon);
	close(release[1]); /* the abandoned thread returns, cleans up alone */
	wait_abandoned_gone("hang");
	close(release[0]);
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
	double median = num(s, "interval_median_s"), p95 = num(s, "interval_p95_s"), max = num(s, "interval_max_s");
	/* how well the schedule is kept depends on the machine's load: only the
	 * statistics' own consistency is asserted */
	CU_ASSERT(median > 0);
	CU_ASSERT(p95 >= median);
	CU_ASSERT(max >= p95);
	json_decref(res);
}

/* Sensor names come from devices (a BMC's SDR): bytes that are not UTF-8
 * are replaced, and the series is kept, never dropped from the JSON. */
static void test_invalid_utf8_sensor_name_survives_sanitised(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"sensornames\"}, \"energy_sampling_interval\": 0.05}",
	                      0.2, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *src = monitor_of(res, "sensornames");
	const json_t *power = series_of(src, "power", "PSU?( In?");
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	CU_ASSERT(json_integer_value(json_object_get(power, "readings")) >= 3);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "sensornames", "system"), 100 * num(power, "covered_s"), 1e-6);
	json_decref(res);
}

static void test_series_per_source_are_capped_and_drops_counted(void)
{
	/* 1000 new names at start() and at each of the two samples (the first,
	 * and the last at stop; the interval is longer than the run) */
	const char *configs[] = {
		"{\"lithops\": {\"energy_strategy\": \"sensornames\"}, \"energy_sampling_interval\": 100,"
		" \"sensornames_new_per_call\": 1000}",
		"{\"lithops\": {\"energy_strategy\": \"sensornames\"}, \"energy_sampling_interval\": 100,"
		" \"sensornames_new_per_call\": 1000, \"energy_max_series\": 10}",
	};
	const size_t limits[] = {1024, 10};
	for (size_t i = 0; i < 2; i++) {
		struct em_error err = {0};
		json_t *res = measure(configs[i], 0, NULL, &err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(res);
		const json_t *src = monitor_of(res, "sensornames");
		double invented = num(json_object_get(json_object_get(src, "notes"), "invented"), "value");
		CU_ASSERT_DOUBLE_EQUAL(invented, 3000, 0);
		CU_ASSERT_EQUAL(json_array_size(json_object_get(src, "series")), limits[i]);
		const json_t *dropped = json_object_get(src, "dropped_readings");
		/* the power series came first; every invented name beyond the cap is counted */
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(dropped, "count")), (json_int_t)(invented - (double)limits[i] + 1));
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(dropped, "series_limit")), (json_int_t)limits[i]);
		ASSERT_CONTAINS(json_string_value(json_object_get(dropped, "reason")), "energy_max_series");
		CU_ASSERT(json_is_false(json_object_get(src, "complete")));
		CU_ASSERT(json_is_number(json_object_get(json_object_get(src, "energy"), "system")));
		json_decref(res);
	}
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_string("{\"energy_max_series\": 0}", &cfg, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "energy_max_series: expected a whole number of series per source");
	em_config_free(cfg);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ssize_t n = 0;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	int rc = in >= 0 && out >= 0 && n == 0 ? 0 : -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* `auto` over a plugin dir holding exactly the named plugins. */
static int auto_over(const char *dir, const char *const *plugins, struct em_monitor **mon, struct em_error *err)
{
	for (size_t i = 0; plugins[i]; i++) {
		char from[4096], to[4096];
		snprintf(from, sizeof(from), "%s/%s.so", getenv("ENERGYMON_TEST_PLUGIN_DIR"), plugins[i]);
		snprintf(to, sizeof(to), "%s/%s.so", dir, plugins[i]);
		if (copy_file(from, to))
			return -EIO;
	}
	char saved[4096];
	snprintf(saved, sizeof(saved), "%s", getenv("ENERGYMON_PLUGIN_PATH") ? getenv("ENERGYMON_PLUGIN_PATH") : "");
	setenv("ENERGYMON_PLUGIN_PATH", dir, 1);
	struct em_config *cfg = NULL;
	int rc = em_config_load_string("{\"lithops\": {\"energy_strategy\": \"auto\"}}", &cfg, err);
	if (!rc && !(rc = em_monitor_create(cfg, 0, mon, err)))
		rc = em_monitor_start(*mon, err);
	em_config_free(cfg);
	setenv("ENERGYMON_PLUGIN_PATH", saved, 1);
	for (size_t i = 0; plugins[i]; i++) {
		char to[4096];
		snprintf(to, sizeof(to), "%s/%s.so", dir, plugins[i]);
		unlink(to);
	}
	return rc;
}

/* Under auto a plugin whose start() fails is skipped with its reason, as
 * one that cannot load; when none can start, start fails naming why. */
static void test_auto_skips_a_plugin_whose_start_fails(void)
{
	char dir[] = "/tmp/energymon-auto-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	struct em_error err = {0};
	struct em_monitor *mon = NULL;
	const char *both[] = {"failstart", "testpower", NULL};
	CU_ASSERT_EQUAL(auto_over(dir, both, &mon, &err), 0);
	if (mon && em_monitor_stop(mon, &err) == 0) {
		char *text = em_monitor_result_json(mon);
		json_t *res = json_loads(text, 0, NULL);
		const json_t *failed = monitor_of(res, "failstart");
		CU_ASSERT(json_is_false(json_object_get(failed, "available")));
		ASSERT_CONTAINS(json_string_value(json_object_get(failed, "reason")),
		                "start failed: device 127.0.0.1:1 refused the session");
		ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(res, "unavailable"), "failstart")),
		                "start failed");
		CU_ASSERT(json_is_number(json_object_get(json_object_get(res, "energy"), "system")));
		json_decref(res);
		free(text);
	}
	em_monitor_destroy(mon);
	mon = NULL;
	const char *only_failing[] = {"failstart", NULL};
	CU_ASSERT_EQUAL(auto_over(dir, only_failing, &mon, &err), -ENODEV);
	ASSERT_CONTAINS(err.message, "no energy source could start here: failstart: start failed");
	em_monitor_destroy(mon);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"constant power integrates exactly", test_constant_power_integrates_exactly},
		{"wrapping counter and required interval", test_wrapping_counter_and_required_interval},
		{"failed samples leave a visible gap", test_failed_samples_leave_a_visible_gap},
		{"counter gap beyond the wrap-safe interval is not counted",
		 test_counter_gap_beyond_wrap_safe_interval_is_not_counted},
		{"blocking plugin does not stall others", test_blocking_plugin_does_not_stall_others},
		{"start failure names the plugin", test_start_failure_names_the_plugin},
		{"silent source is a placeholder with reason", test_silent_source_is_a_placeholder_with_reason},
		{"composite: no nested sums, attribution by share",
		 test_composite_never_adds_nested_scopes_and_attributes_by_share},
		{"interval statistics reported", test_interval_statistics_reported},
		{"invalid UTF-8 sensor name survives sanitised", test_invalid_utf8_sensor_name_survives_sanitised},
		{"series per source are capped, drops counted", test_series_per_source_are_capped_and_drops_counted},
		{"auto skips a plugin whose start() fails", test_auto_skips_a_plugin_whose_start_fails},
		CU_TEST_INFO_NULL,
	};
	return run_suite("monitor", tests);
}
