/*
 * One local user must not deny energymond to the others: a uid that is not
 * root holds at most 256 connections and 256 open windows (over all its
 * connections); the next is EMFILE naming the uid, while another uid and
 * root are still served. Clients run as uid 65534 and 65533 (needs root).
 */
#include "agent_harness.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PER_UID 256

static const char *const testpower[] = {"--plugins", "testpower", "--interval", "0.05", NULL};
static struct agentd shared;

static int start_shared(void)
{
	agentd_prepare(&shared);
	return agentd_start(&shared, testpower) ? 0 : -1;
}

static int stop_shared(void)
{
	agentd_stop(&shared);
	return shared.status == 0 ? 0 : -1;
}

static const char *text(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void become(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		_exit(90);
}

/* A fresh connection whose hello was answered ok (so it was accepted). */
static int served(void)
{
	int fd = agent_connect(shared.socket);
	json_t *a = fd >= 0 ? agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}") : NULL;
	bool ok = agent_ok(a);
	json_decref(a);
	if (!ok && fd >= 0)
		close(fd);
	return ok ? fd : -1;
}

/* As `uid`: a hello on a new connection is answered ok (exit 0). */
static bool served_as(uid_t uid)
{
	pid_t kid = fork();
	if (kid == 0) {
		become(uid);
		_exit(served() >= 0 ? 0 : 1);
	}
	int st;
	return waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The hog (uid 65534) takes what it may, checks the next is refused, says
 * so on `report`, then holds everything until `release` closes. */
static void hog(int report, int release, bool windows)
{
	become(65534);
	int rc = 0;
	if (!windows) {
		for (int i = 0; i < PER_UID && !rc; i++)
			rc = served() >= 0 ? 0 : 10;
		int fd = agent_connect(shared.socket);
		json_t *a = rc ? NULL : agent_read(fd); /* the refusal comes unasked */
		if (!rc && (strcmp(agent_errno(a), "EMFILE") || !strstr(text(a, "error"), "uid 65534")))
			rc = 11;
		json_decref(a);
	} else {
		int fd = -1;
		for (int i = 0; i < PER_UID && !rc; i++) {
			if (i % 64 == 0)
				fd = agent_connect(shared.socket);
			json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":0}");
			rc = agent_ok(a) ? 0 : 20;
			json_decref(a);
		}
		fd = agent_connect(shared.socket);
		json_t *a = rc ? NULL : agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":0}");
		if (!rc && (strcmp(agent_errno(a), "EMFILE") || !strstr(text(a, "error"), "uid 65534")))
			rc = 21;
		json_decref(a);
	}
	char r = (char)rc;
	if (write(report, &r, 1) != 1)
		_exit(92);
	if (read(release, &r, 1) < 0)
		_exit(93);
	_exit(rc);
}

static void run_hog(bool windows)
{
	int report[2], release[2];
	CU_ASSERT_EQUAL_FATAL(pipe(report), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(release), 0);
	pid_t kid = fork();
	if (kid == 0) {
		close(report[0]);
		close(release[1]);
		hog(report[1], release[0], windows);
	}
	close(report[1]);
	close(release[0]);
	char r = 99;
	CU_ASSERT_EQUAL(read(report[0], &r, 1), 1);
	CU_ASSERT_EQUAL(r, 0); /* 256 taken, the 257th refused naming the uid */
	CU_ASSERT(served_as(65533)); /* another user is still served */
	int fd = agent_connect(shared.socket);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":0}"); /* and root */
	CU_ASSERT(agent_ok(a));
	json_decref(a);
	close(fd);
	close(release[1]);
	int st;
	CU_ASSERT(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(report[0]);
}

static void test_connections_per_uid(void)
{
	run_hog(false);
}

static void test_windows_per_uid(void)
{
	run_hog(true);
}

int main(int argc, char **argv)
{
	if (agent_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: test_agent_fairness ENERGYMOND\n");
		return 1;
	}
	if (geteuid() != 0) {
		printf("skipped: needs root to run clients as other uids\n");
		return 77;
	}
	CU_TestInfo tests[] = {
		{"256 connections per uid, others still served", test_connections_per_uid},
		{"256 windows per uid, others still served", test_windows_per_uid},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent fairness", start_shared, stop_shared, tests);
}
