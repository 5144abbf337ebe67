/* Live snapshots (em_monitor_live) of running monitors, against the result
 * the same monitor reports at stop, with the testpower plugin's known
 * truth (120 W, a package counter at 50 W, a temperature of 42.5 degC). */
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#define CONFIG(extra)                                                                                          \
	"{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.02,"                 \
	" \"testpower_watts\": 120" extra "}"

static struct em_monitor *started(const char *json, bool continuous)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	int rc = em_config_load_string(json, &cfg, &err);
	if (!rc)
		rc = continuous ? em_monitor_create_continuous(cfg, &mon, &err) : em_monitor_create(cfg, 0, &mon, &err);
	if (!rc)
		rc = em_monitor_start(mon, &err);
	em_config_free(cfg);
	if (rc)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_EQUAL(rc, 0);
	return mon;
}

/* The series of source 0 with this key, copied out of a fresh snapshot. */
struct seen {
	struct em_live_source src;
	struct em_live_series power, pkg, temp;
	double taken;
	char last_error[512]; /* src.last_error, copied: strings die with the snapshot */
};

static bool find(const struct em_live *live, const char *key, struct em_live_series *out)
{
	for (size_t i = 0;; i++) {
		out->struct_size = sizeof(*out);
		if (em_live_series(live, 0, i, out))
			return false;
		if (!strcmp(out->key, key))
			return true;
	}
}

static void snap(struct em_monitor *mon, struct seen *s)
{
	struct em_live *live = NULL;
	struct em_error err = {0};
	memset(s, 0, sizeof(*s));
	CU_ASSERT_EQUAL_FATAL(em_monitor_live(mon, &live, &err), 0);
	s->src.struct_size = sizeof(s->src);
	CU_ASSERT_EQUAL(em_live_source(live, 0, &s->src), 0);
	s->taken = em_live_taken(live);
	/* strings belong to the snapshot: only numbers are kept past free */
	CU_ASSERT_STRING_EQUAL(s->src.id, "testpower");
	CU_ASSERT_STRING_EQUAL(s->src.plugin, "testpower");
	CU_ASSERT_STRING_EQUAL(s->src.instance, "");
	CU_ASSERT_PTR_NULL(s->src.reason);
	if (find(live, "system", &s->power)) {
		CU_ASSERT_STRING_EQUAL(s->power.unit, "W");
		CU_ASSERT_STRING_EQUAL(s->power.kind, "gauge");
		CU_ASSERT_STRING_EQUAL(s->power.sensor, "test");
	}
	if (find(live, "pkg", &s->pkg)) {
		CU_ASSERT_STRING_EQUAL(s->pkg.unit, "J");
		CU_ASSERT_STRING_EQUAL(s->pkg.kind, "counter");
		CU_ASSERT_STRING_EQUAL(s->pkg.scope, "cpu_package");
	}
	if (find(live, "temperature", &s->temp)) {
		CU_ASSERT_STRING_EQUAL(s->temp.sensor, "CPU Temp");
		CU_ASSERT_STRING_EQUAL(s->temp.unit, "degC");
		CU_ASSERT(isnan(s->temp.energy_j));
	}
	snprintf(s->last_error, sizeof(s->last_error), "%s", s->src.last_error ? s->src.last_error : "");
	em_live_free(live);
	s->src.id = s->src.plugin = s->src.instance = s->src.reason = s->src.last_error = NULL;
	struct em_live_series *all[] = {&s->power, &s->pkg, &s->temp};
	for (size_t i = 0; i < 3; i++)
		all[i]->key = all[i]->sensor = all[i]->kind = all[i]->unit = all[i]->scope = NULL;
}

/* Snapshots until `done` holds (deadline 20 s): energy never decreases,
 * and every reading is where and when the source says it sampled. */
static void watch(struct em_monitor *mon, struct seen *s, bool (*done)(const struct seen *))
{
	double last_power = 0, last_pkg = 0;
	for (int i = 0; i < 20000; i++) {
		snap(mon, s);
		if (s->power.readings) {
			CU_ASSERT(s->power.energy_j >= last_power);
			last_power = s->power.energy_j;
			CU_ASSERT_DOUBLE_EQUAL(s->power.value, 120, 0);
			/* a reading is stamped when its sample began: the last
			 * that succeeded, or one whose return is being booked */
			if (isnan(s->src.last_ok_s)) { /* start()'s reading, stamped before the source started */
				CU_ASSERT(s->power.value_s <= s->src.started_s);
			} else {
				CU_ASSERT(s->power.value_s >= s->src.last_ok_s && s->power.value_s <= s->taken);
			}
			CU_ASSERT_DOUBLE_EQUAL(s->power.energy_j, 120 * s->power.covered_s, 1e-9 * s->power.energy_j);
		}
		if (s->pkg.readings) {
			CU_ASSERT(s->pkg.energy_j >= last_pkg);
			last_pkg = s->pkg.energy_j;
		}
		if (done(s))
			return;
		sleep_s(0.002);
	}
	CU_FAIL("the awaited snapshot never came");
}

static bool failing(const struct seen *s)
{
	return s->power.readings >= 5 && !s->src.up && s->src.failed_samples >= 3;
}

static double result_energy(const json_t *res, const char *key)
{
	return energy_of(res, "testpower", key);
}

/* Samples fail from 0.3 s on (ETIMEDOUT): up drops, the errors are counted
 * as timeouts, and the totals stand still where the result ends them. */
static void test_live_failure_then_result(void)
{
	struct em_monitor *mon =
		started(CONFIG(", \"testpower_fail_from\": 0.3, \"testpower_fail_to\": 1e9,"
		               " \"testpower_fail_errno\": \"ETIMEDOUT\""), false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct seen s;
	watch(mon, &s, failing);
	CU_ASSERT_EQUAL(s.src.errors[EM_SAMPLE_ERROR_TIMEOUT], s.src.failed_samples);
	CU_ASSERT_EQUAL(s.src.errors[EM_SAMPLE_ERROR_AUTH], 0);
	ASSERT_CONTAINS(s.last_error, "simulated failure");
	CU_ASSERT(s.src.last_try_s > s.src.last_ok_s);
	CU_ASSERT(s.src.started_s <= s.src.last_ok_s);
	CU_ASSERT_DOUBLE_EQUAL(s.src.interval_s, 0.02, 1e-12);
	/* no reading since the last good sample: stamped with its start */
	CU_ASSERT_EQUAL(s.power.value_s, s.src.last_ok_s);
	CU_ASSERT_EQUAL(s.pkg.value_s, s.src.last_ok_s);
	CU_ASSERT_EQUAL(s.temp.value, 42.5);
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	char *text = em_monitor_result_json(mon);
	json_t *res = json_loads(text, 0, NULL);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	/* stop()'s own power reading comes after the failures: a gap, no energy */
	CU_ASSERT_DOUBLE_EQUAL(result_energy(res, "system"), s.power.energy_j, 1e-9 * s.power.energy_j);
	CU_ASSERT_DOUBLE_EQUAL(result_energy(res, "pkg"), s.pkg.energy_j, 1e-9 * s.pkg.energy_j);
	CU_ASSERT(s.power.energy_j > 0 && s.pkg.energy_j > 0);
	const json_t *sampling = json_object_get(json_object_get(json_object_get(res, "monitors"), "testpower"),
	                                         "sampling");
	CU_ASSERT(json_integer_value(json_object_get(sampling, "failed_samples")) >= (json_int_t)s.src.failed_samples);
	json_decref(res);
	struct em_live *live = (struct em_live *)1;
	CU_ASSERT_EQUAL(em_monitor_live(mon, &live, &err), -EINVAL);
	CU_ASSERT_PTR_NULL(live);
	ASSERT_CONTAINS(err.message, "stopped");
	em_monitor_destroy(mon);
}

static bool recovered(const struct seen *s)
{
	return s->src.up && s->src.failed_samples >= 1 && s->power.readings >= 3;
}

/* Samples fail for the first 0.2 s with EACCES, then succeed: up comes
 * back, the failures stay counted as "auth", on a continuous monitor. */
static void test_live_recovery_on_continuous_monitor(void)
{
	struct em_monitor *mon = started(CONFIG(", \"testpower_fail_from\": 0, \"testpower_fail_to\": 0.2,"
	                                        " \"testpower_fail_errno\": \"EACCES\""), true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct seen s;
	watch(mon, &s, recovered);
	CU_ASSERT_EQUAL(s.src.errors[EM_SAMPLE_ERROR_AUTH], s.src.failed_samples);
	CU_ASSERT_EQUAL(s.src.errors[EM_SAMPLE_ERROR_TIMEOUT], 0);
	CU_ASSERT(s.src.last_ok_s >= s.src.started_s);
	CU_ASSERT(s.src.samples > s.src.failed_samples);
	CU_ASSERT_STRING_EQUAL(em_sample_error_kind_name(EM_SAMPLE_ERROR_AUTH), "auth");
	CU_ASSERT_EQUAL(em_sample_error_kind_of(-EACCES), EM_SAMPLE_ERROR_AUTH);
	em_monitor_destroy(mon);
}

static void test_live_refused_before_start(void)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(CONFIG(""), &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	struct em_live *live = NULL;
	CU_ASSERT_EQUAL(em_monitor_live(mon, &live, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "not started");
	CU_ASSERT_EQUAL(em_monitor_live(NULL, &live, &err), -EINVAL);
	CU_ASSERT_EQUAL(em_monitor_live(mon, NULL, &err), -EINVAL);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	em_live_free(NULL);
	CU_ASSERT(isnan(em_live_taken(NULL)));
}

static bool has_power(const struct seen *s)
{
	return s->power.readings >= 2;
}

/* A caller built against a shorter struct gets what fits and nothing past
 * it; one shorter than the identifying members is refused. */
static void test_live_struct_size_rules(void)
{
	struct em_monitor *mon = started(CONFIG(""), false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct seen s;
	watch(mon, &s, has_power);
	struct em_live *live = NULL;
	CU_ASSERT_EQUAL_FATAL(em_monitor_live(mon, &live, NULL), 0);
	struct em_live_source src;
	memset(&src, 0x5a, sizeof(src));
	src.struct_size = offsetof(struct em_live_source, instance);
	CU_ASSERT_EQUAL(em_live_source(live, 0, &src), -EINVAL);
	src.struct_size = offsetof(struct em_live_source, available);
	CU_ASSERT_EQUAL(em_live_source(live, 0, &src), 0);
	CU_ASSERT_STRING_EQUAL(src.id, "testpower");
	CU_ASSERT_EQUAL(src.available, 0x5a5a5a5a); /* not written */
	src.struct_size = sizeof(src);
	CU_ASSERT_EQUAL(em_live_source(live, 1, &src), -ENOENT);
	CU_ASSERT_EQUAL(em_live_source(live, 0, &src), 0);
	CU_ASSERT_EQUAL(src.nseries, 3); /* power, package counter, temperature */
	struct em_live_series one;
	memset(&one, 0x5a, sizeof(one));
	one.struct_size = offsetof(struct em_live_series, sensor);
	CU_ASSERT_EQUAL(em_live_series(live, 0, 0, &one), -EINVAL);
	one.struct_size = offsetof(struct em_live_series, kind);
	CU_ASSERT_EQUAL(em_live_series(live, 0, 0, &one), 0);
	CU_ASSERT_STRING_EQUAL(one.key, "system");
	CU_ASSERT_EQUAL(one.index, 0x5a5a5a5a);
	one.struct_size = sizeof(one);
	CU_ASSERT_EQUAL(em_live_series(live, 0, src.nseries, &one), -ENOENT);
	CU_ASSERT_EQUAL(em_live_series(live, 1, 0, &one), -ENOENT);
	CU_ASSERT_EQUAL(em_live_series(NULL, 0, 0, &one), -EINVAL);
	em_live_free(live);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"live: refused before start", test_live_refused_before_start},
		{"live: failures, then the result at stop", test_live_failure_then_result},
		{"live: recovery on a continuous monitor", test_live_recovery_on_continuous_monitor},
		{"live: struct_size rules", test_live_struct_size_rules},
		CU_TEST_INFO_NULL,
	};
	return run_suite("live", tests);
}
