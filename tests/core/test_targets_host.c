/* ABI 1.2 emit_target on the host side, with the targetsplug test plugin
 * (known truth: target P's part grows at P % 7 + 1 units per second): its
 * refusals (-EBUSY before start, -ESRCH for a pid outside the set, -EINVAL
 * for a metric not declared PER_TARGET, -ECANCELED after the run), the
 * running totals following set_targets (a dropped target's total freed,
 * its slot reused), and the in-process result showing the union only. */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <unistd.h>

#define NO_SUCH_PID 0x7ffffff0LL

/* measured within rel x expected; prints both when not */
#define ASSERT_NEAR_REL(measured, expected, rel)                                                   \
	do {                                                                                       \
		double m_ = (measured), e_ = (expected);                                           \
		if (!(fabs(m_ - e_) <= (rel) * fabs(e_)))                                          \
			printf("\n    %s = %.9g, expected %.9g\n", #measured, m_, e_);             \
		CU_ASSERT(fabs(m_ - e_) <= (rel) * fabs(e_));                                      \
	} while (0)

static struct em_monitor *create(pid_t target)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": \"targetsplug\"},"
	                                      " \"energy_sampling_interval\": 0.01}", &cfg, &err), 0);
	if (cfg && em_monitor_create(cfg, target, &mon, &err) != 0)
		fprintf(stderr, "\n    %s\n", err.message);
	em_config_free(cfg);
	return mon;
}

static double note_number(struct em_source *src, const char *key)
{
	const json_t *v = json_object_get(json_object_get(src->notes, key), "value");
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int emit_target(struct em_source *src, int metric, int64_t target, double value)
{
	return src->host.emit_target(src, metric, target, value, 0, 0);
}

/* The rate of target's total (units/s) and its readings; -1 when the host
 * keeps no total for it. */
static double rate_of(struct em_source *src, int64_t target, uint64_t *readings)
{
	pthread_mutex_lock(&src->lock);
	const struct em_series *s = em_source_target_series(src, 0, target);
	double rate = s && s->covered_s > 0 ? s->total / s->covered_s : -1;
	if (readings)
		*readings = s ? s->readings : 0;
	pthread_mutex_unlock(&src->lock);
	return rate;
}

static size_t slots(struct em_source *src)
{
	pthread_mutex_lock(&src->lock);
	size_t n = src->ntseries;
	pthread_mutex_unlock(&src->lock);
	return n;
}

static double weight(int64_t pid)
{
	return (double)(pid % 7 + 1);
}

static void test_declarations_and_calls_before_start(void)
{
	struct em_monitor *mon = create(getpid());
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_source *src = mon->sources[0];
	CU_ASSERT_STRING_EQUAL(src->series[0].key, "work");
	CU_ASSERT(src->series[0].metric_flags & ENERGY_METRIC_PER_TARGET);
	CU_ASSERT_EQUAL(note_number(src, "rc_gauge_per_target"), -EINVAL);
	CU_ASSERT_EQUAL(note_number(src, "rc_emit_in_create"), -EBUSY);
	CU_ASSERT_EQUAL(emit_target(src, 0, getpid(), 1.0), -EBUSY);
	CU_ASSERT_EQUAL(src->host.flags, 0u); /* an ordinary monitor: the tree of create() */
	em_monitor_destroy(mon);
}

static void test_totals_follow_the_target_set(void)
{
	struct em_monitor *mon = create(getpid());
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_source *src = mon->sources[0];
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	sleep_s(0.2);
	uint64_t n = 0;
	ASSERT_NEAR_REL(rate_of(src, getpid(), &n), weight(getpid()), 1e-6);
	CU_ASSERT(n >= 3);

	/* refusals, each with its own code */
	CU_ASSERT_EQUAL(emit_target(src, 0, NO_SUCH_PID, 1.0), -ESRCH);
	CU_ASSERT_EQUAL(emit_target(src, 0, 0, 1.0), -ESRCH);
	CU_ASSERT_EQUAL(emit_target(src, 1, getpid(), 1.0), -EINVAL); /* "plain": not PER_TARGET */
	CU_ASSERT_EQUAL(emit_target(src, 999, getpid(), 1.0), -EINVAL);
	CU_ASSERT_EQUAL(emit_target(src, -1, getpid(), 1.0), -EINVAL);
	CU_ASSERT_EQUAL(emit_target(src, 0, getpid(), NAN), -EINVAL);
	CU_ASSERT_EQUAL(slots(src), 1u);

	/* a new set: the old target's total is gone, the new ones count */
	pid_t two[] = {1000001, 1000002};
	CU_ASSERT_EQUAL_FATAL(em_monitor_set_targets(mon, two, 2, &err), 0);
	CU_ASSERT_EQUAL(rate_of(src, getpid(), NULL), -1);
	sleep_s(0.2);
	CU_ASSERT_EQUAL(rate_of(src, getpid(), NULL), -1);
	ASSERT_NEAR_REL(rate_of(src, two[0], NULL), weight(two[0]), 1e-6);
	ASSERT_NEAR_REL(rate_of(src, two[1], NULL), weight(two[1]), 1e-6);
	CU_ASSERT_EQUAL(emit_target(src, 0, getpid(), 1.0), -ESRCH);
	CU_ASSERT_EQUAL(slots(src), 2u); /* the first target's slot was reused */

	pid_t one[] = {1000003};
	CU_ASSERT_EQUAL_FATAL(em_monitor_set_targets(mon, one, 1, &err), 0);
	sleep_s(0.15);
	CU_ASSERT_EQUAL(rate_of(src, two[0], NULL), -1);
	CU_ASSERT_EQUAL(rate_of(src, two[1], NULL), -1);
	ASSERT_NEAR_REL(rate_of(src, one[0], NULL), weight(one[0]), 1e-6);
	CU_ASSERT_EQUAL(slots(src), 2u);

	/* a set the plugin refuses leaves the earlier one */
	pid_t many[65];
	for (int i = 0; i < 65; i++)
		many[i] = 2000000 + i;
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, many, 65, &err), -E2BIG);
	uint64_t before = 0, after = 0;
	rate_of(src, one[0], &before);
	sleep_s(0.1);
	ASSERT_NEAR_REL(rate_of(src, one[0], &after), weight(one[0]), 1e-6);
	CU_ASSERT(after > before);
	CU_ASSERT(isnan(note_number(src, "refused"))); /* the plugin saw no refusal */

	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT_EQUAL(emit_target(src, 0, one[0], 1.0), -ECANCELED);

	/* the in-process result: the union's total and its series only */
	char *text = em_monitor_result_json(mon);
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *series = json_object_get(json_object_get(json_object_get(res, "monitors"), "targetsplug"),
	                                       "series");
	CU_ASSERT_EQUAL(json_array_size(series), 2u);
	size_t i;
	const json_t *s;
	json_array_foreach(series, i, s) {
		const char *key = json_string_value(json_object_get(s, "key"));
		CU_ASSERT(key && (!strcmp(key, "work") || !strcmp(key, "plain")));
	}
	json_decref(res);
	em_monitor_destroy(mon);
}

/* Up to the cap, then -ENOSPC; a freed slot is taken again. */
static void test_cap_and_slot_reuse(void)
{
	struct em_monitor *mon = create(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_source *src = mon->sources[0];
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	size_t n = EM_TSERIES_MAX + 1;
	int64_t *pids = malloc(n * sizeof(*pids));
	CU_ASSERT_PTR_NOT_NULL_FATAL(pids);
	for (size_t i = 0; i < n; i++)
		pids[i] = 3000000 + (int64_t)i;
	/* the host's own set, as if the plugin had accepted them all */
	pthread_mutex_lock(&src->lock);
	em_source_targets_applied(src, pids, n, 0);
	pthread_mutex_unlock(&src->lock);
	int rc = 0;
	size_t accepted = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = emit_target(src, 0, pids[i], 1.0)))
			accepted++;
	CU_ASSERT_EQUAL(accepted, (size_t)EM_TSERIES_MAX);
	CU_ASSERT_EQUAL(rc, -ENOSPC);
	/* drop one: the last pid takes its slot */
	pthread_mutex_lock(&src->lock);
	em_source_targets_applied(src, pids + 1, n - 1, 0);
	pthread_mutex_unlock(&src->lock);
	CU_ASSERT_EQUAL(emit_target(src, 0, pids[n - 1], 1.0), 0);
	CU_ASSERT_EQUAL(slots(src), (size_t)EM_TSERIES_MAX);
	pthread_mutex_lock(&src->lock);
	CU_ASSERT_PTR_NOT_NULL(em_source_target_series(src, 0, pids[n - 1]));
	CU_ASSERT_PTR_NULL(em_source_target_series(src, 0, pids[0]));
	pthread_mutex_unlock(&src->lock);
	free(pids);
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"declarations and calls before start", test_declarations_and_calls_before_start},
		{"per-target totals follow the target set", test_totals_follow_the_target_set},
		{"cap of per-target totals, slot reuse", test_cap_and_slot_reuse},
		CU_TEST_INFO_NULL,
	};
	return run_suite("targets-host", tests);
}
