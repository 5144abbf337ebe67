/*
 * Plugins that never return from a call made at stop: the monitor waits at
 * most its bound (or until em_monitor_abandon()), reports what the source
 * covered with a gap to the end, and the abandoned thread, released later,
 * only touches memory the host still owns (run under ASan). The `hang`
 * test plugin blocks on a pipe until the test closes it: nothing here
 * depends on how long anything takes.
 */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_ABANDONED 8 /* EM_ABANDONED_PER_PLUGIN_MAX, as documented */

struct hung {
	int release[2]; /* the plugin blocks reading [0] until [1] is closed */
	int notify[2];  /* the plugin writes 'S' per sample, 'H' when it hangs, 'D' on destroy */
	struct em_config *cfg;
	struct em_monitor *mon;
	const char *plugin; /* "hang", or hang built under another name */
};

static int hung_create_of(struct hung *h, const char *plugin, const char *in, int from_sample, double interval_s)
{
	if (pipe(h->release) || pipe(h->notify))
		return -1;
	h->plugin = plugin;
	char json[768];
	snprintf(json, sizeof(json),
	         "{\"lithops\": {\"energy_strategy\": \"%s\"}, \"energy_sampling_interval\": %g, \"%s_fd\": %d,"
	         " \"%s_notify_fd\": %d, \"%s_in\": \"%s\", \"%s_from_sample\": %d}",
	         plugin, interval_s, plugin, h->release[0], plugin, h->notify[1], plugin, in, plugin, from_sample);
	struct em_error err = {0};
	if (em_config_load_string(json, &h->cfg, &err) || em_monitor_create(h->cfg, 0, &h->mon, &err)) {
		fprintf(stderr, "\n    %s\n", err.message);
		return -1;
	}
	return 0;
}

static int hung_create(struct hung *h, const char *in, int from_sample, double interval_s)
{
	return hung_create_of(h, "hang", in, from_sample, interval_s);
}

/* The next byte the plugin wrote (blocks until it writes one). */
static char hung_heard(struct hung *h)
{
	char c = 0;
	while (read(h->notify[0], &c, 1) < 0 && errno == EINTR)
		;
	return c;
}

static json_t *result_of(struct em_monitor *mon)
{
	char *text = em_monitor_result_json(mon);
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return res;
}

/* Release the plugin and wait until its abandoned threads have ended. */
static void release_and_wait(struct hung *h)
{
	close(h->release[1]);
	wait_abandoned_gone(h->plugin);
	close(h->release[0]);
	close(h->notify[0]);
	close(h->notify[1]);
}

static const json_t *hang_result(const json_t *res)
{
	return json_object_get(json_object_get(res, "monitors"), "hang");
}

static const json_t *power_series(const json_t *src)
{
	return json_array_get(json_object_get(src, "series"), 0);
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Abandoned in the final sample: duration is what was covered, not
 * "0 minus the start"; the gap runs to the end of the run, and the run's
 * own duration is not stretched by the wait. */
static void test_hung_final_sample_is_abandoned_after_the_bound(void)
{
	struct hung h;
	CU_ASSERT_EQUAL_FATAL(hung_create(&h, "sample", 2, 100), 0);
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(h.mon, &err), 0);
	CU_ASSERT_EQUAL(hung_heard(&h), 'S'); /* the first sample ran before the run ends */
	CU_ASSERT_EQUAL(em_monitor_stop(h.mon, &err), 0); /* 100 s interval: gives up after 10 s, not 300 s */
	json_t *res = result_of(h.mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *src = hang_result(res), *power = power_series(src);
	const json_t *ab = json_object_get(src, "abandoned");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ab, "call")), "sample");
	ASSERT_CONTAINS(json_string_value(json_object_get(ab, "reason")), "did not return within 10.0 s of stop");
	CU_ASSERT(json_is_false(json_object_get(src, "complete")));
	double duration = num(src, "duration");
	CU_ASSERT(duration >= 0);
	CU_ASSERT_DOUBLE_EQUAL(duration, num(power, "covered_s"), 0.01);
	const json_t *gap = json_array_get(json_object_get(power, "gaps"), 0);
	ASSERT_CONTAINS(json_string_value(json_object_get(gap, "reason")), "abandoned");
	double run_end = num(res, "timestamp") + num(res, "duration");
	CU_ASSERT_DOUBLE_EQUAL(num(gap, "to"), run_end, 0.01);
	CU_ASSERT_DOUBLE_EQUAL(num(gap, "from"), num(src, "timestamp") + duration, 0.01);
	json_decref(res);
	release_and_wait(&h);
	em_monitor_destroy(h.mon);
	em_config_free(h.cfg);
}

/* stop() and get_data() are bounded too: the samples taken count. */
static void test_hung_stop_or_get_data_is_abandoned(void)
{
	const char *methods[] = {"stop", "get_data"};
	for (size_t i = 0; i < 2; i++) {
		struct hung h;
		CU_ASSERT_EQUAL_FATAL(hung_create(&h, methods[i], 1000, 0.5), 0);
		struct em_error err = {0};
		CU_ASSERT_EQUAL_FATAL(em_monitor_start(h.mon, &err), 0);
		CU_ASSERT_EQUAL(em_monitor_stop(h.mon, &err), 0);
		json_t *res = result_of(h.mon);
		CU_ASSERT_PTR_NOT_NULL_FATAL(res);
		const json_t *src = hang_result(res);
		const json_t *ab = json_object_get(src, "abandoned");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ab, "call")), methods[i]);
		ASSERT_CONTAINS(json_string_value(json_object_get(ab, "reason")), "did not return within 5.0 s");
		CU_ASSERT(json_is_false(json_object_get(src, "complete")));
		/* the final sample returned: the energy of the whole run is there */
		CU_ASSERT(json_is_number(json_object_get(json_object_get(src, "energy"), "system")));
		CU_ASSERT_DOUBLE_EQUAL(num(src, "duration"), num(power_series(src), "covered_s"), 0.01);
		json_decref(res);
		release_and_wait(&h);
		em_monitor_destroy(h.mon);
		em_config_free(h.cfg);
	}
}

static void *abandon_when_hung(void *arg)
{
	struct hung *h = arg;
	char c;
	while ((c = hung_heard(h)) == 'S')
		;
	if (c == 'H')
		em_monitor_abandon(h->mon);
	return NULL;
}

/* The CLI's second Ctrl-C: em_monitor_abandon() from another thread while
 * stop waits. Then the monitor and the config are freed before the plugin
 * returns; when it does, it reads its config, logs and emits, and its
 * instance is destroyed by the thread: ASan sees no use after free. */
static void test_abandon_from_another_thread_then_destroy_before_release(void)
{
	struct hung h;
	CU_ASSERT_EQUAL_FATAL(hung_create(&h, "sample", 2, 100), 0);
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(h.mon, &err), 0);
	pthread_t helper;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&helper, NULL, abandon_when_hung, &h), 0);
	CU_ASSERT_EQUAL(em_monitor_stop(h.mon, &err), 0);
	pthread_join(helper, NULL);
	json_t *res = result_of(h.mon);
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(hang_result(res), "abandoned"), "reason")),
	                "em_monitor_abandon() gave up waiting");
	json_decref(res);
	em_monitor_destroy(h.mon);
	em_config_free(h.cfg);
	/* not destroyed while its thread is still inside the plugin */
	CU_ASSERT_EQUAL(fcntl(h.notify[0], F_SETFL, O_NONBLOCK), 0);
	char c;
	CU_ASSERT_EQUAL(read(h.notify[0], &c, 1), -1);
	CU_ASSERT_EQUAL(fcntl(h.notify[0], F_SETFL, 0), 0);
	close(h.release[1]);
	CU_ASSERT_EQUAL(hung_heard(&h), 'D'); /* destroyed once it returned */
	h.release[1] = -1;
	release_and_wait(&h);
}

/* Abandon as many threads inside `plugin` as one process may keep. */
static void abandon_the_most(struct hung h[MAX_ABANDONED], const char *plugin)
{
	struct em_error err = {0};
	for (int i = 0; i < MAX_ABANDONED; i++) {
		CU_ASSERT_EQUAL_FATAL(hung_create_of(&h[i], plugin, "sample", 1, 100), 0);
		CU_ASSERT_EQUAL_FATAL(em_monitor_start(h[i].mon, &err), 0);
		CU_ASSERT_EQUAL_FATAL(hung_heard(&h[i]), 'H');
		em_monitor_abandon(h[i].mon);
		CU_ASSERT_EQUAL(em_monitor_stop(h[i].mon, &err), 0);
		em_monitor_destroy(h[i].mon);
	}
}

/* Two plugins whose names share the first 10 characters (all a 15-byte
 * thread name could keep after "emab:") each have their own cap: threads
 * stuck in one do not refuse the other. */
static void test_the_cap_is_per_plugin_not_per_name_prefix(void)
{
	struct hung h[MAX_ABANDONED];
	abandon_the_most(h, "hangprefix_one");
	CU_ASSERT_EQUAL(threads_abandoned_in("hangprefix_one"), MAX_ABANDONED);
	CU_ASSERT_EQUAL(threads_abandoned_in("hangprefix_two"), 0);
	struct hung other;
	CU_ASSERT_EQUAL_FATAL(hung_create_of(&other, "hangprefix_two", "sample", 1000, 100), 0);
	struct em_monitor *more = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_create(h[0].cfg, 0, &more, &err), -EBUSY); /* the full one still refuses */
	em_monitor_destroy(other.mon);
	release_and_wait(&other);
	em_config_free(other.cfg);
	for (int i = 0; i < MAX_ABANDONED; i++) {
		close(h[i].release[1]); /* all at once: they return together */
		h[i].release[1] = -1;
	}
	for (int i = 0; i < MAX_ABANDONED; i++) {
		release_and_wait(&h[i]);
		em_config_free(h[i].cfg);
	}
}

/* A long-lived process cannot pile up threads stuck in one plugin: at the
 * cap, a new monitor of it is refused with the reason; once they return,
 * it is accepted again. */
static void test_abandoned_threads_are_capped_per_plugin(void)
{
	struct hung h[MAX_ABANDONED];
	struct em_error err = {0};
	abandon_the_most(h, "hang");
	CU_ASSERT_EQUAL(threads_abandoned_in("hang"), MAX_ABANDONED);
	struct em_monitor *one_more = NULL;
	CU_ASSERT_EQUAL(em_monitor_create(h[0].cfg, 0, &one_more, &err), -EBUSY);
	ASSERT_CONTAINS(err.message, "8 threads of plugin 'hang' abandoned earlier in this process");
	for (int i = 0; i < MAX_ABANDONED; i++)
		close(h[i].release[1]);
	for (int i = 0; i < MAX_ABANDONED; i++) {
		release_and_wait(&h[i]);
		if (i > 0)
			em_config_free(h[i].cfg);
	}
	CU_ASSERT_EQUAL(em_monitor_create(h[0].cfg, 0, &one_more, &err), 0);
	em_monitor_destroy(one_more);
	em_config_free(h[0].cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"hung final sample is abandoned after the bound", test_hung_final_sample_is_abandoned_after_the_bound},
		{"hung stop or get_data is abandoned", test_hung_stop_or_get_data_is_abandoned},
		{"abandon from another thread, destroy before release",
		 test_abandon_from_another_thread_then_destroy_before_release},
		{"abandoned threads are capped per plugin", test_abandoned_threads_are_capped_per_plugin},
		{"the cap is per plugin, not per name prefix", test_the_cap_is_per_plugin_not_per_name_prefix},
		CU_TEST_INFO_NULL,
	};
	return run_suite("abandon", tests);
}
