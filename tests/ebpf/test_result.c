/*
 * test_result.c — what the ebpf plugin's result says: the machine's busy
 * and idle time add up to the wall time of every CPU, the tree's share is a
 * fraction of the busy time, and the notes state the attribution rule and
 * the hardware counters' status. Needs root.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "tree_check.h"
#include "workload.h"

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void burn_0_8(void *arg)
{
	(void)arg;
	burn_cpu(0.8);
}


static void test_machine_time_and_notes(void)
{
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, burn_0_8, NULL) == 0);
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, c.pid, 0.2);
	CU_ASSERT_FATAL(harness_create(&h) == 0);
	double t0 = mono_s();
	CU_ASSERT_FATAL(h.plugin->start(h.instance) == 0);
	release(&c);
	reap_cpu_s(c.pid);
	CU_ASSERT(h.plugin->stop(h.instance) == 0);
	double t1 = mono_s();
	CU_ASSERT_FATAL(h.plugin->get_data(h.instance) == 0);

	/* what the host counts: last reading minus the first (start's) */
	double busy = host_total(&h, "busy", ENERGY_Q_CPU_TIME_S);
	double idle = host_total(&h, "idle", ENERGY_Q_CPU_TIME_S);
	double tree = host_total(&h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double wall_all = (double)cpus * (t1 - t0);
	/* every CPU is either busy or idle at every moment of the run */
	if (fabs(busy + idle - wall_all) > 0.05 * wall_all)
		printf("\n  busy %.4f + idle %.4f, expected %ld CPUs x %.4f s = %.4f\n", busy, idle, cpus,
		       t1 - t0, wall_all);
	CU_ASSERT(fabs(busy + idle - wall_all) <= 0.05 * wall_all);
	CU_ASSERT(tree > 0.7 && tree <= busy);
	/* ABI 1.3: CPU seconds are whole ns of bpf_ktime_get_ns(), declared
	 * (the tree's metric) and said on each reading (busy, idle) */
	CU_ASSERT_EQUAL(harness_last(&h, "busy", ENERGY_Q_CPU_TIME_S)->resolution, 1e-9);
	CU_ASSERT_EQUAL(harness_last(&h, "idle", ENERGY_Q_CPU_TIME_S)->resolution, 1e-9);
	CU_ASSERT_EQUAL(harness_last(&h, "context_switches", ENERGY_Q_COUNT)->resolution, 0.0);
	CU_ASSERT_EQUAL(h.nmetrics, 1);
	CU_ASSERT_EQUAL(h.metrics[0].decl.resolution, 1e-9);

	/* the host computes cpu_time, machine_busy_time and cpu_share from
	 * the readings: no note repeats them */
	const char *totals[] = { "cpu_time", "cpu_share", "machine_busy_time", "machine_idle_time",
				 "context_switches" };
	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		CU_ASSERT_PTR_NULL(harness_note(&h, totals[i]));
	const struct harness_note *n = harness_note(&h, "attribution_rule");
	CU_ASSERT(n && !n->is_number && strstr(n->text, "tree CPU time / machine busy CPU time"));
	n = harness_note(&h, "hardware_counters");
	CU_ASSERT_FATAL(n != NULL);
	if (access("/sys/bus/event_source/devices/cpu", F_OK) != 0)
		CU_ASSERT(strncmp(n->text, "unavailable: ", 13) == 0);
	printf("\n  hardware_counters: %s\n", n->text);
	harness_close(&h);
}

static void test_samples_are_cumulative_and_stamped(void)
{
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, burn_0_8, NULL) == 0);
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, c.pid, 0.1);
	CU_ASSERT_FATAL(harness_create(&h) == 0);
	CU_ASSERT_FATAL(h.plugin->start(h.instance) == 0);
	release(&c);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(wait_for_cpu_s(c.pid, 0.1 * (i + 1)), 0); /* samples while it runs */
		CU_ASSERT(h.plugin->sample(h.instance) == 0);
	}
	reap_cpu_s(c.pid);
	CU_ASSERT(h.plugin->stop(h.instance) == 0);
	CU_ASSERT_EQUAL(harness_count(&h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S), 6); /* start, four samples, stop */
	double prev[4] = { 0, 0, 0, 0 };
	const char *sensors[4] = { TREE_SENSOR, "busy", "idle", "context_switches" };
	int64_t prev_ns = 0;
	for (size_t i = 0; i < h.nreadings; i++) {
		const struct energy_reading *r = &h.readings[i];
		CU_ASSERT(r->counter_max == 0);
		CU_ASSERT(r->mono_ns > 0 && r->wall_ns > 0);
		CU_ASSERT(r->mono_ns >= prev_ns);
		prev_ns = r->mono_ns;
		for (int s = 0; s < 4; s++)
			if (strcmp(r->sensor, sensors[s]) == 0) {
				CU_ASSERT(r->value >= prev[s]);
				prev[s] = r->value;
			}
	}
	/* not after stop */
	CU_ASSERT(h.plugin->sample(h.instance) == -EINVAL);
	harness_close(&h);
}

int main(void)
{
	skip_unless_bpf_allowed();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf result", NULL, NULL);
	CU_add_test(s, "busy + idle = CPUs x wall time; share and notes", test_machine_time_and_notes);
	CU_add_test(s, "samples are cumulative counters with time stamps", test_samples_are_cumulative_and_stamped);
	return cunit_run_registered();
}
