/*
 * test_unavailable.c — the ebpf plugin refuses clearly: without the
 * privilege to load BPF it says "unavailable" and why, and it will not
 * follow pid 0 or a process that does not exist. Needs root (to drop it).
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "workload.h"

#define NOBODY 65534

/* In a child that gave up root: probe and create must fail with -EPERM
 * and a reason naming the missing privilege. Exit status 0 if so. */
static int unprivileged_child(void)
{
	if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
		return 10;
	struct harness h;
	if (harness_load(&h, "ebpf") != 0)
		return 11;
	harness_set_target(&h, getppid(), 1.0);
	int rc = harness_probe(&h);
	int ok = rc == -EPERM && strstr(h.error, "unavailable") && strstr(h.error, "CAP_BPF");
	if (!ok)
		printf("\n  probe as nobody: %d \"%s\"\n", rc, h.error);
	rc = harness_create(&h);
	int ok2 = rc == -EPERM && h.instance == NULL;
	if (!ok2)
		printf("\n  create as nobody: %d \"%s\"\n", rc, h.error);
	harness_close(&h);
	fflush(stdout);
	return ok && ok2 ? 0 : 1;
}

static void test_without_privilege(void)
{
	fflush(stdout);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(unprivileged_child());
	int status = 0;
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_no_tree(void)
{
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, 0, 1.0);
	CU_ASSERT_EQUAL(harness_create(&h), -EINVAL);
	CU_ASSERT(h.instance == NULL);
	CU_ASSERT(strstr(h.error, "target pid 0") != NULL);
	harness_close(&h);
}

static void test_missing_process(void)
{
	pid_t gone = fork();
	CU_ASSERT_FATAL(gone >= 0);
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, gone, 1.0);
	CU_ASSERT_EQUAL(harness_create(&h), -ESRCH);
	CU_ASSERT(h.instance == NULL);
	CU_ASSERT(strstr(h.error, "does not exist") != NULL);
	harness_close(&h);
}

static void test_target_gone_before_start(void)
{
	struct harness h;
	pid_t child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, child, 1.0);
	CU_ASSERT_FATAL(harness_create(&h) == 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CU_ASSERT_EQUAL(h.plugin->start(h.instance), -ESRCH);
	CU_ASSERT(strstr(h.error, "exited before") != NULL);
	harness_close(&h);
}

int main(void)
{
	skip_unless_bpf_allowed();
	if (geteuid() != 0) {
		printf("SKIP: dropping privileges needs root\n");
		return 77;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf unavailable", NULL, NULL);
	CU_add_test(s, "without root or CAP_BPF+CAP_PERFMON: -EPERM, unavailable, why", test_without_privilege);
	CU_add_test(s, "target pid 0: -EINVAL, no tree to follow", test_no_tree);
	CU_add_test(s, "target that does not exist: -ESRCH", test_missing_process);
	CU_add_test(s, "target gone between create and start: -ESRCH", test_target_gone_before_start);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
