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
#include <pthread.h>
#include <sys/syscall.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define testpower agentd_testpower
static struct agentd shared;

static int start_shared(void)
{
	return agentd_suite_start(&shared);
}

static int stop_shared(void)
{
	return agentd_suite_stop(&shared);
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

/* A named pid checked when begin arrives, then killed and its number
 * given to root while the begin still runs (a hung source, the test
 * plugin hang, holds it ~2 s): the window must not follow root's process.
 * 1 refused, 0 followed, -1 no reuse made. */
static int one_named_try(const char *socket)
{
	int victim_up[2], to_test[2];
	if (pipe(victim_up) || pipe(to_test))
		return -1;
	pid_t victim = fork();
	if (victim == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) || write(victim_up[1], "v", 1) != 1)
			_exit(90);
		pause();
		_exit(0);
	}
	char r = 0;
	if (read(victim_up[0], &r, 1) != 1)
		return -1;
	pid_t client = fork();
	if (client == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(90);
		int fd = agent_connect(socket);
		char req[128];
		snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"begin\",\"pid\":%d}", (int)victim);
		json_t *a = agent_ask(fd, req);
		char out = agent_ok(a) ? 'F' : !strcmp(agent_errno(a), "ESRCH") ? 'R' : '?';
		if (out == '?')
			fprintf(stderr, "begin: %s %s\n", agent_errno(a), json_string_value(json_object_get(a, "error")));
		_exit(write(to_test[1], &out, 1) == 1 ? 0 : 91);
	}
	close(to_test[1]);
	agent_sleep_s(0.5); /* the begin was checked and waits on the hung source */
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
	pid_t other = fork_as(victim);
	int rc = -1;
	char out = '?';
	if (read(to_test[0], &out, 1) == 1 && other > 0)
		rc = out == 'R' ? 1 : out == 'F' ? 0 : -2;
	if (other > 0) {
		kill(other, SIGKILL);
		waitpid(other, NULL, 0);
	}
	waitpid(client, NULL, 0);
	close(to_test[0]);
	close(victim_up[0]);
	close(victim_up[1]);
	return rc;
}

static void test_named_pid_reused_during_begin(void)
{
	int hang[2];
	CU_ASSERT_EQUAL_FATAL(pipe(hang), 0); /* not close-on-exec: energymond's hang plugin blocks on it */
	fcntl(hang[1], F_SETFD, FD_CLOEXEC);  /* but the end that releases it stays here */
	char fd_set[32];
	snprintf(fd_set, sizeof(fd_set), "hang_fd=%d", hang[0]);
	const char *const args[] = {"--plugins", "testpower,hang", "--interval", "0.05", "--set", fd_set, "--set",
	                            "hang_from_sample=2", NULL};
	struct agentd d;
	agentd_prepare(&d);
	CU_ASSERT_FATAL(agentd_start(&d, args));
	close(hang[0]);
	agent_sleep_s(0.5); /* hang is stuck in its sample() now */
	int rc = -1;
	for (int i = 0; i < 5 && rc == -1; i++)
		rc = one_named_try(d.socket);
	CU_ASSERT_NOT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(rc, 1);
	close(hang[1]);
	agentd_stop(&d);
}

/* A process of uid 65534 with pid `want` and the supplementary group
 * 65534 (energymond's --group), or -1 when another fork took the number. */
static pid_t fork_member_as(pid_t want)
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
		gid_t groups[1] = {65534};
		if (setgroups(1, groups) || setgid(65533) || setuid(65534))
			_exit(90);
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

/* The client is not in --group; its connecting process exits and the
 * number goes to a member's process. Group membership is the client's at
 * connect, not that of whatever process has its number now: naming pid 1
 * stays EPERM. 1 refused, 0 allowed, -1 no reuse made. */
static int one_group_try(const char *socket)
{
	int to_test[2], go[2];
	if (pipe(to_test) || pipe(go))
		return -1;
	pid_t client = fork();
	if (client == 0) {
		if (setgroups(0, NULL) || setgid(65533) || setuid(65534))
			_exit(90);
		int fd = agent_connect(socket);
		json_t *h = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
		if (!agent_ok(h))
			_exit(91);
		if (fork() == 0) {
			char r;
			if (read(go[0], &r, 1) != 1)
				_exit(92);
			json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":1}");
			char out = agent_ok(a) ? 'F' : !strcmp(agent_errno(a), "EPERM") ? 'R' : '?';
			if (out == '?')
				fprintf(stderr, "begin: %s\n", agent_errno(a));
			_exit(write(to_test[1], &out, 1) == 1 ? 0 : 93);
		}
		_exit(0);
	}
	close(to_test[1]);
	close(go[0]);
	waitpid(client, NULL, 0);
	pid_t member = fork_member_as(client);
	int rc = -1;
	if (member > 0) {
		char r = '?';
		if (write(go[1], "g", 1) == 1 && read(to_test[0], &r, 1) == 1)
			rc = r == 'R' ? 1 : r == 'F' ? 0 : -2;
		kill(member, SIGKILL);
		waitpid(member, NULL, 0);
	}
	close(go[1]);
	close(to_test[0]);
	return rc;
}

static void test_group_is_the_clients_at_connect(void)
{
	struct agentd d;
	agentd_prepare(&d);
	const char *const args[] = {"--plugins", "testpower", "--group", "nogroup", NULL};
	CU_ASSERT_FATAL(agentd_start(&d, args));
	int rc = -1;
	for (int i = 0; i < 20 && rc == -1; i++)
		rc = one_group_try(d.socket);
	CU_ASSERT_NOT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(rc, 1);
	agentd_stop(&d);
}

static pid_t thread_tid;
static int thread_release[2];

static void *thread_main(void *arg)
{
	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	char r;
	if (read(thread_release[0], &r, 1) < 0)
		return NULL;
	return NULL;
}

/* A window's root is a process: a thread's id (of this process) is EINVAL. */
static void test_thread_id_is_refused(void)
{
	pthread_t t;
	CU_ASSERT_EQUAL_FATAL(pipe(thread_release), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, thread_main, NULL), 0);
	while (!__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST))
		agent_sleep_s(0.01);
	int fd = agent_connect(shared.socket);
	char req[128];
	snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"begin\",\"pid\":%d}", (int)thread_tid);
	json_t *a = agent_ask(fd, req);
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "EINVAL");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(a, "error")), "thread"));
	json_decref(a);
	close(fd);
	close(thread_release[1]);
	pthread_join(t, NULL);
	close(thread_release[0]);
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
		{"--group membership is the client's at connect", test_group_is_the_clients_at_connect},
		{"a thread id is refused", test_thread_id_is_refused},
		{"a named pid reused while begin runs is not followed", test_named_pid_reused_during_begin},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent pid reuse", start_shared, stop_shared, tests);
}
