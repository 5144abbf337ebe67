/*
 * energy_sampling_interval inside an instance's section: each source of a
 * fleet keeps its own pace, on its own thread or on the shared pool, its
 * result says the interval it asked for and the one used, and a state
 * document carries both. Bad values name the section's key.
 */
#include "test_util.h"

#include <errno.h>
#include <math.h>

static const char *const CONFIG =
	"{\"lithops\": {\"energy_strategy\": [\"testpower:fast\", \"testpower:slow\"]},"
	" \"energy_sampling_interval\": 0.4, \"energy_sampler_threads\": %u,"
	" \"testpower:fast\": {\"energy_sampling_interval\": 0.05}, \"testpower:slow\": {\"testpower_watts\": 7}}";

static double sampling(const json_t *res, const char *id, const char *key)
{
	const json_t *s = json_object_get(json_object_get(json_object_get(json_object_get(res, "monitors"), id),
	                                                  "sampling"), key);
	return json_is_number(s) ? json_number_value(s) : NAN;
}

static void check_paces(const json_t *res)
{
	CU_ASSERT_DOUBLE_EQUAL(sampling(res, "testpower:fast", "interval_requested_s"), 0.05, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sampling(res, "testpower:fast", "interval_used_s"), 0.05, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sampling(res, "testpower:slow", "interval_requested_s"), 0.4, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sampling(res, "testpower:slow", "interval_used_s"), 0.4, 1e-12);
}

/* 0.9 s: the fast one holds 18 deadlines, the slow one 2 (and the first
 * and last samples each); a late machine adds missed deadlines, never
 * samples, so the counts are bounded both ways. */
static void run_both(unsigned threads)
{
	char json[1024];
	snprintf(json, sizeof(json), CONFIG, threads);
	struct em_error err = {0};
	struct em_monitor *mon = NULL;
	json_t *res = measure(json, 0.9, &mon, &err);
	if (!res)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	check_paces(res);
	double fast = sampling(res, "testpower:fast", "samples") + sampling(res, "testpower:fast", "missed_deadlines");
	double slow = sampling(res, "testpower:slow", "samples") + sampling(res, "testpower:slow", "missed_deadlines");
	CU_ASSERT(fast >= 15);
	CU_ASSERT(slow >= 3 && slow <= 6);
	CU_ASSERT(sampling(res, "testpower:slow", "samples") <= 6);
	/* the section's plugin key still applies beside it */
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(json_object_get(
	                           json_object_get(res, "monitors"), "testpower:slow"), "energy"), "avg_power")), 7, 1e-9);
	/* the state document carries each source's own request */
	char *state = em_monitor_state_json(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(state);
	struct em_config *cfg = NULL;
	struct em_monitor *back = NULL;
	CU_ASSERT_EQUAL_FATAL(em_config_new(&cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_from_state(state, strlen(state), cfg, &back, &err), 0);
	char *text = em_monitor_result_json(back);
	json_t *again = text ? json_loads(text, 0, NULL) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	check_paces(again);
	json_decref(again);
	free(text);
	free(state);
	em_monitor_destroy(back);
	em_config_free(cfg);
	em_monitor_destroy(mon);
	json_decref(res);
}

static void test_each_instance_keeps_its_own_interval(void)
{
	run_both(0);
}

static void test_each_instance_keeps_its_own_interval_on_the_pool(void)
{
	run_both(1);
}

static void test_bad_instance_intervals_name_the_section_key(void)
{
	const char *bad[] = {"0", "-1", "86401", "\"1\"", "null"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char json[256];
		snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": \"testpower:a\"}, \"testpower:a\": "
		         "{\"energy_sampling_interval\": %s}}", bad[i]);
		expect_error(json, "testpower:a.energy_sampling_interval: expected a finite number of seconds > 0");
	}
	/* --set takes it too, and the same range is checked at create */
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_new(&cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "lithops.energy_strategy", "testpower:a", &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower:a.energy_sampling_interval", "0.25", &err), 0);
	CU_ASSERT_EQUAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	em_monitor_destroy(mon);
	mon = NULL;
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower:a.energy_sampling_interval", "-2", &err), 0);
	CU_ASSERT_EQUAL(em_monitor_create(cfg, 0, &mon, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "testpower:a.energy_sampling_interval: expected a finite number");
	em_monitor_destroy(mon);
	em_config_free(cfg);
	/* other host keys stay top-level only, and the message says which one may be set */
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower:a\"}, \"testpower:a\": "
	             "{\"energy_max_series\": 5}}", "(but energy_sampling_interval)");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"each instance keeps its own interval", test_each_instance_keeps_its_own_interval},
		{"each instance keeps its own interval on the pool", test_each_instance_keeps_its_own_interval_on_the_pool},
		{"bad instance intervals name the section key", test_bad_instance_intervals_name_the_section_key},
		CU_TEST_INFO_NULL,
	};
	return run_suite("per-instance interval", tests);
}
