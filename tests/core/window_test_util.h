/* Helpers the window tests share (test_window.c, test_window_clients.c). */
#ifndef WINDOW_TEST_UTIL_H
#define WINDOW_TEST_UTIL_H

#include "../../core/window_internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static inline struct em_monitor *continuous(const char *strategy, double interval_s, const char *extra)
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
static inline json_t *end_window(struct em_monitor *mon, struct em_window *w, struct em_monitor **keep)
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

static inline struct em_window *begin(struct em_monitor *mon, pid_t root)
{
	struct em_window *w = NULL;
	struct em_error err = {0};
	int rc = em_window_begin(mon, root, NULL, 0, &w, &err);
	if (rc)
		fprintf(stderr, "\n    em_window_begin: %s\n", err.message);
	CU_ASSERT_EQUAL(rc, 0);
	return w;
}

static inline const json_t *monitor_of(const json_t *res, const char *name)
{
	return json_object_get(json_object_get(res, "monitors"), name);
}

static inline const json_t *series_of(const json_t *src, const char *quantity, const char *sensor)
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

static inline double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static inline double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* testpower's truth in one window result: 100 W system power integrated
 * exactly between the window's first and last readings, and the 50 W
 * package counter's delta over the time its series covers. */
static inline void check_testpower_truth(const json_t *res)
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


#endif
