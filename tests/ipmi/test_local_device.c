/*
 * test_local_device.c — in-band access when /dev/ipmi0 exists but this user
 * may not open it: probe and create fail with -EACCES naming the device.
 *
 * The machine has no IPMI device, and nothing is created in the real /dev:
 * a child process gets its own mount namespace with a tmpfs on /dev holding
 * a root-only /dev/ipmi0, drops to an unprivileged user, and probes there.
 * Needs root (for the namespace); otherwise the test says so and skips.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit_run.h"
#include "plugin_harness.h"
#include "plugin_stage.h"

#define NOBODY 65534

static int skipped;
/* uid 65534 cannot reach the build tree of a checkout in a 0700 directory:
 * it loads a copy in a root-owned 0755 directory under /tmp */
static struct plugin_stage staged;

/* In the child: 0 if the setting is ready, else a skip reason on stdout. */
static int private_dev_with_locked_device(void)
{
	if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "mode=755") != 0) {
		printf("SKIP: no private mount namespace here (%s)\n", strerror(errno));
		return -1;
	}
	int fd = open("/dev/ipmi0", O_CREAT | O_WRONLY, 0600);
	if (fd < 0 || close(fd) != 0 || chmod("/dev/ipmi0", 0600) != 0)
		return -1;
	if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0) {
		printf("SKIP: cannot drop to uid %d (%s)\n", NOBODY, strerror(errno));
		return -1;
	}
	return 0;
}

/* Exit codes of the child: 0 pass, 1 fail, 77 skip. */
static int child(void)
{
	if (private_dev_with_locked_device() != 0)
		return 77;
	struct harness h;
	if (harness_load(&h, staged.path) != 0) {
		printf("  the staged plugin %s cannot be loaded as uid %d: %s\n", staged.path, NOBODY, h.error);
		return 1;
	}
	int ok = 1;
	int rc = harness_probe(&h);
	printf("  probe: %d %s\n", rc, h.error);
	ok &= rc == -EACCES && strstr(h.error, "/dev/ipmi0") != NULL;
	rc = harness_create(&h);
	printf("  create: %d %s\n", rc, h.error);
	ok &= rc == -EACCES && strstr(h.error, "/dev/ipmi0") != NULL && h.instance == NULL;
	harness_close(&h);
	return ok ? 0 : 1;
}

static void test_device_without_permission(void)
{
	if (geteuid() != 0) {
		printf("SKIP: not root: the no-permission case needs a private mount namespace\n");
		skipped = 1;
		return;
	}
	int rc = plugin_stage(&staged, "ipmi");
	if (rc != 0)
		printf("\n  %s\n", staged.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	fflush(stdout);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int code = child();
		fflush(stdout);
		_exit(code);
	}
	int status;
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	plugin_unstage(&staged);
	CU_ASSERT(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		skipped = 1;
		return;
	}
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"/dev/ipmi0 without permission", test_device_without_permission},
		CU_TEST_INFO_NULL,
	};
	int failed = cunit_run_suite("ipmi local device", NULL, NULL, tests);
	return failed ? 1 : skipped ? 77 : 0;
}
