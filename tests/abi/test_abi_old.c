/* The frozen-header tests (issue 10, issue 11): testpower and
 * examples/procstat built against a frozen 1.0, 1.1 or 1.2 header
 * (ENERGYMON_ABI_OLD says which) load into this host and give the results
 * the same sources built against this tree's header give, measured at the
 * same time: same keys, units and series, every number within a tolerance
 * (times and sample counts differ between two runs; nothing is compared
 * byte for byte), and testpower's values equal to its known truth. Their
 * readings are shorter than 1.3's: the host reads nothing past their
 * struct_size (the old testpower leaves a resolution, a lag and a range
 * there), so their bounds have no resolution term. The 1.1 and 1.2 builds
 * of the metrics test plugin run on this host with their declared metrics
 * and set_targets. And this header's testpower, told its readings'
 * resolution, lag and range (ABI 1.3), gets them into its bound. */
#include "../core/test_util.h"
#include "energy_plugin.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>

static char dir_1_0[1024], dir_1_1[2048]; /* the old builds; this header's */
static const char *old_abi; /* "1.0", "1.1" or "1.2" */
static char cur_abi[16];

static void split_plugin_path(void)
{
	const char *path = getenv("ENERGYMON_PLUGIN_PATH");
	const char *c1 = path ? strchr(path, ':') : NULL;
	if (!c1) {
		fprintf(stderr, "ENERGYMON_PLUGIN_PATH must be DIR_OLD:DIR_CURRENT:TEST_PLUGINS\n");
		exit(2);
	}
	old_abi = getenv("ENERGYMON_ABI_OLD") ? getenv("ENERGYMON_ABI_OLD") : "1.0";
	snprintf(cur_abi, sizeof(cur_abi), "%d.%d", ENERGY_PLUGIN_ABI_MAJOR, ENERGY_PLUGIN_ABI_MINOR);
	snprintf(dir_1_0, sizeof(dir_1_0), "%.*s", (int)(c1 - path), path);
	snprintf(dir_1_1, sizeof(dir_1_1), "%s", c1 + 1); /* 1.1 procstat, then the 1.1 testpower */
}

static struct em_monitor *create_on(const char *plugin_path)
{
	setenv("ENERGYMON_PLUGIN_PATH", plugin_path, 1);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	int rc = em_config_load_string("{\"lithops\": {\"energy_strategy\": \"testpower,procstat\"},"
	                               " \"energy_sampling_interval\": 0.02}", &cfg, &err);
	if (!rc && (rc = em_monitor_create(cfg, 0, &mon, &err)))
		fprintf(stderr, "\n    %s: %s\n", plugin_path, err.message);
	em_config_free(cfg);
	return mon;
}

static json_t *result_of(struct em_monitor *mon)
{
	char *text = em_monitor_result_json(mon);
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return res;
}

/* Subtrees that differ between any two runs by nature, compared apart. */
static bool volatile_key(const char *key)
{
	static const char *const keys[] = {"sampling", "monitor_cost", "plugin", "points", "target_pid", NULL};
	for (size_t i = 0; keys[i]; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

/* A counter's raw readings are positions, offset by when its first sample
 * was taken after start (milliseconds apart between two runs, more under
 * ASan): their min/max/mean/std-dev get a wider tolerance. What is measured
 * from them (delta, covered_s) keeps the normal one. */
static bool counter_position_stat(const json_t *series, const char *key)
{
	const char *q = json_string_value(json_object_get(series, "quantity"));
	bool cumulative = q && (!strcmp(q, "energy") || !strcmp(q, "cpu_time") || !strcmp(q, "count"));
	return cumulative && (!strcmp(key, "min") || !strcmp(key, "max") || !strcmp(key, "mean") ||
	                      !strcmp(key, "std_dev"));
}

static int differences;

static void differ(const char *path, const char *what)
{
	fprintf(stderr, "\n    %s: %s", path, what);
	differences++;
}

/* a and b, same shape, numbers within tolerance: time stamps within 2 s,
 * everything else within 10 % plus a small absolute slack (0.05: CPU
 * seconds of two runs, and an integer count gets 3 more). */
static void compare(const json_t *a, const json_t *b, const char *path, double slack)
{
	char sub[512];
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		bool stamp = strstr(path, "timestamp") != NULL;
		/* integers are counts of readings: how many samples a loaded
		 * machine let each run take */
		double tol = stamp ? 2.0
		             : json_is_integer(a) ? 0.25 * fmax(fabs(x), fabs(y)) + 5
		                                  : 0.1 * fmax(fabs(x), fabs(y)) + 0.05 + slack;
		if (!(fabs(x - y) <= tol)) {
			snprintf(sub, sizeof(sub), "%.9g vs %.9g (tolerance %.3g)", x, y, tol);
			differ(path, sub);
		}
		return;
	}
	if (json_typeof(a) != json_typeof(b))
		return differ(path, "different JSON types");
	if (json_is_string(a)) {
		if (strcmp(json_string_value(a), json_string_value(b)) != 0) {
			snprintf(sub, sizeof(sub), "'%s' vs '%s'", json_string_value(a), json_string_value(b));
			differ(path, sub);
		}
	} else if (json_is_object(a)) {
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)b, key, v) if (!json_object_get(a, key))
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			differ(sub, "only in the 1.1 result");
		}
		json_object_foreach((json_t *)a, key, v)
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if (!json_object_get(b, key))
				differ(sub, "only in the 1.0 result");
			else if (!volatile_key(key))
				compare(v, json_object_get(b, key), sub, counter_position_stat(a, key) ? 2.0 : 0);
		}
	} else if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return differ(path, "arrays of different lengths");
		for (size_t i = 0; i < json_array_size(a); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			compare(json_array_get(a, i), json_array_get(b, i), sub, 0);
		}
	} else if (!json_equal(a, b)) {
		differ(path, "different values");
	}
}

static const json_t *monitor(const json_t *res, const char *name)
{
	return json_object_get(json_object_get(res, "monitors"), name);
}

static const char *abi_of(const json_t *res, const char *name)
{
	return json_string_value(json_object_get(json_object_get(monitor(res, name), "plugin"), "abi"));
}

/* testpower's truth: 100 W of system power, a package counter at 50 W. */
static void check_testpower_truth(const json_t *res)
{
	const json_t *series = json_object_get(monitor(res, "testpower"), "series");
	size_t i;
	const json_t *s;
	int checked = 0;
	json_array_foreach(series, i, s)
	{
		const char *q = json_string_value(json_object_get(s, "quantity"));
		double covered = json_number_value(json_object_get(s, "covered_s"));
		if (strcmp(q, "power") == 0) {
			CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(s, "energy_j")) / covered, 100, 1e-6);
			checked++;
		} else if (strcmp(q, "energy") == 0) {
			CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(s, "delta")) / covered, 50, 1e-3);
			checked++;
		}
	}
	CU_ASSERT_EQUAL(checked, 2);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "avg_power"), 100, 1e-9);
	CU_ASSERT(energy_of(res, "testpower", "system") > 0);
	CU_ASSERT(energy_of(res, "testpower", "pkg") > 0);
	CU_ASSERT(energy_of(res, "procstat", "machine_busy_time") >= 0);
}

/* A plugin that says nothing of its readings (an old one cannot; the
 * current testpower by default does not): every energy still has a bound,
 * with no resolution term, and no series learned a resolution or a lag. */
static void check_nothing_said(const json_t *res)
{
	const json_t *tp = monitor(res, "testpower");
	static const char *const keys[] = {"system", "pkg"};
	for (size_t i = 0; i < 2; i++) {
		const json_t *b = json_object_get(json_object_get(tp, "uncertainty"), keys[i]);
		CU_ASSERT_FATAL(json_is_object(b));
		CU_ASSERT_EQUAL(json_number_value(json_object_get(json_object_get(b, "terms"), "resolution_j")), 0.0);
		CU_ASSERT_EQUAL(json_number_value(json_object_get(json_object_get(b, "terms"), "burst_ceiling_j")), 0.0);
	}
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(tp, "series"), i, s)
	{
		const json_t *bound = json_object_get(s, "bound");
		if (!bound)
			continue;
		CU_ASSERT_EQUAL(json_number_value(json_object_get(bound, "resolution")), 0.0);
		CU_ASSERT_EQUAL(json_number_value(json_object_get(bound, "look_s")), 0.0);
	}
}

static void *stop_in_thread(void *mon)
{
	struct em_error err = {0};
	return (void *)(intptr_t)em_monitor_stop(mon, &err);
}

static void test_1_0_builds_match_1_1_builds(void)
{
	char both[4096];
	snprintf(both, sizeof(both), "%s", dir_1_1);
	struct em_monitor *old = create_on(dir_1_0), *cur = create_on(both);
	CU_ASSERT_FATAL(old && cur);
	struct em_error err = {0};
	/* side by side, so procstat's machine-wide CPU time is the same */
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(old, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(cur, &err), 0);
	sleep_s(0.5);
	/* and stopped at once: two monitors, one thread each */
	pthread_t t;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, stop_in_thread, old), 0);
	CU_ASSERT_EQUAL(em_monitor_stop(cur, &err), 0);
	void *rc_old;
	pthread_join(t, &rc_old);
	CU_ASSERT_EQUAL_FATAL((intptr_t)rc_old, 0);
	json_t *a = result_of(old), *b = result_of(cur);
	CU_ASSERT_FATAL(a && b);
	CU_ASSERT_STRING_EQUAL(abi_of(a, "testpower"), old_abi);
	CU_ASSERT_STRING_EQUAL(abi_of(a, "procstat"), old_abi);
	CU_ASSERT_STRING_EQUAL(abi_of(b, "testpower"), cur_abi);
	CU_ASSERT_STRING_EQUAL(abi_of(b, "procstat"), cur_abi);
	differences = 0;
	compare(a, b, "result", 0);
	CU_ASSERT_EQUAL(differences, 0);
	/* the parts compare() leaves out: same plugin, same version */
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "procstat" : "testpower";
		const json_t *pa = json_object_get(monitor(a, name), "plugin"), *pb = json_object_get(monitor(b, name), "plugin");
		CU_ASSERT(json_equal(json_object_get(pa, "name"), json_object_get(pb, "name")));
		CU_ASSERT(json_equal(json_object_get(pa, "version"), json_object_get(pb, "version")));
		ASSERT_CONTAINS(json_string_value(json_object_get(pa, "file")), dir_1_0);
	}
	check_testpower_truth(a);
	check_testpower_truth(b);
	check_nothing_said(a);
	check_nothing_said(b);
	json_decref(a);
	json_decref(b);
	em_monitor_destroy(old);
	em_monitor_destroy(cur);
}

/* --list-plugins' source: each plugin's own ABI. */
static void test_plugin_list_shows_each_plugins_abi(void)
{
	const char *dirs[] = {dir_1_0, dir_1_1};
	const char *want[] = {old_abi, cur_abi};
	for (int i = 0; i < 2; i++) {
		setenv("ENERGYMON_PLUGIN_PATH", dirs[i], 1);
		char *text = em_plugins_list_json(NULL);
		json_t *list = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(list);
		int seen = 0;
		size_t k;
		const json_t *p;
		json_array_foreach(list, k, p)
		{
			const char *name = json_string_value(json_object_get(p, "name"));
			if (strcmp(name, "procstat") && strcmp(name, "testpower"))
				continue;
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "abi")), want[i]);
			seen++;
		}
		CU_ASSERT_EQUAL(seen, 2);
		json_decref(list);
	}
}

/* The metrics test plugin built against the frozen 1.1 or 1.2 header: its
 * declared gpu0_energy (200 W) and package counter (30 W) come out right,
 * set_targets reaches it, and the host's later members are never needed;
 * its declarations are shorter than 1.3's, so no resolution. (Nothing to
 * run against the 1.0 builds, which have none.) */
static void test_old_metrics_plugin(void)
{
	if (strcmp(old_abi, "1.0") == 0)
		return;
	setenv("ENERGYMON_PLUGIN_PATH", dir_1_0, 1);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": \"metricsplug\"},"
	                                            " \"energy_sampling_interval\": 0.02}", &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	pid_t self = getpid();
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &self, 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	sleep_s(0.3);
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &self, 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	json_t *res = result_of(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_STRING_EQUAL(abi_of(res, "metricsplug"), old_abi);
	const json_t *m = monitor(res, "metricsplug");
	const json_t *notes = json_object_get(m, "notes");
	char want[32];
	snprintf(want, sizeof(want), "%d", (int)self);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(notes, "targets")), want);
	size_t i;
	const json_t *s;
	int checked = 0;
	json_array_foreach(json_object_get(m, "series"), i, s)
	{
		const char *key = json_string_value(json_object_get(s, "key"));
		double covered = json_number_value(json_object_get(s, "covered_s"));
		double delta = json_number_value(json_object_get(s, "delta"));
		const json_t *bound = json_object_get(s, "bound");
		if (bound)
			CU_ASSERT_EQUAL(json_number_value(json_object_get(bound, "resolution")), 0.0);
		if (key && !strcmp(key, "gpu0_energy")) {
			CU_ASSERT_DOUBLE_EQUAL(delta / covered, 200, 1e-3);
			checked++;
		} else if (key && !key[0]) {
			CU_ASSERT_DOUBLE_EQUAL(delta / covered, 30, 1e-3);
			checked++;
		}
	}
	CU_ASSERT_EQUAL(checked, 2);
	CU_ASSERT(energy_of(res, "metricsplug", "pkg") > 0);
	json_decref(res);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

/* This header's testpower on its own: 100 W constant, with `extra`
 * settings; its result, or NULL. */
static json_t *run_current_testpower(const char *extra)
{
	char path[4096], text[512];
	snprintf(path, sizeof(path), "%s", dir_1_1);
	setenv("ENERGYMON_PLUGIN_PATH", path, 1);
	snprintf(text, sizeof(text), "{\"lithops\": {\"energy_strategy\": \"testpower\"}, "
	         "\"energy_sampling_interval\": 0.05%s}", extra);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = NULL;
	if (em_config_load_string(text, &cfg, &err) == 0 && em_monitor_create(cfg, 0, &mon, &err) == 0 &&
	    em_monitor_start(mon, &err) == 0) {
		sleep_s(0.4);
		if (em_monitor_stop(mon, &err) == 0)
			res = result_of(mon);
	}
	if (!res)
		fprintf(stderr, "\n    %s: %s\n", text, err.message);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	return res;
}

static double term(const json_t *res, const char *key, const char *name)
{
	const json_t *b = json_object_get(json_object_get(monitor(res, "testpower"), "uncertainty"), key);
	return json_number_value(json_object_get(json_object_get(b, "terms"), name));
}

static const json_t *power_series(const json_t *res)
{
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(monitor(res, "testpower"), "series"), i, s)
	{
		if (!strcmp(json_string_value(json_object_get(s, "quantity")), "power"))
			return s;
	}
	return NULL;
}

/* ABI 1.3 readings: a constant 100 W known to 0.5 W is one level rounded
 * once, so the resolution term is the whole 0.5 W x the covered time; the
 * lag is the series' look-ahead; a range up to 120 W since each previous
 * reading is a burst ceiling of up to 20 W over the covered time. Only
 * once: the plugin is this header's whatever the old ABI. */
static void test_1_3_readings_reach_the_bound(void)
{
	if (strcmp(old_abi, "1.2") != 0)
		return;
	json_t *res = run_current_testpower(", \"testpower_resolution\": 0.5, \"testpower_lag_s\": 0.2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_STRING_EQUAL(abi_of(res, "testpower"), cur_abi);
	const json_t *power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	double covered = json_number_value(json_object_get(power, "covered_s"));
	CU_ASSERT(covered > 0.3);
	CU_ASSERT_DOUBLE_EQUAL(term(res, "system", "resolution_j"), 0.5 * covered, 1e-9);
	CU_ASSERT_EQUAL(json_number_value(json_object_get(json_object_get(power, "bound"), "resolution")), 0.5);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(power, "bound"), "look_s")), 0.2, 1e-12);
	CU_ASSERT_EQUAL(term(res, "system", "burst_ceiling_j"), 0.0);
	json_decref(res);

	res = run_current_testpower(", \"testpower_range_w\": 20");
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	covered = json_number_value(json_object_get(power, "covered_s"));
	double burst = term(res, "system", "burst_ceiling_j");
	fprintf(stderr, "\n    range up to 120 W over %.4f s: burst ceiling %.6g J\n", covered, burst);
	CU_ASSERT(burst > 0.9 * 20 * covered && burst <= 20 * covered + 1e-9);
	const json_t *b = json_object_get(json_object_get(monitor(res, "testpower"), "uncertainty"), "system");
	double value = json_number_value(json_object_get(b, "value"));
	CU_ASSERT(json_number_value(json_object_get(b, "high")) >= value + burst - 1e-9);
	CU_ASSERT_EQUAL(term(res, "system", "resolution_j"), 0.0);
	json_decref(res);
}

int main(void)
{
	split_plugin_path();
	CU_TestInfo tests[] = {
		{"old builds match this header's builds", test_1_0_builds_match_1_1_builds},
		{"plugin list shows each plugin's ABI", test_plugin_list_shows_each_plugins_abi},
		{"old metrics plugin: declared metrics and set_targets", test_old_metrics_plugin},
		{"1.3 readings reach the bound", test_1_3_readings_reach_the_bound},
		CU_TEST_INFO_NULL,
	};
	char suite[32];
	snprintf(suite, sizeof(suite), "abi-%s", old_abi);
	return run_suite(suite, tests);
}
