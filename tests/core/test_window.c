/* Continuous monitors and their windows, with test plugins whose truth is
 * known: a window's energy is the integral between its two samples, for
 * any length; windows overlap, come from many threads at once, follow
 * process trees, and read like any stopped monitor. */
#include "../../core/window_internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* as tests/core/plugins/targetplug.c */
#define TARGETPLUG_RATE(pid) (0.001 * (double)((pid) % 97 + 1))

static struct em_monitor *continuous(const char *strategy, double interval_s, const char *extra)
{
	char json[512];
	snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": \"%s\"}, \"energy_sampling_interval\": %g%s%s}",
	         strategy, interval_s, extra ? ", " : "", extra ? extra : "");
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_string(json, &cfg, &err), 0);
	if (cfg && (em_monitor_create_continuous(cfg, &mon, &err) || em_monitor_start(mon, &err))) {
		fprintf(stderr, "\n    %s\n", err.message);
		em_monitor_destroy(mon);
		mon = NULL;
	}
	em_config_free(cfg);
	return mon;
}

/* The window's result as parsed JSON (the result monitor destroyed unless kept). */
static json_t *end_window(struct em_monitor *mon, struct em_window *w, struct em_monitor **keep)
{
	struct em_monitor *res = NULL;
	struct em_error err = {0};
	int rc = em_window_end(mon, w, &res, &err);
	if (rc)
		fprintf(stderr, "\n    em_window_end: %s\n", err.message);
	CU_ASSERT_EQUAL(rc, 0);
	char *text = res ? em_monitor_result_json(res) : NULL;
	json_t *out = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (keep)
		*keep = res;
	else
		em_monitor_destroy(res);
	return out;
}

static struct em_window *begin(struct em_monitor *mon, pid_t root)
{
	struct em_window *w = NULL;
	struct em_error err = {0};
	int rc = em_window_begin(mon, root, NULL, 0, &w, &err);
	if (rc)
		fprintf(stderr, "\n    em_window_begin: %s\n", err.message);
	CU_ASSERT_EQUAL(rc, 0);
	return w;
}

static const json_t *monitor_of(const json_t *res, const char *name)
{
	return json_object_get(json_object_get(res, "monitors"), name);
}

static const json_t *series_of(const json_t *src, const char *quantity, const char *sensor)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(src, "series"), i, s) {
		const char *q = json_string_value(json_object_get(s, "quantity"));
		if (q && !strcmp(q, quantity) && !strcmp(json_string_value(json_object_get(s, "sensor")), sensor))
			return s;
	}
	return NULL;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* testpower's truth in one window result: 100 W system power integrated
 * exactly between the window's first and last readings, and the 50 W
 * package counter's delta over the time its series covers. */
static void check_testpower_truth(const json_t *res)
{
	const json_t *tp = monitor_of(res, "testpower");
	const json_t *power = series_of(tp, "power", "test"), *pkg = series_of(tp, "energy", "package-0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pkg);
	double covered = num(power, "covered_s");
	CU_ASSERT(covered > 0);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "system"), 100 * covered, 1e-9 * 100 * covered + 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "system"), 100 * covered, 1e-9 * 100 * covered + 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "pkg"), 50 * num(pkg, "covered_s"), 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "avg_power"), 100, 1e-9);
	CU_ASSERT(json_is_true(json_object_get(tp, "complete")));
	CU_ASSERT(json_is_false(json_object_get(res, "placeholder")));
	/* the points bracket what was integrated: the first is the reading the
	 * window begins at, the last the one it ends at */
	const json_t *pts = json_object_get(power, "points");
	size_t n = json_array_size(pts);
	CU_ASSERT_FATAL(n >= 2);
	CU_ASSERT_EQUAL((json_int_t)n, json_integer_value(json_object_get(power, "readings")));
	double first = json_real_value(json_array_get(json_array_get(pts, 0), 0));
	double last = json_real_value(json_array_get(json_array_get(pts, n - 1), 0));
	CU_ASSERT_DOUBLE_EQUAL(last - first, covered, 1e-3);
}

static void test_window_energy_is_the_integral_between_its_samples(void)
{
	struct em_monitor *mon = continuous("testpower", 0.02, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	sleep_s(0.1);
	double t_begin = wall_now();
	struct em_window *w = begin(mon, 0);
	double t_begun = wall_now();
	sleep_s(0.3);
	double t_end = wall_now();
	json_t *res = end_window(mon, w, NULL);
	double t_ended = wall_now();
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	check_testpower_truth(res);
	/* the samples were taken inside each call, not before nor after:
	 * nothing from before the window, nothing missing at its end */
	const json_t *pts = json_object_get(series_of(monitor_of(res, "testpower"), "power", "test"), "points");
	double first = json_real_value(json_array_get(json_array_get(pts, 0), 0));
	double last = json_real_value(json_array_get(json_array_get(pts, json_array_size(pts) - 1), 0));
	CU_ASSERT(first >= t_begin && first <= t_begun);
	CU_ASSERT(last >= t_end && last <= t_ended);
	CU_ASSERT(num(res, "duration") >= 0.3 && num(res, "duration") < 0.3 + (t_ended - t_begin));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "target_pid")), 0);
	/* no final readings: those summarise a whole run, not a window */
	CU_ASSERT_PTR_NULL(json_object_get(monitor_of(res, "testpower"), "final_readings"));
	json_decref(res);
	/* the monitor itself goes on and stops as any */
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	char *text = em_monitor_result_json(mon);
	json_t *whole = json_loads(text, 0, NULL);
	free(text);
	CU_ASSERT(energy_of(whole, "testpower", "system") > 100 * 0.4);
	json_decref(whole);
	em_monitor_destroy(mon);
}

static void test_overlapping_windows(void)
{
	struct em_monitor *mon = continuous("testpower", 0.02, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_window *a = begin(mon, 0);
	sleep_s(0.15);
	struct em_window *b = begin(mon, 0);
	sleep_s(0.15);
	json_t *ra = end_window(mon, a, NULL);
	sleep_s(0.3);
	json_t *rb = end_window(mon, b, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	check_testpower_truth(ra);
	check_testpower_truth(rb);
	/* each its own span: a began first, b ended last and lasted longer */
	CU_ASSERT(num(ra, "timestamp") < num(rb, "timestamp"));
	CU_ASSERT(num(ra, "timestamp") + num(ra, "duration") < num(rb, "timestamp") + num(rb, "duration"));
	CU_ASSERT(energy_of(rb, NULL, "system") > energy_of(ra, NULL, "system"));
	json_decref(ra);
	json_decref(rb);
	em_monitor_destroy(mon);
}

/* A window's sample is taken at once, not at the next scheduled one, and
 * is no missed deadline: with a 2 s interval, each begin and end returns
 * long before the schedule would have sampled. */
static void test_window_samples_at_once(void)
{
	struct em_monitor *mon = continuous("testpower", 2.0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	int64_t t0 = em_now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < 5; i++) {
		struct em_window *w = begin(mon, 0);
		sleep_s(0.01);
		json_t *res = end_window(mon, w, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(res);
		check_testpower_truth(res);
		const json_t *sampling = json_object_get(monitor_of(res, "testpower"), "sampling");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(sampling, "samples")), 2);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(sampling, "missed_deadlines")), 0);
		json_decref(res);
	}
	/* well under the first scheduled sample at 2 s (margin for load) */
	CU_ASSERT((double)(em_now_ns(CLOCK_MONOTONIC) - t0) / 1e9 < 1.5);
	em_monitor_destroy(mon);
}

/* More readings than a series keeps: samples asked for by short windows
 * (which must not count as missed deadlines) on top of a 2 ms schedule. */
static void test_long_window_keeps_an_exact_total_and_recent_points(void)
{
	struct em_monitor *mon = continuous("testpower", 0.002, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_window *w = begin(mon, 0);
	double t_begun = wall_now();
	const int pokes = EM_SERIES_POINTS_MAX + 1500;
	for (int i = 0; i < pokes; i++)
		em_window_free(mon, begin(mon, 0));
	json_t *res = end_window(mon, w, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *tp = monitor_of(res, "testpower");
	const json_t *power = series_of(tp, "power", "test");
	json_int_t readings = json_integer_value(json_object_get(power, "readings"));
	CU_ASSERT(readings > pokes);
	double covered = num(power, "covered_s");
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "system"), 100 * covered, 1e-9 * 100 * covered);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "pkg"), 50 * num(series_of(tp, "energy", "package-0"),
	                                                                    "covered_s"), 1e-6);
	/* only the recent half to whole of the bounded list, never thinned */
	const json_t *pts = json_object_get(power, "points");
	size_t n = json_array_size(pts);
	CU_ASSERT(n >= EM_SERIES_POINTS_MAX / 2 && n <= EM_SERIES_POINTS_MAX);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(power, "points_keep_every")), 1);
	double first = json_real_value(json_array_get(json_array_get(pts, 0), 0));
	CU_ASSERT(first > t_begun);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(tp, "notes"), "window_points_partial"));
	CU_ASSERT_DOUBLE_EQUAL(num(power, "mean"), 100, 1e-9);
	const json_t *sampling = json_object_get(tp, "sampling");
	CU_ASSERT(json_integer_value(json_object_get(sampling, "samples")) >= pokes);
	/* a sample asked for is no missed deadline (margin for a loaded machine) */
	CU_ASSERT(json_integer_value(json_object_get(sampling, "missed_deadlines")) < pokes / 2);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* A series' window statistics: recomputed from the kept points when all
 * are kept, from the running sums' difference when not. */
static void test_window_series_statistics(void)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_ENERGY_J,
	                           .scope = ENERGY_SCOPE_CPU_PACKAGE, .sensor = "p"};
	struct em_series s, out;
	em_series_init(&s, &r);
	s.recent_only = true;
	for (int i = 0; i < 3000; i++)
		em_series_push(&s, (int64_t)(i + 1) * 1000000, (int64_t)(i + 1) * 1000000, i, 0);
	struct em_series_mark b;
	em_series_mark_of(&s, &b);
	for (int i = 3000; i < 10000; i++)
		em_series_push(&s, (int64_t)(i + 1) * 1000000, (int64_t)(i + 1) * 1000000, i, 0);
	bool partial = false;
	CU_ASSERT_EQUAL_FATAL(em_window_series(&out, &s, &s, &b, &partial), 0);
	CU_ASSERT(partial);
	/* the readings 2999 (the baseline) .. 9999 */
	CU_ASSERT_EQUAL(out.readings, 7001);
	CU_ASSERT_DOUBLE_EQUAL(out.total, 7000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(out.mean, 6499, 1e-6);
	double n = 7001;
	CU_ASSERT_DOUBLE_EQUAL(out.m2, n * (n * n - 1) / 12, 1e-6 * n * n * n / 12);
	CU_ASSERT_DOUBLE_EQUAL(out.min, 2999, 0);
	CU_ASSERT_DOUBLE_EQUAL(out.max, 9999, 0);
	CU_ASSERT(out.npoints <= EM_SERIES_POINTS_MAX && out.npoints >= EM_SERIES_POINTS_MAX / 2);
	CU_ASSERT_DOUBLE_EQUAL(out.points[out.npoints - 1].value, 9999, 0);
	em_series_free(&out);
	/* a short window: every reading kept, recomputed exactly */
	em_series_mark_of(&s, &b);
	for (int i = 10000; i < 10010; i++)
		em_series_push(&s, (int64_t)(i + 1) * 1000000, (int64_t)(i + 1) * 1000000, i, 0);
	partial = false;
	CU_ASSERT_EQUAL_FATAL(em_window_series(&out, &s, &s, &b, &partial), 0);
	CU_ASSERT(!partial);
	CU_ASSERT_EQUAL(out.readings, 11);
	CU_ASSERT_EQUAL(out.npoints, 11);
	CU_ASSERT_DOUBLE_EQUAL(out.mean, 10004, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(out.min, 9999, 0);
	CU_ASSERT_DOUBLE_EQUAL(out.total, 10, 1e-9);
	em_series_free(&out);
	em_series_free(&s);
}

/* recent_only keeps the latest gaps, in order, and a window lists its own. */
static void test_recent_gaps(void)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W, .scope = ENERGY_SCOPE_SYSTEM,
	                           .sensor = "p"};
	struct em_series s, out;
	em_series_init(&s, &r);
	s.recent_only = true;
	struct em_series_mark b = {0};
	for (unsigned i = 0; i < 40; i++) {
		if (i == 30)
			em_series_mark_of(&s, &b);
		/* each reading after a failed sample: a gap before it */
		em_series_push(&s, (int64_t)(i + 1) * 1000000000, (int64_t)(i + 1) * 1000000000, 10, i);
	}
	CU_ASSERT_EQUAL(s.gaps, 39);
	CU_ASSERT_EQUAL(s.gap_list[15].to_wall, 40 * (int64_t)1000000000);
	CU_ASSERT_EQUAL(s.gap_list[0].to_wall, 25 * (int64_t)1000000000);
	bool partial = false;
	CU_ASSERT_EQUAL_FATAL(em_window_series(&out, &s, &s, &b, &partial), 0);
	CU_ASSERT_EQUAL(out.gaps, 10);
	CU_ASSERT_EQUAL(out.gap_list[0].from_wall, 30 * (int64_t)1000000000);
	CU_ASSERT_EQUAL(out.gap_list[9].to_wall, 40 * (int64_t)1000000000);
	CU_ASSERT_DOUBLE_EQUAL(out.gap_s, 10, 1e-9);
	em_series_free(&out);
	em_series_free(&s);
}

struct thread_arg {
	struct em_monitor *mon;
	int index, failures;
};

static void *windows_thread(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 50; i++) {
		struct em_window *w = NULL;
		struct em_error err = {0};
		/* half the threads follow this process's tree: one counted root */
		if (em_window_begin(a->mon, a->index % 2 ? getpid() : 0, NULL, 0, &w, &err)) {
			a->failures++;
			continue;
		}
		sleep_s(0.001 * (i % 5));
		struct em_monitor *res = NULL;
		if (em_window_end(a->mon, w, &res, &err)) {
			a->failures++;
			continue;
		}
		char *text = em_monitor_result_json(res);
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;
		const json_t *power = series_of(monitor_of(j, "testpower"), "power", "test");
		double covered = num(power, "covered_s");
		double e = energy_of(j, "testpower", "system");
		if (!j || !(covered > 0) || fabs(e - 100 * covered) > 1e-9 * 100 * covered)
			a->failures++;
		json_decref(j);
		free(text);
		em_monitor_destroy(res);
	}
	return NULL;
}

static void test_windows_from_eight_threads(void)
{
	struct em_monitor *mon = continuous("testpower,metricsplug", 0.005, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pthread_t t[8];
	struct thread_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){.mon = mon, .index = i};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, windows_thread, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(args[i].failures, 0);
	}
	/* every window ended: no root is followed any more, and set_targets
	 * never ran during a sample() */
	struct em_source *mp = mon->sources[1];
	pthread_mutex_lock(&mp->lock);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(mp->notes, "targets")), "");
	CU_ASSERT_PTR_NULL(json_object_get(mp->notes, "overlap"));
	pthread_mutex_unlock(&mp->lock);
	em_monitor_destroy(mon);
}

static void test_unknown_and_repeated_ids(void)
{
	struct em_monitor *mon = continuous("testpower,metricsplug", 0.05, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_window *w = NULL;
	struct em_error err = {0};
	const char *bad[] = {"testpower", "nosuch"};
	CU_ASSERT_EQUAL(em_window_begin(mon, 0, bad, 2, &w, &err), -ENOENT);
	CU_ASSERT_EQUAL(err.code, -ENOENT);
	CU_ASSERT_PTR_NULL(w);
	ASSERT_CONTAINS(err.message, "'nosuch'");
	ASSERT_CONTAINS(err.message, "testpower, metricsplug");
	const char *twice[] = {"testpower", "testpower"};
	CU_ASSERT_EQUAL(em_window_begin(mon, 0, twice, 2, &w, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "named twice");
	/* the ids' order is the result's strategy order; one source only */
	const char *one[] = {"metricsplug"};
	CU_ASSERT_EQUAL_FATAL(em_window_begin(mon, 0, one, 1, &w, &err), 0);
	sleep_s(0.1);
	json_t *res = end_window(mon, w, NULL);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(res, "strategy")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(res, "strategy"), 0)), "metricsplug");
	CU_ASSERT_PTR_NULL(monitor_of(res, "testpower"));
	/* metricsplug's gpu0_energy: 200 W counted over what its series covers */
	size_t i;
	json_t *s;
	double gpu = NAN, covered = NAN;
	json_array_foreach(json_object_get(monitor_of(res, "metricsplug"), "series"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "key")) ? json_string_value(json_object_get(s, "key")) : "",
		            "gpu0_energy")) {
			gpu = num(s, "delta");
			covered = num(s, "covered_s");
		}
	CU_ASSERT(covered > 0.05);
	CU_ASSERT_DOUBLE_EQUAL(gpu, 200 * covered, 1e-6);
	json_decref(res);
	/* a window on a monitor that is not continuous */
	struct em_monitor *plain = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}}", 0.01);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	CU_ASSERT_EQUAL(em_window_begin(plain, 0, NULL, 0, &w, &err), -EINVAL);
	em_monitor_destroy(plain);
	em_monitor_destroy(mon);
}

static pid_t sleeping_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static const char *targets_note(struct em_monitor *mon, char *buf, size_t len)
{
	struct em_source *src = mon->sources[0];
	pthread_mutex_lock(&src->lock);
	const char *have = json_string_value(json_object_get(src->notes, "targets"));
	snprintf(buf, len, "%s", have ? have : "(none)");
	pthread_mutex_unlock(&src->lock);
	return buf;
}

/* The plugins follow the union of open windows' roots, counted per root;
 * a dead root fails its window and leaves the union as it was. */
static void test_roots_union_and_dead_root(void)
{
	struct em_monitor *mon = continuous("metricsplug", 0.01, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pid_t child = sleeping_child(), dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	char buf[128], want[128];
	struct em_window *a = begin(mon, getpid()), *a2 = begin(mon, getpid()), *b = begin(mon, child);
	snprintf(want, sizeof(want), "%d,%d", (int)getpid(), (int)child);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	struct em_window *w = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_window_begin(mon, dead, NULL, 0, &w, &err), -ESRCH);
	CU_ASSERT_PTR_NULL(w);
	char pid_text[32];
	snprintf(pid_text, sizeof(pid_text), "%d", (int)dead);
	ASSERT_CONTAINS(err.message, pid_text);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	CU_ASSERT_EQUAL(em_window_begin(mon, -5, NULL, 0, &w, &err), -EINVAL);
	/* one of two windows of a root ends: still followed */
	json_decref(end_window(mon, a, NULL));
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	em_window_free(mon, a2);
	snprintf(want, sizeof(want), "%d", (int)child);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	/* a root that exits while its window is open is left out of the union,
	 * so that others can still begin */
	reap(child);
	struct em_window *c = begin(mon, getpid());
	snprintf(want, sizeof(want), "%d", (int)getpid());
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	json_t *res = end_window(mon, b, NULL);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "target_pid")), child);
	json_decref(res);
	em_window_free(mon, c);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), "");
	em_monitor_destroy(mon);
}

/* A per-target metric in a window is the window root's own part. */
static void test_per_target_metric(void)
{
	struct em_monitor *mon = continuous("targetplug", 0.01, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pid_t child = sleeping_child();
	struct em_window *rooted = begin(mon, child), *free_w = begin(mon, 0);
	sleep_s(0.2);
	json_t *none = end_window(mon, free_w, NULL);
	json_t *res = end_window(mon, rooted, NULL);
	reap(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(none);
	const json_t *tg = monitor_of(res, "targetplug");
	/* the plugin was told the trees come later */
	const json_t *flags = json_object_get(json_object_get(tg, "notes"), "host_flags");
	CU_ASSERT_DOUBLE_EQUAL(num(flags, "value"), ENERGY_HOST_TARGETS_LATER, 0);
	/* the machine's busy time: 1 s/s, not per target */
	CU_ASSERT(energy_of(res, "targetplug", "machine_busy_time") > 0.15);
	/* without a root: no value, and why */
	const json_t *m;
	size_t i;
	json_array_foreach(json_object_get(monitor_of(none, "targetplug"), "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "key")), "cpu_time")) {
			CU_ASSERT(json_is_null(json_object_get(m, "value")));
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "reason")),
			                       "the window follows no process tree");
		}
	CU_ASSERT(isnan(energy_of(none, "targetplug", "cpu_time")));
	if (json_object_get(json_object_get(tg, "notes"), "emit_target")) {
		/* ABI 1.2's emit_target is not in this build (issue 11's other part) */
		printf("\n    skipped: emit_target not in this build (the reason for a root without per-target "
		       "readings is checked instead) ");
		char want[64];
		snprintf(want, sizeof(want), "no per-target readings for pid %d", (int)child);
		json_array_foreach(json_object_get(tg, "metrics"), i, m)
			if (!strcmp(json_string_value(json_object_get(m, "key")), "cpu_time"))
				CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "reason")), want);
		CU_PASS("skipped: emit_target not in this build");
	} else {
		double covered = NAN;
		json_array_foreach(json_object_get(tg, "metrics"), i, m)
			if (!strcmp(json_string_value(json_object_get(m, "key")), "cpu_time"))
				covered = num(m, "covered_s");
		CU_ASSERT(covered > 0.15);
		CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "targetplug", "cpu_time"), TARGETPLUG_RATE(child) * covered,
		                       1e-9);
		/* the same samples bound the tree's and the machine's time */
		CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "targetplug", "cpu_share"), TARGETPLUG_RATE(child),
		                       0.01 * TARGETPLUG_RATE(child));
	}
	json_decref(res);
	json_decref(none);
	em_monitor_destroy(mon);
}

static void key_set(const json_t *o, char *out, size_t len, const char *skip)
{
	const char *k;
	json_t *v;
	size_t used = 0;
	out[0] = '\0';
	/* jansson keeps insertion order, and both are built by the same code */
	json_object_foreach((json_t *)o, k, v)
		if (!skip || !strstr(skip, k))
			used += (size_t)snprintf(out + used, len - used, "%s,", k);
}

/* A window's result reads as any stopped monitor's: the same document,
 * files and typed API. */
static void test_result_has_the_shape_of_a_monitors(void)
{
	const char *cfg = "{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.02}";
	struct em_error err = {0};
	json_t *normal = measure(cfg, 0.1, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(normal);
	struct em_monitor *mon = continuous("testpower", 0.02, NULL), *res_mon = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_window *w = begin(mon, 0);
	sleep_s(0.1);
	json_t *res = end_window(mon, w, &res_mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	char a[1024], b[1024];
	key_set(normal, a, sizeof(a), NULL);
	key_set(res, b, sizeof(b), NULL);
	CU_ASSERT_STRING_EQUAL(a, b);
	/* per source: the same keys but those of a whole run ("final_readings"),
	 * and "plugin", which a source without a loaded library does not write
	 * until result_json reads plugin_version (the monitor state part) */
	key_set(monitor_of(normal, "testpower"), a, sizeof(a), "final_readings,plugin");
	key_set(monitor_of(res, "testpower"), b, sizeof(b), "final_readings,plugin");
	CU_ASSERT_STRING_EQUAL(a, b);
	key_set(json_object_get(monitor_of(normal, "testpower"), "sampling"), a, sizeof(a), NULL);
	key_set(json_object_get(monitor_of(res, "testpower"), "sampling"), b, sizeof(b), NULL);
	CU_ASSERT_STRING_EQUAL(a, b);
	/* files */
	char dir[PATH_MAX], path[PATH_MAX + 64];
	fresh_output_dir(dir, sizeof(dir), "out");
	CU_ASSERT_EQUAL(em_monitor_write_files(res_mon, dir, "W0", "00001", &err), 0);
	snprintf(path, sizeof(path), "%s/W0_00001_testpower.json", dir);
	json_t *file = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(file);
	CU_ASSERT(json_array_size(json_object_get(file, "power_readings")) >= 2);
	json_decref(file);
	snprintf(path, sizeof(path), "%s/W0_00001_composite.json", dir);
	file = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(file);
	json_decref(file);
	/* the typed API */
	struct em_result_source src = {.struct_size = sizeof(src)};
	CU_ASSERT_EQUAL(em_result_source(res_mon, 0, &src), 0);
	CU_ASSERT_STRING_EQUAL(src.id, "testpower");
	CU_ASSERT(src.measured && src.complete && src.started);
	CU_ASSERT(src.samples >= 2);
	CU_ASSERT_DOUBLE_EQUAL(src.interval_requested_s, 0.02, 1e-12);
	CU_ASSERT(src.interval_median_s > 0.005 && src.interval_median_s < 0.2);
	struct em_result_run run_info = {.struct_size = sizeof(run_info)};
	CU_ASSERT_EQUAL(em_result_run(res_mon, &run_info), 0);
	CU_ASSERT(run_info.measured);
	em_monitor_destroy(res_mon);
	json_decref(res);
	json_decref(normal);
	em_monitor_destroy(mon);
}

/* A source that does not answer in time is taken as it stands, and says so. */
static void test_late_source_is_taken_as_it_stands(void)
{
	int block[2], notify[2];
	CU_ASSERT_FATAL(pipe(block) == 0 && pipe(notify) == 0);
	char extra[256];
	snprintf(extra, sizeof(extra), "\"hang_fd\": %d, \"hang_notify_fd\": %d, \"hang_in\": \"sample\", "
	         "\"hang_from_sample\": 3", block[0], notify[1]);
	struct em_monitor *mon = continuous("testpower,hang", 0.01, extra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	char c = 0;
	while (c != 'H')
		CU_ASSERT_FATAL(read(notify[0], &c, 1) == 1);
	int64_t t0 = em_now_ns(CLOCK_MONOTONIC);
	struct em_window *w = begin(mon, 0);
	double waited = (double)(em_now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	CU_ASSERT(waited >= EM_WINDOW_SAMPLE_WAIT_S - 0.01 && waited < EM_WINDOW_SAMPLE_WAIT_S + 2);
	json_t *res = end_window(mon, w, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const char *late = json_string_value(json_object_get(json_object_get(monitor_of(res, "hang"), "notes"),
	                                                     "window_sample_late"));
	ASSERT_CONTAINS(late, "within 2.0 s at the window's begin and end");
	CU_ASSERT_PTR_NULL(json_object_get(json_object_get(monitor_of(res, "testpower"), "notes"),
	                                   "window_sample_late"));
	check_testpower_truth(res);
	json_decref(res);
	close(block[1]); /* release it, so that stop finds it returning */
	em_monitor_destroy(mon);
	close(block[0]);
	close(notify[0]);
	close(notify[1]);
}

/* Threads of this process named `name`. */
static int threads_named(const char *want)
{
	int found = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], name[32] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = e->d_name[0] != '.' ? fopen(path, "r") : NULL;
		if (f && fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			found += !strcmp(name, want);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* Sampling threads are named for their plugin (a crash handler reads it),
 * cut to the 15 bytes the kernel keeps. */
static void test_sampling_threads_are_named(void)
{
	struct em_monitor *mon = continuous("testpower,metricsplug,hangprefix_one", 0.05, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	/* each thread names itself as it begins: wait for them (bounded) */
	int64_t until = em_now_ns(CLOCK_MONOTONIC) + 10 * (int64_t)1000000000;
	while ((threads_named("em:testpower") + threads_named("em:metricsplug") + threads_named("em:hangprefix_o")) < 3 &&
	       em_now_ns(CLOCK_MONOTONIC) < until)
		sleep_s(0.001);
	CU_ASSERT_EQUAL(threads_named("em:testpower"), 1);
	CU_ASSERT_EQUAL(threads_named("em:metricsplug"), 1);
	CU_ASSERT_EQUAL(threads_named("em:hangprefix_o"), 1);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"window energy is the integral between its samples", test_window_energy_is_the_integral_between_its_samples},
		{"window samples at once", test_window_samples_at_once},
		{"overlapping windows", test_overlapping_windows},
		{"long window: exact total, recent points", test_long_window_keeps_an_exact_total_and_recent_points},
		{"window series statistics", test_window_series_statistics},
		{"recent gaps", test_recent_gaps},
		{"windows from eight threads", test_windows_from_eight_threads},
		{"unknown and repeated ids", test_unknown_and_repeated_ids},
		{"roots union and a dead root", test_roots_union_and_dead_root},
		{"per-target metric", test_per_target_metric},
		{"result has the shape of a monitor's", test_result_has_the_shape_of_a_monitors},
		{"late source taken as it stands", test_late_source_is_taken_as_it_stands},
		{"sampling threads are named", test_sampling_threads_are_named},
		CU_TEST_INFO_NULL,
	};
	return run_suite("window", tests);
}
