/*
 * The simulated BMC under load: ipmi_sim shares the CPUs with the workload
 * a test measures, so it is started at real-time priority (SCHED_FIFO 10)
 * where that is permitted, and at normal priority when the caller turns it
 * off (benchmarks that run many simulators).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "../support/cunit_run.h"
#include "check.h"
#include "simbmc_client.h"

static pid_t bmc_pid(const struct simbmc *s)
{
	char path[128];
	long pid = -1;
	snprintf(path, sizeof(path), "%s/ipmi_sim.pid", s->dir);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return (pid_t)pid;
}

static int may_use_fifo(void)
{
	struct sched_param p = { .sched_priority = 10 };
	pid_t child = fork();
	if (child == 0) /* try in a child, so this process stays as it is */
		_exit(sched_setscheduler(0, SCHED_FIFO, &p) == 0 ? 0 : 1);
	int status = 1;
	return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static void expect_policy(int no_realtime, int policy, int priority)
{
	struct simbmc bmc;
	struct simbmc_options o = { .no_realtime = no_realtime };
	CHECK_OK(simbmc_start(&bmc, &o), bmc.error);
	pid_t pid = bmc_pid(&bmc);
	CHECK_INT(pid, >, 0);
	if (pid > 0) {
		struct sched_param p = { 0 };
		CHECK_INT(sched_getscheduler(pid), ==, policy);
		CHECK_INT(sched_getparam(pid, &p), ==, 0);
		CHECK_INT(p.sched_priority, ==, priority);
	}
	simbmc_cleanup(&bmc);
}

static void test_realtime_by_default(void)
{
	if (!may_use_fifo()) {
		/* Not permitted: it must run, at normal priority, and say so. */
		expect_policy(0, SCHED_OTHER, 0);
		return;
	}
	expect_policy(0, SCHED_FIFO, 10);
}

static void test_normal_priority_when_turned_off(void)
{
	expect_policy(1, SCHED_OTHER, 0);
}

int main(void)
{
	require_simbmc();
	if (!may_use_fifo())
		printf("note: SCHED_FIFO is not permitted here; only normal priority is checked\n");
	CU_TestInfo tests[] = {
		{"ipmi_sim runs at SCHED_FIFO 10 where permitted", test_realtime_by_default},
		{"no_realtime: ipmi_sim runs at SCHED_OTHER", test_normal_priority_when_turned_off},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("simbmc_priority", NULL, NULL, tests);
}
