/*
 * test_counters.c — perf counters charged to the tree at each switch. The
 * test machines have no hardware PMU, so the software cpu-clock event
 * (nanoseconds on CPU) exercises the same path, and its count for the
 * tree must agree with the tree's CPU time. Needs root.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "tree_check.h"
#include "workload.h"

static void burn_0_8(void *arg)
{
	(void)arg;
	burn_cpu(0.8);
}

static void test_cpu_clock_matches_cpu_time(void)
{
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, burn_0_8, NULL) == 0);
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set(&h, "ebpf_counters", "cpu-clock");
	harness_set_target(&h, c.pid, 0.2);
	CU_ASSERT_FATAL(harness_create(&h) == 0);
	CU_ASSERT_FATAL(h.plugin->start(h.instance) == 0);
	release(&c);
	CU_ASSERT_EQUAL(wait_for_cpu_s(c.pid, 0.3), 0); /* a sample mid-run */
	CU_ASSERT(h.plugin->sample(h.instance) == 0);
	reap_cpu_s(c.pid);
	CU_ASSERT(h.plugin->stop(h.instance) == 0);
	CU_ASSERT_FATAL(h.plugin->get_data(h.instance) == 0);

	const struct energy_reading *tree = harness_last(&h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S);
	const struct energy_reading *clk = harness_last(&h, "cpu-clock", ENERGY_Q_COUNT);
	CU_ASSERT_FATAL(tree != NULL && clk != NULL);
	CU_ASSERT_FALSE(clk->flags & ENERGY_READING_FINAL); /* the host totals it */
	CU_ASSERT_EQUAL(clk->scope, ENERGY_SCOPE_PROCESS);
	CU_ASSERT_EQUAL(harness_count(&h, "cpu-clock", ENERGY_Q_COUNT), 3); /* start, sample, stop */
	double clk_s = clk->value / 1e9;
	if (fabs(clk_s - tree->value) > 0.05 * tree->value)
		printf("\n  cpu-clock %.4f s, tree CPU time %.4f s\n", clk_s, tree->value);
	CU_ASSERT(fabs(clk_s - tree->value) <= 0.05 * tree->value);
	const struct harness_note *n = harness_note(&h, "hardware_counters");
	CU_ASSERT(n && strstr(n->text, "counted per process tree: cpu-clock"));
	CU_ASSERT_PTR_NULL(harness_note(&h, "cpu-clock")); /* not repeated as a note */
	harness_close(&h);
}

static void test_unknown_counter_refused(void)
{
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set(&h, "ebpf_counters", "cycles,bogus");
	harness_set_target(&h, getpid(), 1.0);
	CU_ASSERT_EQUAL(harness_create(&h), -EINVAL);
	CU_ASSERT(strstr(h.error, "bogus") != NULL);
	harness_close(&h);
}

static void test_no_pmu_says_unavailable(void)
{
	if (access("/sys/bus/event_source/devices/cpu", F_OK) == 0) {
		printf("\n  (this machine has a cpu PMU: nothing to check)\n");
		return;
	}
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, getpid(), 1.0);
	CU_ASSERT_FATAL(harness_create(&h) == 0);
	CU_ASSERT_FATAL(h.plugin->start(h.instance) == 0);
	CU_ASSERT(h.plugin->stop(h.instance) == 0);
	CU_ASSERT(h.plugin->get_data(h.instance) == 0);
	const struct harness_note *n = harness_note(&h, "hardware_counters");
	CU_ASSERT(n && strncmp(n->text, "unavailable: no hardware cpu PMU", 32) == 0);
	CU_ASSERT_EQUAL(harness_count(&h, "cycles", 0), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "instructions", 0), 0);
	harness_close(&h);
}

int main(void)
{
	skip_unless_bpf_allowed();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf counters", NULL, NULL);
	CU_add_test(s, "cpu-clock counted for the tree matches its CPU time", test_cpu_clock_matches_cpu_time);
	CU_add_test(s, "an unknown counter name is refused", test_unknown_counter_refused);
	CU_add_test(s, "no hardware PMU: cycles/instructions unavailable, said so", test_no_pmu_says_unavailable);
	return cunit_run_registered();
}
