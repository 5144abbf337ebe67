/*
 * test_membership.c — who belongs to the tree: descendants alive before
 * start (found by the seed walk), threads started during the run, and with
 * ebpf_include_children=false, the target alone. Needs root.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "tree_check.h"
#include "workload.h"

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

/* A grandchild that exists before start is found by the seed walk. */
static void test_existing_grandchild_counted(void)
{
	int go[2], ready[2];
	CU_ASSERT_FATAL(pipe(go) == 0 && pipe(ready) == 0);
	pid_t c = fork();
	CU_ASSERT_FATAL(c >= 0);
	if (c == 0) {
		close(go[1]);
		close(ready[0]);
		pid_t g = fork();
		char b;
		if (g == 0) {
			if (read(go[0], &b, 1) != 1)
				_exit(2);
			burn_cpu(0.7);
			_exit(0);
		}
		if (write(ready[1], "r", 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(2);
		burn_cpu(0.3);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	char b;
	CU_ASSERT_FATAL(read(ready[0], &b, 1) == 1);
	struct harness h;
	CU_ASSERT_FATAL(start_monitor(&h, c, NULL) == 0);
	CU_ASSERT_FATAL(write(go[1], "gg", 2) == 2);
	double expected = reap_cpu_s(c);
	double measured = finish(&h);
	close(go[1]);
	close(ready[0]);
	CU_ASSERT(expected > 0.95);
	ASSERT_WITHIN(measured, expected, TOLERANCE);
	harness_close(&h);
}

static void *burn_thread(void *arg)
{
	burn_cpu_thread(*(double *)arg);
	return NULL;
}

/* Threads started after start() belong to the tree. */
static void two_threads(void *arg)
{
	(void)arg;
	double s = 0.5;
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, burn_thread, &s) != 0)
			_exit(2);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

static void test_threads_counted(void)
{
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, two_threads, NULL) == 0);
	CU_ASSERT_FATAL(start_monitor(&h, c.pid, NULL) == 0);
	release(&c);
	double expected = reap_cpu_s(c.pid);
	double measured = finish(&h);
	CU_ASSERT(expected > 0.95);
	ASSERT_WITHIN(measured, expected, TOLERANCE);
	harness_close(&h);
}

static void test_children_excluded_when_configured(void)
{
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(spawn_waiting(&c, parent_then_grandchild, NULL) == 0);
	CU_ASSERT_FATAL(start_monitor(&h, c.pid, "false") == 0);
	release(&c);
	double with_grandchild = reap_cpu_s(c.pid);
	double measured = finish(&h);
	/* the child alone burns 0.5 s; its grandchild's 1.0 s is left out */
	ASSERT_WITHIN(measured, 0.5, 0.1);
	CU_ASSERT(with_grandchild > 1.4);
	harness_close(&h);
}

int main(void)
{
	skip_unless_bpf_allowed();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf tree membership", NULL, NULL);
	CU_add_test(s, "a grandchild alive before start is counted", test_existing_grandchild_counted);
	CU_add_test(s, "threads started during the run are counted", test_threads_counted);
	CU_add_test(s, "ebpf_include_children=false leaves descendants out", test_children_excluded_when_configured);
	return cunit_run_registered();
}
