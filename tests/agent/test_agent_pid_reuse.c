/*
 * The client's pid as the kernel reported it at connect (SO_PEERCRED) is
 * only a number: the process that connected may exit while a child it
 * handed the connection to keeps it, and the number may then belong to
 * another user's process. A begin that names no pid must not follow that
 * process. The reuse is made deterministic with ns_last_pid (needs root).
 */
#include "agent_harness.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* A root process with pid `want` (it sleeps until killed), or -1 when
 * another fork took the number first. */
static pid_t fork_as(pid_t want)
{
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	char n[32];
	int len = snprintf(n, sizeof(n), "%d", (int)want - 1);
	if (fd < 0 || write(fd, n, (size_t)len) != len) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	pid_t kid = fork();
	if (kid == 0) {
		pause();
		_exit(0);
	}
	close(fd);
	if (kid != want && kid > 0) {
		kill(kid, SIGKILL);
		waitpid(kid, NULL, 0);
		return -1;
	}
	return kid;
}

/* One try: 1 refused as it should be, 0 followed the other process, -1 no reuse made. */
static int one_try(void)
{
	int to_test[2], go[2];
	if (pipe(to_test) || pipe(go))
		return -1;
	pid_t client = fork();
	if (client == 0) { /* uid 65534: connect, hand the connection to a child, exit */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(90);
		int fd = agent_connect(shared.socket);
		json_t *h = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
		if (!agent_ok(h))
			_exit(91);
		if (fork() == 0) { /* keeps fd; waits for the reuse, then begins */
			char r;
			if (read(go[0], &r, 1) != 1)
				_exit(92);
			json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\"}");
			char out = agent_ok(a) ? 'F' : !strcmp(agent_errno(a), "EPERM") || !strcmp(agent_errno(a), "ESRCH") ? 'R' : '?';
			if (out == '?')
				fprintf(stderr, "begin: %s %s\n", agent_errno(a),
				        json_string_value(json_object_get(a, "error")));
			if (write(to_test[1], &out, 1) != 1)
				_exit(93);
			_exit(0);
		}
		_exit(0);
	}
	close(to_test[1]);
	close(go[0]);
	waitpid(client, NULL, 0); /* its number is free now */
	pid_t other = fork_as(client);
	int rc = -1;
	if (other > 0) {
		char r = '?';
		if (write(go[1], "g", 1) == 1 && read(to_test[0], &r, 1) == 1)
			rc = r == 'R' ? 1 : r == 'F' ? 0 : -2;
		kill(other, SIGKILL);
		waitpid(other, NULL, 0);
	}
	close(go[1]); /* a child not told to go gives up */
	close(to_test[0]);
	return rc;
}

static void test_stale_peer_pid_is_not_followed(void)
{
	int rc = -1;
	for (int i = 0; i < 20 && rc == -1; i++)
		rc = one_try();
	CU_ASSERT_NOT_EQUAL(rc, -1); /* the reuse could be made */
	CU_ASSERT_EQUAL(rc, 1);       /* and the agent refused to follow root's process */
}

int main(int argc, char **argv)
{
	if (agent_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: test_agent_pid_reuse ENERGYMOND\n");
		return 1;
	}
	if (geteuid() != 0) {
		printf("skipped: needs root (other uids, ns_last_pid)\n");
		return 77;
	}
	CU_TestInfo tests[] = {
		{"a reused SO_PEERCRED pid is not followed", test_stale_peer_pid_is_not_followed},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent pid reuse", start_shared, stop_shared, tests);
}
