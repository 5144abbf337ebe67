/* Continuous monitors and their windows, with test plugins whose truth is
 * known: a window's energy is the integral between its two samples, for
 * any length, its statistics and gaps are its own, and its result reads
 * like any stopped monitor's. */
#include "window_test_util.h"

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

int main(void)
{
	CU_TestInfo tests[] = {
		{"window energy is the integral between its samples", test_window_energy_is_the_integral_between_its_samples},
		{"window samples at once", test_window_samples_at_once},
		{"overlapping windows", test_overlapping_windows},
		{"long window: exact total, recent points", test_long_window_keeps_an_exact_total_and_recent_points},
		{"window series statistics", test_window_series_statistics},
		{"recent gaps", test_recent_gaps},
		{"result has the shape of a monitor's", test_result_has_the_shape_of_a_monitors},
		CU_TEST_INFO_NULL,
	};
	return run_suite("window", tests);
}
