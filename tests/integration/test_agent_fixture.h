/*
 * test_agent_fixture.h — what the agent's integration tests share: a real
 * energymond from the build tree on a socket in a fresh directory that
 * every user can reach, its log, and the way a forked client becomes an
 * unprivileged user.
 *
 * energymond is $ENERGYMOND when set, else $ENERGYMON_BUILD_ROOT/agent/energymond
 * (meson sets ENERGYMON_BUILD_ROOT for tests). It inherits the test's
 * environment, so it loads the plugins the test setup trusts
 * (tests/trusted_plugin_path.c rewrites ENERGYMON_PLUGIN_PATH when needed).
 */
#ifndef TEST_AGENT_FIXTURE_H
#define TEST_AGENT_FIXTURE_H

#include "test_agent_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AGENT_ARGS_MAX 32

struct agent {
	pid_t pid;          /* 0 when not running */
	char dir[64];       /* /tmp/energymon-agent-XXXXXX, mode 0755: any user reaches the socket */
	char socket[128];   /* dir/energymond.sock */
	char log[128];      /* dir/energymond.log (0600): the agent's stdout and stderr */
	json_t *hello;      /* the agent's answer to hello once it serves */
	char error[1024];
};

static inline double agent_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void agent_program(char *path, size_t len)
{
	const char *explicit = getenv("ENERGYMOND");
	const char *build = getenv("ENERGYMON_BUILD_ROOT");
	if (explicit && *explicit)
		snprintf(path, len, "%s", explicit);
	else
		snprintf(path, len, "%s/agent/energymond", build ? build : ".");
}

/* The last lines of the agent's log on stderr, to explain a failure. */
static inline void agent_print_log(const struct agent *a)
{
	FILE *f = a->log[0] ? fopen(a->log, "r") : NULL;
	if (!f)
		return;
	char text[8192];
	size_t n;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, size > (long)sizeof(text) - 1 ? size - (long)sizeof(text) + 1 : 0, SEEK_SET);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	fprintf(stderr, "\n--- energymond's log (the end) ---\n%s\n--- end of the log ---\n", text);
}

/* Wait up to `seconds` for pid to end; its status, or -1 if it did not. */
static inline int agent_wait_pid(pid_t pid, double seconds)
{
	double until = agent_now_s() + seconds;
	int status;
	do {
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			return status;
		if (got < 0)
			return -1;
		struct timespec ms = {0, 10000000};
		nanosleep(&ms, NULL);
	} while (agent_now_s() < until);
	return -1;
}

/* Start energymond --socket DIR/energymond.sock ARGS... and wait (up to
 * 60 s: it opens its BMC session and loads its programs first) until it
 * answers hello. 0, or -1 with a->error saying why (and the log printed). */
static inline int agent_start(struct agent *a, const char *const *args)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->dir, sizeof(a->dir), "/tmp/energymon-agent-XXXXXX");
	if (!mkdtemp(a->dir) || chmod(a->dir, 0755) != 0) {
		snprintf(a->error, sizeof(a->error), "cannot make the socket's directory: %s", strerror(errno));
		a->dir[0] = '\0';
		return -1;
	}
	snprintf(a->socket, sizeof(a->socket), "%s/energymond.sock", a->dir);
	snprintf(a->log, sizeof(a->log), "%s/energymond.log", a->dir);
	char program[4096];
	agent_program(program, sizeof(program));
	const char *argv[AGENT_ARGS_MAX + 4] = {program, "--socket", a->socket};
	size_t n = 3;
	for (size_t i = 0; args && args[i] && i < AGENT_ARGS_MAX; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int log = open(a->log, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (log < 0) {
		snprintf(a->error, sizeof(a->error), "cannot make %s: %s", a->log, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(log, 1);
		dup2(log, 2);
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		execv(program, (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", program, strerror(errno));
		_exit(127);
	}
	close(log);
	if (pid < 0) {
		snprintf(a->error, sizeof(a->error), "fork: %s", strerror(errno));
		return -1;
	}
	a->pid = pid;
	double until = agent_now_s() + 60;
	int rc = 0;
	while (agent_now_s() < until) {
		a->hello = agent_wire_call_once(a->socket, "{\"v\":1,\"op\":\"hello\"}", 5000, &rc);
		if (a->hello)
			return 0;
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			a->pid = 0;
			snprintf(a->error, sizeof(a->error), "%s exited (status 0x%x) before it answered hello", program,
			         status);
			agent_print_log(a);
			return -1;
		}
		struct timespec ms = {0, 20000000};
		nanosleep(&ms, NULL);
	}
	snprintf(a->error, sizeof(a->error), "%s did not answer hello on %s within 60 s (last: %s)", program,
	         a->socket, strerror(-rc));
	agent_print_log(a);
	return -1;
}

/* The source `id` in the agent's hello, or NULL. */
static inline const json_t *agent_source(const struct agent *a, const char *id)
{
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(a->hello, "sources"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "id")) ?: "", id))
			return s;
	return NULL;
}

/* SIGKILL, as a crash would; reaped. */
static inline void agent_kill(struct agent *a)
{
	if (a->pid > 0) {
		kill(a->pid, SIGKILL);
		waitpid(a->pid, NULL, 0);
		a->pid = 0;
	}
}

/* SIGTERM, then SIGKILL after 15 s; the exit status, or -1 when it had to
 * be killed. */
static inline int agent_stop(struct agent *a)
{
	if (a->pid <= 0)
		return -1;
	kill(a->pid, SIGTERM);
	int status = agent_wait_pid(a->pid, 15);
	if (status == -1)
		agent_kill(a);
	a->pid = 0;
	return status;
}

/* Stopped, its directory removed; safe to repeat and after a failed start. */
static inline void agent_cleanup(struct agent *a)
{
	if (a->pid > 0)
		agent_stop(a);
	json_decref(a->hello);
	a->hello = NULL;
	if (a->dir[0]) {
		unlink(a->socket);
		unlink(a->log);
		rmdir(a->dir);
		a->dir[0] = '\0';
	}
}

/* In a forked child: become uid (and gid) `uid` with no supplementary
 * groups, as a worker started by an unprivileged user is. 0 or -errno. */
static inline int become_user(uid_t uid)
{
	if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid(uid) != 0)
		return -errno;
	return getuid() == uid && geteuid() == uid && setuid(0) != 0 ? 0 : -EPERM;
}

#endif
