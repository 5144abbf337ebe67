/*
 * One local user must not deny energymond to the others: a uid that is not
 * root holds at most 256 connections and 256 open windows (over all its
 * connections); the next is EMFILE naming the uid, while another uid and
 * root are still served. Clients run as uid 65534 and 65533 (needs root).
 */
#include "agent_harness.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PER_UID 256

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

/* The requests that wait on the sources run on 4 workers. Behind a hung
 * source each status holds one for 2 s; uid 65534 keeps 32 connections
 * each with status requests queued. Another client's begin of a source
 * that answers at once must still be served after at most the requests
 * already running, not after every queued one of the hog (16 s and more). */
static void test_workers_shared_fairly(void)
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
	int ready[2];
	CU_ASSERT_EQUAL_FATAL(pipe(ready), 0);
	pid_t kid = fork();
	if (kid == 0) {
		become(65534);
		unsigned char frame[64];
		const char *req = "{\"v\":1,\"op\":\"status\"}";
		size_t n = strlen(req);
		frame[0] = frame[1] = frame[2] = 0;
		frame[3] = (unsigned char)n;
		memcpy(frame + 4, req, n);
		int fds[32];
		for (int i = 0; i < 32; i++) {
			fds[i] = agent_connect(d.socket);
			for (int k = 0; k < 10; k++)
				if (send(fds[i], frame, 4 + n, MSG_NOSIGNAL) != (ssize_t)(4 + n))
					_exit(30);
		}
		if (write(ready[1], "r", 1) != 1)
			_exit(31);
		pause();
		_exit(0);
	}
	close(ready[1]);
	char r;
	CU_ASSERT_EQUAL(read(ready[0], &r, 1), 1);
	close(ready[0]);
	agent_sleep_s(0.5); /* the hog's requests hold the workers and the queue */
	int fd = agent_connect(d.socket);
	double t0 = agent_mono_s();
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":0,\"sources\":[\"testpower\"]}");
	double took = agent_mono_s() - t0;
	CU_ASSERT(agent_ok(a));
	CU_ASSERT(took < 6.0); /* one round of running requests (2 s), with margin */
	if (!agent_ok(a) || took >= 6.0)
		fprintf(stderr, "begin behind the hog: %.1f s, %s\n", took, agent_errno(a));
	json_decref(a);
	close(fd);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(hang[1]); /* released: what is queued drains quickly */
	agentd_stop(&d);
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
		{"the workers are shared fairly between uids", test_workers_shared_fairly},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent fairness", start_shared, stop_shared, tests);
}
