/*
 * test_tree.c — the ebpf plugin follows a process tree on the real kernel:
 * its CPU time matches the kernel's own accounting, forks during the run
 * join the tree, processes outside it do not, exited members keep their
 * time, and two monitors do not see each other's processes. Needs root.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "tree_check.h"
#include "workload.h"

static void burn_1_5(void *arg)
{
	(void)arg;
	burn_cpu(1.5);
}

static void test_child_matches_kernel_accounting(void)
{
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, burn_1_5, NULL) == 0);
	CU_ASSERT_FATAL(start_monitor(&h, c.pid, NULL) == 0);
	release(&c);
	double prev = 0;
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(wait_for_cpu_s(c.pid, 0.3 * (i + 1)), 0); /* mid-run, wherever the load put it */
		/* Mid-run, the running slice must be counted: the reading lies
		 * between the kernel's own totals just before and after it,
		 * give or take the tick by which those lag for a running task. */
		double before = schedstat_cpu_s(c.pid);
		CU_ASSERT(h.plugin->sample(h.instance) == 0);
		double after = schedstat_cpu_s(c.pid);
		const struct energy_reading *r = harness_last(&h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S);
		CU_ASSERT_FATAL(r != NULL);
		CU_ASSERT(r->value >= prev);
		if (!(r->value >= before - 0.01 && r->value <= after + 0.01))
			printf("\n  sample %d: tree %.4f s, kernel %.4f..%.4f s\n", i, r->value, before, after);
		CU_ASSERT(r->value >= before - 0.01 && r->value <= after + 0.01);
		prev = r->value;
	}
	double expected = reap_cpu_s(c.pid);
	double measured = finish(&h);
	ASSERT_WITHIN(measured, expected, TOLERANCE);
	CU_ASSERT(harness_last(&h, "busy", ENERGY_Q_CPU_TIME_S) != NULL);
	CU_ASSERT(harness_last(&h, "idle", ENERGY_Q_CPU_TIME_S) != NULL);
	CU_ASSERT(harness_last(&h, "context_switches", ENERGY_Q_COUNT) != NULL);
	harness_close(&h);
}

static void parent_then_grandchild(void *arg)
{
	(void)arg;
	burn_cpu(0.5);
	pid_t g = fork();
	if (g == 0) {
		burn_cpu(1.0);
		_exit(0);
	}
	if (g > 0)
		waitpid(g, NULL, 0);
}

static void burn_1_0(void *arg)
{
	(void)arg;
	burn_cpu(1.0);
}

static void test_grandchild_counted_outsider_not(void)
{
	struct waiting_child c, outsider;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, parent_then_grandchild, NULL) == 0);
	CU_ASSERT_FATAL(spawn_waiting(&outsider, burn_1_0, NULL) == 0);
	CU_ASSERT_FATAL(start_monitor(&h, c.pid, NULL) == 0);
	release(&outsider);
	release(&c);
	/* wait4 of the child includes the grandchild it waited for */
	double expected = reap_cpu_s(c.pid);
	double outside = reap_cpu_s(outsider.pid);
	double measured = finish(&h);
	CU_ASSERT(expected > 1.4);
	CU_ASSERT(outside > 0.9);
	ASSERT_WITHIN(measured, expected, TOLERANCE);
	harness_close(&h);
}

/* The child forks a grandchild that burns 1 s and exits, reports the
 * grandchild's CPU time through a pipe and stays alive until killed. */
static void report_grandchild(void *arg)
{
	int fd = *(int *)arg;
	pid_t g = fork();
	if (g == 0) {
		burn_cpu(1.0);
		_exit(0);
	}
	double gs = reap_cpu_s(g);
	if (write(fd, &gs, sizeof(gs)) != (ssize_t)sizeof(gs))
		_exit(3);
	pause();
}

static void test_exited_member_keeps_total(void)
{
	int p[2];
	CU_ASSERT_FATAL(pipe(p) == 0);
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, report_grandchild, &p[1]) == 0);
	CU_ASSERT_FATAL(start_monitor(&h, c.pid, NULL) == 0);
	release(&c);
	double grandchild = -1;
	CU_ASSERT_FATAL(read(p[0], &grandchild, sizeof(grandchild)) == (ssize_t)sizeof(grandchild));
	CU_ASSERT_EQUAL(wait_until_asleep(c.pid), 0); /* the grandchild is gone; the child sleeps */
	double child_own = schedstat_cpu_s(c.pid);
	double measured = finish(&h);
	kill(c.pid, SIGKILL);
	waitpid(c.pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	CU_ASSERT(grandchild > 0.9);
	CU_ASSERT(child_own >= 0);
	ASSERT_WITHIN(measured, grandchild + child_own, TOLERANCE);
	harness_close(&h);
}

static void burn_0_6(void *arg)
{
	(void)arg;
	burn_cpu(0.6);
}

static void test_two_monitors_are_separate(void)
{
	struct waiting_child a, b;
	struct harness ha, hb;
	CU_ASSERT_FATAL(spawn_waiting(&a, burn_1_0, NULL) == 0);
	CU_ASSERT_FATAL(spawn_waiting(&b, burn_0_6, NULL) == 0);
	CU_ASSERT_FATAL(start_monitor(&ha, a.pid, NULL) == 0);
	CU_ASSERT_FATAL(start_monitor(&hb, b.pid, NULL) == 0);
	release(&a);
	release(&b);
	double ea = reap_cpu_s(a.pid), eb = reap_cpu_s(b.pid);
	double ma = finish(&ha), mb = finish(&hb);
	ASSERT_WITHIN(ma, ea, TOLERANCE);
	ASSERT_WITHIN(mb, eb, TOLERANCE);
	harness_close(&ha);
	harness_close(&hb);
}

int main(void)
{
	skip_unless_bpf_allowed();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf process tree", NULL, NULL);
	CU_add_test(s, "a child's CPU time matches the kernel's accounting", test_child_matches_kernel_accounting);
	CU_add_test(s, "a grandchild forked mid-run is counted, an outsider is not", test_grandchild_counted_outsider_not);
	CU_add_test(s, "a member that exits before stop keeps its total", test_exited_member_keeps_total);
	CU_add_test(s, "two monitors at once do not see each other's processes", test_two_monitors_are_separate);
	return cunit_run_registered();
}
