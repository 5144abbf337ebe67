/*
 * test_unavailable.c — the ebpf plugin refuses clearly: without the
 * privilege to load BPF it says "unavailable" and why, and it will not
 * follow pid 0 or a process that does not exist; without BTF or inside a pid
 * namespace it says so. Needs root (to drop it, and for the namespaces).
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "plugin_stage.h"
#include "workload.h"

#define NOBODY 65534

/* ebpf.so copied where uid 65534 can load it: the build tree may sit in a
 * 0700 checkout. */
static struct plugin_stage staged;

/* In a child that gave up root: probe and create must fail with -EPERM
 * and a reason naming the missing privilege. Exit status 0 if so. */
static int unprivileged_child(void)
{
	if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
		return 10;
	struct harness h;
	if (harness_load(&h, staged.path) != 0) {
		printf("\n  loading %s as nobody: %s\n", staged.path, h.error);
		return 11;
	}
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

/* Run `fn` in a child and expect exit status 0; the child reports. */
static void in_child(int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(fn());
	int status = 0;
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("\n  (skipped: this kernel does not allow the namespace this needs)\n");
		return;
	}
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_without_privilege(void)
{
	int rc = plugin_stage(&staged, "ebpf");
	if (rc != 0)
		printf("\n  %s\n", staged.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	in_child(unprivileged_child);
	plugin_unstage(&staged);
}

static int probe_expect(int want, const char *words)
{
	struct harness h;
	if (harness_load(&h, "ebpf") != 0)
		return 11;
	int rc = harness_probe(&h);
	int ok = rc == want && strstr(h.error, words);
	if (!ok)
		printf("\n  probe: %d \"%s\", expected %d and \"%s\"\n", rc, h.error, want, words);
	harness_close(&h);
	fflush(stdout);
	return ok ? 0 : 1;
}

/* Without BTF: hide /sys/kernel/btf behind an empty tmpfs in a private
 * mount namespace. */
static int hidden_btf_child(void)
{
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("none", "/sys/kernel/btf", "tmpfs", 0, NULL) != 0)
		return 77;
	return probe_expect(-ENODEV, "BTF");
}

static void test_without_btf(void)
{
	in_child(hidden_btf_child);
}

/* In a new pid namespace the pids differ from the kernel's own. */
static int pidns_child(void)
{
	if (unshare(CLONE_NEWPID) != 0)
		return 77;
	pid_t pid = fork();
	if (pid < 0)
		return 12;
	if (pid == 0)
		_exit(probe_expect(-EOPNOTSUPP, "pid namespace"));
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 13;
}

static void test_in_pid_namespace(void)
{
	in_child(pidns_child);
}

static void test_no_tree(void)
{
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, 0, 1.0);
	CU_ASSERT_EQUAL(harness_create(&h), -ESRCH);
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
	CU_add_test(s, "without BTF: -ENODEV, and why", test_without_btf);
	CU_add_test(s, "inside a pid namespace: -EOPNOTSUPP, and why", test_in_pid_namespace);
	CU_add_test(s, "target pid 0: -ESRCH, no tree to follow", test_no_tree);
	CU_add_test(s, "target that does not exist: -ESRCH", test_missing_process);
	CU_add_test(s, "target gone between create and start: -ESRCH", test_target_gone_before_start);
	return cunit_run_registered();
}
