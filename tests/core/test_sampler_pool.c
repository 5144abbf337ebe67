/*
 * energy_sampler_threads: many sources sampled by a few shared threads.
 * Fifty sources of a test plugin with a known constant power on two
 * threads keep their schedule (no missed deadline: the plugin is idle
 * work) and give the results a thread per source gives; windows on a
 * pooled continuous monitor get their samples at once (a window's request
 * moves the source's turn forward); the key's bad values are refused
 * naming it and its range.
 */
#include "test_util.h"

#include <math.h>

#define NSOURCES 50
#define INTERVAL_S 0.25
#define RUN_S 1.6

/* {"lithops": {"energy_strategy": ["testpower:p01", ...]}, ...} */
static void fleet_json(char *out, size_t len, size_t n, unsigned threads, double interval_s, const char *extra)
{
	size_t used = (size_t)snprintf(out, len, "{\"lithops\": {\"energy_strategy\": [");
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s\"testpower:p%02zu\"", i ? ", " : "", i + 1);
	snprintf(out + used, len - used, "]}, \"energy_sampling_interval\": %g, \"energy_sampler_threads\": %u%s}",
	         interval_s, threads, extra);
}

static const json_t *monitor_of(const json_t *res, size_t i)
{
	char id[32];
	snprintf(id, sizeof(id), "testpower:p%02zu", i + 1);
	return json_object_get(json_object_get(res, "monitors"), id);
}

static double num_at(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(b ? json_object_get(o, a) : o, b ? b : a);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The time the metric `key` of a source's result covers. */
static double covered_by(const json_t *src, const char *key)
{
	size_t i;
	const json_t *m;
	json_array_foreach(json_object_get(src, "metrics"), i, m)
		if (json_is_string(json_object_get(m, "key")) && !strcmp(json_string_value(json_object_get(m, "key")), key))
			return num_at(m, "covered_s", NULL);
	return NAN;
}

/* What a source's result says that does not depend on when its samples
 * fell: its energy per second of measurement (100 W system, 50 W package),
 * completeness and the shape of its result. */
static void check_source(const json_t *src, size_t scheduled_min)
{
	double duration = num_at(src, "duration", NULL);
	CU_ASSERT(duration > 0);
	CU_ASSERT_DOUBLE_EQUAL(num_at(src, "energy", "system") / covered_by(src, "system"), 100.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(num_at(src, "energy", "pkg") / covered_by(src, "pkg"), 50.0, 1e-3);
	CU_ASSERT(json_is_true(json_object_get(src, "complete")));
	CU_ASSERT_EQUAL(num_at(src, "sampling", "missed_deadlines"), 0);
	CU_ASSERT_EQUAL(num_at(src, "sampling", "failed_samples"), 0);
	CU_ASSERT(num_at(src, "sampling", "samples") >= (double)scheduled_min);
	CU_ASSERT_PTR_NULL(json_object_get(src, "abandoned"));
}

/* The member names of an object, joined: two results of the same shape
 * name the same members. */
static void shape(const json_t *o, char *out, size_t len)
{
	const char *key;
	json_t *v;
	out[0] = '\0';
	json_object_foreach((json_t *)o, key, v) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", key, json_is_object(v) ? "{}," : ",");
	}
}

static void test_fifty_sources_on_two_threads_keep_the_schedule(void)
{
	static char json[8192];
	/* every deadline the run holds: the first sample, one per interval,
	 * the last at stop (one fewer, so a deadline landing on stop counts) */
	size_t scheduled_min = 1 + (size_t)floor(RUN_S / INTERVAL_S);
	fleet_json(json, sizeof(json), NSOURCES, 2, INTERVAL_S, "");
	struct em_error err = {0};
	json_t *pooled = measure(json, RUN_S, NULL, &err);
	if (!pooled)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pooled);
	fleet_json(json, sizeof(json), NSOURCES, 0, INTERVAL_S, "");
	json_t *threaded = measure(json, RUN_S, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(threaded);
	CU_ASSERT_EQUAL(json_object_size(json_object_get(pooled, "monitors")), NSOURCES);
	for (size_t i = 0; i < NSOURCES; i++) {
		const json_t *p = monitor_of(pooled, i), *t = monitor_of(threaded, i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		check_source(p, scheduled_min);
		check_source(t, scheduled_min);
		char ps[1024], ts[1024];
		shape(p, ps, sizeof(ps));
		shape(t, ts, sizeof(ts));
		CU_ASSERT_STRING_EQUAL(ps, ts);
		shape(json_object_get(p, "energy"), ps, sizeof(ps));
		shape(json_object_get(t, "energy"), ts, sizeof(ts));
		CU_ASSERT_STRING_EQUAL(ps, ts);
		/* the same samples, give or take the one a stop lands beside */
		CU_ASSERT(fabs(num_at(p, "sampling", "samples") - num_at(t, "sampling", "samples")) <= 1);
	}
	json_decref(pooled);
	json_decref(threaded);
}

/* A pooled continuous monitor with a long interval: the only samples in
 * a window are the two it asks for, taken at once, not at the next
 * deadline 10 s away (which would also have made the result say late). */
static void test_windows_on_a_pooled_continuous_monitor(void)
{
	char json[1024];
	fleet_json(json, sizeof(json), 3, 1, 10, "");
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL, *res = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(json, &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create_continuous(cfg, &mon, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	for (int round = 0; round < 3; round++) {
		struct em_window *w = NULL;
		const char *ids[] = {"testpower:p02", "testpower:p03"};
		CU_ASSERT_EQUAL_FATAL(em_window_begin(mon, 0, round ? ids : NULL, round ? 2 : 0, &w, &err), 0);
		sleep_s(0.2);
		CU_ASSERT_EQUAL_FATAL(em_window_end(mon, w, &res, &err), 0);
		char *text = em_monitor_result_json(res);
		json_t *r = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(json_object_size(json_object_get(r, "monitors")), round ? 2u : 3u);
		for (size_t i = round ? 1 : 0; i < 3; i++) {
			const json_t *src = monitor_of(r, i);
			CU_ASSERT_EQUAL(num_at(src, "sampling", "samples"), 2);
			CU_ASSERT_EQUAL(num_at(src, "sampling", "missed_deadlines"), 0);
			CU_ASSERT_PTR_NULL(json_object_get(json_object_get(src, "notes"), "window_sample_late"));
			double duration = num_at(src, "duration", NULL);
			CU_ASSERT(duration >= 0.2 && duration < 2.0);
			CU_ASSERT_DOUBLE_EQUAL(num_at(src, "energy", "system") / covered_by(src, "system"), 100.0, 1e-6);
		}
		json_decref(r);
		em_monitor_destroy(res);
	}
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

static void test_bad_thread_counts_name_the_key_and_range(void)
{
	const char *bad[] = {"-1", "257", "1.5", "\"4\"", "true", "1e9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char json[256];
		snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": \"testpower\"}, "
		         "\"energy_sampler_threads\": %s}", bad[i]);
		expect_error(json, "energy_sampler_threads: expected a whole number from 0");
		expect_error(json, "to 256");
	}
	/* per instance it is not: one pool serves the whole monitor */
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower:a\"}, \"testpower:a\": "
	             "{\"energy_sampler_threads\": 2}}", "testpower:a.energy_sampler_threads");
	/* the edges are accepted */
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_from_json("{\"lithops\": {\"energy_strategy\": \"testpower\"}, "
	                                 "\"energy_sampler_threads\": 0}", &err), 0);
	CU_ASSERT_EQUAL(create_from_json("{\"lithops\": {\"energy_strategy\": \"testpower\"}, "
	                                 "\"energy_sampler_threads\": 256}", &err), 0);
}

/* More threads than sources: the spare ones are not made, and one source
 * on a pool measures as it would alone. */
static void test_one_source_on_a_big_pool(void)
{
	char json[1024];
	fleet_json(json, sizeof(json), 1, 256, 0.05, "");
	struct em_error err = {0};
	json_t *res = measure(json, 0.3, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	check_source(monitor_of(res, 0), 3);
	json_decref(res);
}

int main(void)
{
	/* the suite sets the pool itself; a forced one would hide the thread-per-source side */
	unsetenv("ENERGYMON_TEST_SAMPLER_THREADS");
	CU_TestInfo tests[] = {
		{"fifty sources on two threads keep the schedule", test_fifty_sources_on_two_threads_keep_the_schedule},
		{"windows on a pooled continuous monitor", test_windows_on_a_pooled_continuous_monitor},
		{"bad thread counts name the key and range", test_bad_thread_counts_name_the_key_and_range},
		{"one source on a big pool", test_one_source_on_a_big_pool},
		CU_TEST_INFO_NULL,
	};
	return run_suite("sampler pool", tests);
}
