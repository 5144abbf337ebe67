/*
 * Starting and stopping the simulated BMC: refusals with clear messages, and
 * no BMC left behind even when its owner dies without cleaning up.
 */
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "simbmc_client.h"

/* A socket bound to a free 127.0.0.1 UDP port; *port gets the number. */
static int bind_udp(int port_in, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port_in) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int wait_port_free(int port)
{
	const struct timespec step = { 0, 50 * 1000 * 1000 };
	int got;

	for (int i = 0; i < 200; i++) { /* ~10 s: the watcher polls every 0.5 s */
		int fd = bind_udp(port, &got);
		if (fd >= 0) {
			close(fd);
			return 1;
		}
		nanosleep(&step, NULL);
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void test_orphaned_bmc_goes_with_its_owner(void)
{
	int fds[2];
	struct { int port; char dir[64]; } msg = { 0 };

	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	pid_t child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		struct simbmc b;
		if (simbmc_start(&b, NULL) == 0) {
			msg.port = b.port;
			snprintf(msg.dir, sizeof(msg.dir), "%s", b.dir);
		}
		if (write(fds[1], &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			_exit(2);
		_exit(0); /* no cleanup: as if killed */
	}
	close(fds[1]);
	CHECK_INT(read(fds[0], &msg, sizeof(msg)), ==, sizeof(msg));
	close(fds[0]);
	waitpid(child, NULL, 0);
	CU_ASSERT_FATAL(msg.port > 0);
	CU_ASSERT(wait_port_free(msg.port));
	nftw(msg.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_port_in_use_is_refused(void)
{
	struct simbmc b;
	int port = 0, fd = bind_udp(0, &port);
	struct simbmc_options o = { 0 };

	CU_ASSERT_FATAL(fd >= 0);
	o.port = port;
	CHECK_INT(simbmc_start(&b, &o), ==, -EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.error, "already in use"));
	CHECK_INT(b.dir[0], ==, '\0'); /* nothing left behind */
	close(fd);
	simbmc_cleanup(&b);
}

static void test_bad_passwords_are_refused(void)
{
	struct simbmc b;
	struct simbmc_options o = { .password = "twenty-one-characters" };

	CHECK_INT(simbmc_start(&b, &o), ==, -EINVAL);
	o.password = "with\"quote";
	CHECK_INT(simbmc_start(&b, &o), ==, -EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.error, "password must be"));
	/* The refusal never repeats the password. */
	CU_ASSERT_PTR_NULL(strstr(b.error, "with\"quote"));
	simbmc_cleanup(&b);
}

static void test_stop_is_idempotent_and_cleanup_safe(void)
{
	struct simbmc b, zero = { 0 };
	int port;

	simbmc_cleanup(&zero);
	CHECK_OK(simbmc_start(&b, NULL), b.error);
	port = b.port;
	CHECK_OK(simbmc_stop(&b), b.error);
	CU_ASSERT(wait_port_free(port));
	CHECK_OK(simbmc_stop(&b), b.error);
	simbmc_cleanup(&b);
	simbmc_cleanup(&b);
	CHECK_INT(simbmc_restart(&b), ==, -EINVAL);
}

int main(void)
{
	require_simbmc();
	CU_TestInfo tests[] = {
		{"orphaned BMC goes with its owner", test_orphaned_bmc_goes_with_its_owner},
		{"port in use is refused", test_port_in_use_is_refused},
		{"bad passwords are refused", test_bad_passwords_are_refused},
		{"stop twice, cleanup twice", test_stop_is_idempotent_and_cleanup_safe},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("simbmc_lifecycle", NULL, NULL, tests);
}
