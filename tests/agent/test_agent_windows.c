/*
 * energymond's windows, end to end: begin and end over the socket give the
 * state document of a real window of testpower; windows belong to their
 * connection; a client's death frees them; a crashing plugin is named.
 * These need the library's continuous monitors and windows (core/window.c)
 * and state documents (core/monitor_state.c).
 */
#include "agent_harness.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <grp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* text of a JSON string member, "" when absent (asserts never get NULL) */
static const char *text(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

#define testpower agentd_testpower
static struct agentd shared;

static int start_shared(void)
{
	return agentd_suite_start(&shared);
}

/* Before the library has continuous monitors (core/window.c answers
 * ENOSYS), energymond runs but measures nothing: then these tests cannot
 * run at all, and say so (exit 77). Any other failure fails them. */
static bool library_has_windows(void)
{
	struct agentd d;
	agentd_prepare(&d);
	if (!agentd_start(&d, testpower))
		return true; /* let the suite's own start fail, loudly */
	int fd = agent_connect(d.socket);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
	bool has = strcmp(text(a, "monitor_errno"), "ENOSYS") != 0;
	if (!has)
		printf("skipped: this library has no continuous monitors yet (%s)\n", text(a, "monitor_error"));
	json_decref(a);
	close(fd);
	agentd_stop(&d);
	return has;
}

static int stop_shared(void)
{
	return agentd_suite_stop(&shared);
}

static json_t *status(void)
{
	int fd = agent_connect(shared.socket);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"status\"}");
	close(fd);
	return a;
}

static json_int_t count(const char *what)
{
	json_t *a = status();
	json_int_t n = agent_ok(a) ? json_integer_value(json_object_get(a, what)) : -1;
	json_decref(a);
	return n;
}

static json_int_t begin(int fd, const char *extra)
{
	char req[256];
	snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"begin\"%s}", extra);
	json_t *a = agent_ask(fd, req);
	if (!agent_ok(a))
		fprintf(stderr, "begin%s: %s %s\n", extra, agent_errno(a),
		        text(a, "error"));
	json_int_t id = agent_ok(a) ? json_integer_value(json_object_get(a, "window")) : -1;
	json_decref(a);
	return id;
}

static json_t *end(int fd, json_int_t id)
{
	char req[128];
	snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"end\",\"window\":%lld}", (long long)id);
	return agent_ask(fd, req);
}

static void test_hello_lists_sources(void)
{
	int fd = agent_connect(shared.socket);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
	const json_t *src = json_array_get(json_object_get(a, "sources"), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(a, "sources")), 1);
	CU_ASSERT_STRING_EQUAL(text(src, "id"), "testpower");
	CU_ASSERT_STRING_EQUAL(text(src, "plugin"), "testpower");
	CU_ASSERT(json_is_true(json_object_get(src, "available")));
	CU_ASSERT(json_real_value(json_object_get(a, "interval_s")) == 0.05);
	CU_ASSERT_PTR_NULL(json_object_get(a, "monitor_error"));
	json_decref(a);
	close(fd);
}

/* A window of ~0.5 s of testpower's 100 W: a state document comes back. */
static void test_begin_end(void)
{
	int fd = agent_connect(shared.socket);
	json_int_t id = begin(fd, "");
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(count("windows"), 1);
	CU_ASSERT_EQUAL(count("followed_roots"), 1); /* this process */
	agent_sleep_s(0.5);
	json_t *a = end(fd, id);
	CU_ASSERT(agent_ok(a));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "window")), id);
	CU_ASSERT(json_is_object(json_object_get(a, "state")));
	json_decref(a);
	a = end(fd, id); /* ended is gone */
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "ENOENT");
	json_decref(a);
	CU_ASSERT_EQUAL(count("windows"), 0);
	/* pid 0: no tree; named sources */
	id = begin(fd, ",\"pid\":0,\"sources\":[\"testpower\"]");
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(count("followed_roots"), 0);
	a = end(fd, id);
	CU_ASSERT(agent_ok(a));
	json_decref(a);
	a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"sources\":[\"ipmi:nowhere\"]}");
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "ENOENT");
	CU_ASSERT_PTR_NOT_NULL(strstr(text(a, "error"), "ipmi:nowhere"));
	json_decref(a);
	close(fd);
}

static void test_status_samples(void)
{
	agent_sleep_s(0.3);
	json_t *a = status();
	const json_t *src = json_array_get(json_object_get(a, "sources"), 0);
	CU_ASSERT_STRING_EQUAL(text(src, "id"), "testpower");
	CU_ASSERT(json_integer_value(json_object_get(src, "samples")) > 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(src, "failed_samples")), 0);
	CU_ASSERT(json_is_number(json_object_get(src, "last_sample_age_s")) &&
	          json_number_value(json_object_get(src, "last_sample_age_s")) < 2.0);
	json_decref(a);
}

/* A window id of another connection is ENOENT there; its owner ends it. */
static void test_other_connections_window(void)
{
	int owner = agent_connect(shared.socket), other = agent_connect(shared.socket);
	json_int_t id = begin(owner, "");
	CU_ASSERT_FATAL(id > 0);
	json_t *a = end(other, id);
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "ENOENT");
	json_decref(a);
	a = end(owner, id);
	CU_ASSERT(agent_ok(a));
	json_decref(a);
	close(owner);
	close(other);
}

/* A client killed with windows open: they are freed. */
static void test_killed_client_frees_windows(void)
{
	int ready[2];
	CU_ASSERT_FATAL(pipe(ready) == 0);
	pid_t child = fork();
	if (child == 0) {
		int fd = agent_connect(shared.socket);
		char ok = begin(fd, "") > 0 && begin(fd, ",\"pid\":0") > 0 ? 'y' : 'n';
		if (write(ready[1], &ok, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char ok = 0;
	CU_ASSERT(read(ready[0], &ok, 1) == 1 && ok == 'y');
	CU_ASSERT_EQUAL(count("windows"), 2);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	double until = agent_mono_s() + 5;
	while (count("windows") != 0 && agent_mono_s() < until)
		agent_sleep_s(0.05);
	CU_ASSERT_EQUAL(count("windows"), 0);
	CU_ASSERT_EQUAL(count("followed_roots"), 0);
	close(ready[0]);
	close(ready[1]);
}

/* 64 windows per connection, then EMFILE naming the limit. */
static void test_window_cap(void)
{
	int fd = agent_connect(shared.socket);
	json_int_t ids[64];
	for (int i = 0; i < 64; i++)
		ids[i] = begin(fd, ",\"pid\":0");
	CU_ASSERT(ids[63] > 0);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":0}");
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "EMFILE");
	CU_ASSERT_PTR_NOT_NULL(strstr(text(a, "error"), "64"));
	json_decref(a);
	close(fd); /* all 64 freed with the connection */
	double until = agent_mono_s() + 5;
	while (count("windows") != 0 && agent_mono_s() < until)
		agent_sleep_s(0.05);
	CU_ASSERT_EQUAL(count("windows"), 0);
}

/* An unprivileged client's own pid is accepted (named or not). */
static void test_unprivileged_own_tree(void)
{
	pid_t child = fork();
	if (child == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		int fd = agent_connect(shared.socket);
		char extra[64];
		snprintf(extra, sizeof(extra), ",\"pid\":%d", (int)getpid());
		json_int_t a = begin(fd, ""), b = begin(fd, extra);
		json_t *ea = end(fd, a), *eb = end(fd, b);
		_exit(a > 0 && b > 0 && agent_ok(ea) && agent_ok(eb) ? 0 : 11);
	}
	int st;
	CU_ASSERT(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* 16 clients at once, each opening and closing overlapping windows: all
 * answered, none left open. */
static void test_many_clients_at_once(void)
{
	enum { CLIENTS = 16, WINDOWS = 10 };
	pid_t kids[CLIENTS];
	for (int k = 0; k < CLIENTS; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			int fd = agent_connect(shared.socket);
			json_int_t open[3] = {0, 0, 0};
			for (int i = 0; i < WINDOWS; i++) {
				if (open[i % 3]) { /* end the one opened three windows ago */
					json_t *a = end(fd, open[i % 3]);
					if (!agent_ok(a) || !json_is_object(json_object_get(a, "state")))
						_exit(20);
					json_decref(a);
				}
				if ((open[i % 3] = begin(fd, i % 2 ? "" : ",\"pid\":0")) <= 0)
					_exit(21);
			}
			_exit(0); /* the last three go with the connection */
		}
	}
	int failed = 0;
	for (int k = 0; k < CLIENTS; k++) {
		int st;
		if (waitpid(kids[k], &st, 0) != kids[k] || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "client %d failed (%d)\n", k, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			failed++;
		}
	}
	CU_ASSERT_EQUAL(failed, 0);
	double until = agent_mono_s() + 10;
	while (count("windows") != 0 && agent_mono_s() < until)
		agent_sleep_s(0.05);
	CU_ASSERT_EQUAL(count("windows"), 0);
	CU_ASSERT_EQUAL(count("followed_roots"), 0);
}

/* A plugin that segfaults takes energymond down, and the log names it. */
static void test_crash_names_plugin(void)
{
	static const char *const crash[] = {"--plugins", "crashplug", "--interval", "0.05", NULL};
	struct agentd d;
	agentd_prepare(&d);
	agentd_spawn(&d, crash);
	CU_ASSERT(agentd_wait(&d, 30));
	CU_ASSERT_EQUAL(d.status, 128 + SIGSEGV);
	char log[65536];
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "energymond: plugin crashplug crashed with signal 11 (SIGSEGV); exiting so "
	                                   "that systemd restarts energymond"));
}

int main(int argc, char **argv)
{
	if (agent_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: test_agent_windows ENERGYMOND\n");
		return 1;
	}
	if (!library_has_windows())
		return 77;
	CU_TestInfo tests[] = {
		{"hello lists the sources", test_hello_lists_sources},
		{"begin and end give a state document", test_begin_end},
		{"status counts samples", test_status_samples},
		{"another connection's window is ENOENT", test_other_connections_window},
		{"a killed client's windows are freed", test_killed_client_frees_windows},
		{"64 windows per connection", test_window_cap},
		{"an unprivileged client's own tree", test_unprivileged_own_tree},
		{"16 clients at once", test_many_clients_at_once},
		{"a crashing plugin is named", test_crash_names_plugin},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent", start_shared, stop_shared, tests);
}
