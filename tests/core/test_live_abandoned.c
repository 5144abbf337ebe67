/* A live snapshot of a monitor with a source given up on while it runs
 * (what a sampling pool does with a plugin that never returns): that source
 * is reported down with the reason and without its series, the others as
 * before. Linked with the library's objects to mark the source as the
 * sampler does (abandoned and its reason, under its lock). */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>

static void test_abandoned_source_is_down_without_series(void)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": \"testpower,testcpu\"},"
	                                            " \"energy_sampling_interval\": 0.02}", &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	struct em_live_source one = {.struct_size = sizeof(one)}, other = {.struct_size = sizeof(other)};
	struct em_live *live = NULL;
	for (int i = 0; i < 10000; i++) { /* until both sources have their series */
		CU_ASSERT_EQUAL_FATAL(em_monitor_live(mon, &live, &err), 0);
		CU_ASSERT_EQUAL(em_live_source(live, 0, &one), 0);
		CU_ASSERT_EQUAL(em_live_source(live, 1, &other), 0);
		em_live_free(live);
		if (one.nseries == 3 && one.up && other.nseries >= 1)
			break;
		sleep_s(0.002);
	}
	CU_ASSERT_EQUAL_FATAL(one.nseries, 3);
	CU_ASSERT_FATAL(other.nseries >= 1);
	struct em_source *src = mon->sources[0];
	pthread_mutex_lock(&src->lock);
	src->abandoned = true;
	snprintf(src->abandon_reason, sizeof(src->abandon_reason), "sample() did not return in time; abandoned");
	pthread_mutex_unlock(&src->lock);

	CU_ASSERT_EQUAL_FATAL(em_monitor_live(mon, &live, &err), 0);
	CU_ASSERT_EQUAL(em_live_source(live, 0, &one), 0);
	CU_ASSERT_STRING_EQUAL(one.id, "testpower");
	CU_ASSERT_EQUAL(one.up, 0);
	CU_ASSERT_EQUAL(one.nseries, 0);
	ASSERT_CONTAINS(one.last_error, "did not return in time");
	struct em_live_series s = {.struct_size = sizeof(s)};
	CU_ASSERT_EQUAL(em_live_series(live, 0, 0, &s), -ENOENT);
	/* the other source is untouched, its series right after */
	CU_ASSERT_EQUAL(em_live_source(live, 1, &one), 0);
	CU_ASSERT_STRING_EQUAL(one.id, "testcpu");
	CU_ASSERT(one.nseries >= 1);
	CU_ASSERT_EQUAL_FATAL(em_live_series(live, 1, 0, &s), 0);
	CU_ASSERT_EQUAL(s.energy_j != s.energy_j, 1); /* CPU seconds carry no energy */
	CU_ASSERT_STRING_EQUAL(s.unit, "s");
	em_live_free(live);
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"an abandoned source is down, without series", test_abandoned_source_is_down_without_series},
		CU_TEST_INFO_NULL,
	};
	return run_suite("live_abandoned", tests);
}
