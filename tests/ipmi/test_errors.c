/*
 * test_errors.c — failures the user must be able to act on: wrong password,
 * nothing listening on the port, insufficient privilege, unknown user. Each
 * fails create() with the right errno, a message naming the BMC and nothing
 * left allocated. That create() returns at all (a monitor must not hang its
 * caller) is bounded by the test's timeout; with nothing listening, the
 * message must name the request timeout that ended the wait.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipmi_fixture.h"

/* create() and check rc and the words in the message. */
static void expect_create_fails(struct harness *h, int want_rc, const char *const *words)
{
	int rc = harness_create(h);
	printf("\n  rc %d: %s", rc, h->error);
	CU_ASSERT_EQUAL(rc, want_rc);
	CU_ASSERT_PTR_NULL(h->instance);
	for (; *words; words++) {
		CU_ASSERT_PTR_NOT_NULL(strstr(h->error, *words));
		if (!strstr(h->error, *words))
			printf("\n  missing \"%s\"", *words);
	}
}

static struct simbmc bmc;

static int suite_init(void)
{
	struct simbmc_options opts = {0};
	memset(&bmc, 0, sizeof(bmc));
	return simbmc_start(&bmc, &opts) == 0 ? 0 : -1;
}

static int suite_clean(void)
{
	simbmc_cleanup(&bmc);
	return 0;
}

static void test_wrong_password(void)
{
	char path[sizeof(bmc.dir) + 16];
	snprintf(path, sizeof(path), "%s/wrong.pw", bmc.dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "not-the-password\n", 17) == 17);
	close(fd);
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load_as(&h, &bmc, 1.0, bmc.user, path), 0);
	const char *words[] = {bmc.host, "wrong password", bmc.user, NULL};
	expect_create_fails(&h, -EACCES, words);
	CU_ASSERT_PTR_NULL(strstr(h.error, "not-the-password"));
	harness_close(&h);
}

static int free_udp_port(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

static void test_nothing_on_the_port(void)
{
	int port = free_udp_port();
	CU_ASSERT_FATAL(port > 0);
	char host[32];
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(harness_load(&h, "ipmi"), 0);
	harness_set(&h, "ipmi_host", host);
	harness_set(&h, "ipmi_username", bmc.user);
	harness_set(&h, "ipmi_password_file", bmc.password_file);
	harness_set(&h, "ipmi_workarounds", "opensesspriv");
	/* ipmi_timeout left at its default (2 s): that is what users get */
	const char *words[] = {host, "no answer within 2 s", NULL};
	expect_create_fails(&h, -ETIMEDOUT, words);
	harness_close(&h);
}

static void test_insufficient_privilege(void)
{
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load_as(&h, &bmc, 1.0, SIMBMC_VIEWER_USER, bmc.password_file), 0);
	harness_set(&h, "ipmi_privilege", "user");
	harness_set(&h, "ipmi_sensors", "false");
	const char *words[] = {bmc.host, "privilege", SIMBMC_VIEWER_USER, NULL};
	expect_create_fails(&h, -EPERM, words);
	harness_close(&h);
}

static void test_unknown_user(void)
{
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load_as(&h, &bmc, 1.0, "nosuchuser", bmc.password_file), 0);
	const char *words[] = {bmc.host, "nosuchuser", NULL};
	expect_create_fails(&h, -EACCES, words);
	harness_close(&h);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"wrong password", test_wrong_password},
		{"nothing listening on the port", test_nothing_on_the_port},
		{"insufficient privilege for DCMI", test_insufficient_privilege},
		{"unknown user", test_unknown_user},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi errors", suite_init, suite_clean, tests);
}
