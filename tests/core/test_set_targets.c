/* em_monitor_set_targets(): before start on the caller's thread, while
 * running on the source's sampling thread between two samples, the
 * plugin's error named by source, and -EOPNOTSUPP when no plugin can. */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <unistd.h>

/* A pid no process has: above any pid_max Linux allows (2^22). */
#define NO_SUCH_PID ((pid_t)0x7ffffff0)

static struct em_monitor *create(const char *strategy)
{
	char json[256];
	snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": \"%s\"}, \"energy_sampling_interval\": 0.01}",
	         strategy);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_string(json, &cfg, &err), 0);
	if (cfg && em_monitor_create(cfg, 0, &mon, &err) != 0)
		fprintf(stderr, "\n    %s\n", err.message);
	em_config_free(cfg);
	return mon;
}

static const char *note(struct em_monitor *mon, const char *key)
{
	return json_string_value(json_object_get(mon->sources[0]->notes, key));
}

static double note_number(struct em_monitor *mon, const char *key)
{
	const json_t *v = json_object_get(json_object_get(mon->sources[0]->notes, key), "value");
	return json_is_number(v) ? json_number_value(v) : -1;
}

static uint64_t samples(struct em_monitor *mon)
{
	pthread_mutex_lock(&mon->sources[0]->lock);
	uint64_t n = mon->sources[0]->samples;
	pthread_mutex_unlock(&mon->sources[0]->lock);
	return n;
}

static void test_before_start_the_caller_calls(void)
{
	struct em_monitor *mon = create("metricsplug");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	pid_t self = getpid();
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &self, 1, &err), 0);
	char want[32];
	snprintf(want, sizeof(want), "%d", (int)self);
	CU_ASSERT_STRING_EQUAL(note(mon, "targets"), want);
	CU_ASSERT_STRING_EQUAL(note(mon, "targets_thread"), "caller");
	/* none at all is allowed */
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, NULL, 0, &err), 0);
	CU_ASSERT_STRING_EQUAL(note(mon, "targets"), "");
	em_monitor_destroy(mon);
}

static void test_while_running_the_sampling_thread_calls(void)
{
	struct em_monitor *mon = create("metricsplug");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	/* until the first sample() ran, the plugin cannot tell its thread */
	while (!samples(mon))
		sleep_s(0.001);
	pid_t two[] = {getpid(), getppid()};
	for (int round = 0; round < 20; round++)
		CU_ASSERT_EQUAL(em_monitor_set_targets(mon, two, 2, &err), 0);
	char want[64];
	snprintf(want, sizeof(want), "%d,%d", (int)two[0], (int)two[1]);
	pthread_mutex_lock(&mon->sources[0]->lock);
	CU_ASSERT_STRING_EQUAL(note(mon, "targets"), want);
	CU_ASSERT_STRING_EQUAL(note(mon, "targets_thread"), "sampler");
	CU_ASSERT_EQUAL(note_number(mon, "target_calls"), 20);
	CU_ASSERT_PTR_NULL(note(mon, "overlap"));
	pthread_mutex_unlock(&mon->sources[0]->lock);
	/* the plugin's error, its words, and the source named */
	pid_t gone = NO_SUCH_PID;
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &gone, 1, &err), -ESRCH);
	ASSERT_CONTAINS(err.message, "source 'metricsplug'");
	ASSERT_CONTAINS(err.message, "does not exist");
	/* the earlier targets stay */
	pthread_mutex_lock(&mon->sources[0]->lock);
	CU_ASSERT_STRING_EQUAL(note(mon, "targets"), want);
	pthread_mutex_unlock(&mon->sources[0]->lock);
	pid_t zero = 0;
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &zero, 1, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "pid 0");
	/* samples went on around the calls */
	uint64_t before = samples(mon);
	while (samples(mon) < before + 2)
		sleep_s(0.001);
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, two, 1, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "stopped");
	em_monitor_destroy(mon);
}

static void test_no_plugin_with_set_targets_is_not_supported(void)
{
	struct em_monitor *mon = create("testpower");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	pid_t self = getpid();
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &self, 1, &err), -EOPNOTSUPP);
	ASSERT_CONTAINS(err.message, "set_targets");
	em_monitor_destroy(mon);
	/* with one that can, the other is left alone */
	mon = create("testpower,metricsplug");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &self, 1, &err), 0);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"before start the caller calls", test_before_start_the_caller_calls},
		{"while running the sampling thread calls", test_while_running_the_sampling_thread_calls},
		{"no plugin with set_targets is not supported", test_no_plugin_with_set_targets_is_not_supported},
		CU_TEST_INFO_NULL,
	};
	return run_suite("set_targets", tests);
}
