/*
 * energymond's protocol, served: framing, malformed and oversized requests,
 * slow, half-closed and deaf clients, against a real daemon (the build
 * tree's, with the test plugins) on a socket in a temp dir. These hold
 * whatever the library's windows do; test_agent_windows.c needs them.
 */
#include "agent_harness.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

static void test_hello(void)
{
	int fd = agent_connect(shared.socket);
	CU_ASSERT_FATAL(fd >= 0);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
	CU_ASSERT(agent_ok(a));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "agent")), "energymond");
	CU_ASSERT(json_is_string(json_object_get(a, "version")));
	CU_ASSERT(json_is_array(json_object_get(a, "sources")));
	/* the peer as the kernel reports it */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(a, "peer"), "pid")), getpid());
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(a, "peer"), "uid")), getuid());
	json_decref(a);
	close(fd);
}

static void test_status(void)
{
	int fd = agent_connect(shared.socket);
	CU_ASSERT_FATAL(fd >= 0);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"status\"}");
	CU_ASSERT(agent_ok(a));
	CU_ASSERT(json_integer_value(json_object_get(a, "connections")) >= 1);
	CU_ASSERT(json_is_integer(json_object_get(a, "windows")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "followed_roots")), 0);
	CU_ASSERT(json_is_array(json_object_get(a, "sources")));
	json_decref(a);
	a = agent_ask(fd, "{\"v\":1,\"op\":\"status\",\"verbose\":true}");
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "EINVAL");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(a, "error")), "verbose"));
	json_decref(a);
	close(fd);
}

/* Each bad request is answered with its error, naming what is wrong, and
 * the same connection goes on working. */
static void test_malformed_requests(void)
{
	static const struct {
		const char *request, *errno_name, *named;
	} cases[] = {
		{"{nope", "EINVAL", "not JSON"},
		{"[1,2]", "EINVAL", "not a JSON object"},
		{"\"hello\"", "EINVAL", "not a JSON object"},
		{"", "EINVAL", "not JSON"},
		{"{\"op\":\"hello\"}", "EINVAL", "\"v\""},
		{"{\"v\":\"1\",\"op\":\"hello\"}", "EINVAL", "\"v\""},
		{"{\"v\":1}", "EINVAL", "\"op\""},
		{"{\"v\":1,\"op\":7}", "EINVAL", "\"op\""},
		{"{\"v\":1,\"op\":\"dance\"}", "EINVAL", "dance"},
		/* cut to 64 bytes in the message, mid-character: still answered */
		{"{\"v\":1,\"op\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u00e9\"}", "EINVAL",
		 "unknown op \"aaaa"},
		{"{\"v\":2,\"op\":\"hello\"}", "EPROTONOSUPPORT", "version 2"},
		{"{\"v\":1,\"op\":\"hello\",\"x\":1}", "EINVAL", "\"x\""},
		{"{\"v\":1,\"v\":1,\"op\":\"hello\"}", "EINVAL", "not JSON"},
		{"{\"v\":1,\"op\":\"begin\",\"pid\":-3}", "EINVAL", "\"pid\""},
		{"{\"v\":1,\"op\":\"begin\",\"pid\":\"1\"}", "EINVAL", "\"pid\""},
		{"{\"v\":1,\"op\":\"begin\",\"sources\":\"testpower\"}", "EINVAL", "\"sources\""},
		{"{\"v\":1,\"op\":\"begin\",\"sources\":[]}", "EINVAL", "\"sources\""},
		{"{\"v\":1,\"op\":\"begin\",\"sources\":[3]}", "EINVAL", "\"sources\"[0]"},
		{"{\"v\":1,\"op\":\"begin\",\"sources\":[\"a\",\"a\"]}", "EINVAL", "twice"},
		{"{\"v\":1,\"op\":\"end\"}", "EINVAL", "\"window\""},
		{"{\"v\":1,\"op\":\"end\",\"window\":0}", "EINVAL", "\"window\""},
		{"{\"v\":1,\"op\":\"end\",\"window\":123456}", "ENOENT", "123456"},
	};
	int fd = agent_connect(shared.socket);
	CU_ASSERT_FATAL(fd >= 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *a = agent_ask(fd, cases[i].request);
		const char *error = json_string_value(json_object_get(a, "error"));
		if (!a || strcmp(agent_errno(a), cases[i].errno_name) || !error || !strstr(error, cases[i].named))
			fprintf(stderr, "request %s: got %s %s\n", cases[i].request, agent_errno(a), error ? error : "(none)");
		CU_ASSERT_PTR_NOT_NULL(a);
		CU_ASSERT(json_is_false(json_object_get(a, "ok")));
		CU_ASSERT_STRING_EQUAL(agent_errno(a), cases[i].errno_name);
		CU_ASSERT(error && strstr(error, cases[i].named));
		if (!strcmp(cases[i].errno_name, "EPROTONOSUPPORT"))
			CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(a, "versions"), 0)), 1);
		json_decref(a);
	}
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
	CU_ASSERT(agent_ok(a));
	json_decref(a);
	close(fd);
}

static void test_oversized_request(void)
{
	int fd = agent_connect(shared.socket), other = agent_connect(shared.socket);
	CU_ASSERT_FATAL(fd >= 0 && other >= 0);
	size_t n = 65537;
	char *body = malloc(n);
	memset(body, ' ', n);
	/* the agent may close before it has read all of it: a failed send is fine */
	agent_send_frame(fd, body, n);
	free(body);
	json_t *a = agent_read(fd);
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "E2BIG");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(a, "error")), "65537"));
	json_decref(a);
	CU_ASSERT(agent_closed_within(fd, 5));
	close(fd);
	a = agent_ask(other, "{\"v\":1,\"op\":\"hello\"}");
	CU_ASSERT(agent_ok(a));
	json_decref(a);
	/* exactly the cap is a request like any other */
	fd = agent_connect(shared.socket);
	char big[65536];
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"v\":1,\"op\":\"hello\"}", 20);
	a = agent_send_frame(fd, big, sizeof(big)) == 0 ? agent_read(fd) : NULL;
	CU_ASSERT(agent_ok(a));
	json_decref(a);
	close(fd);
	close(other);
}

/* A client that sends its request and shuts its side still gets the
 * answer, then the agent closes. */
static void test_half_close(void)
{
	int fd = agent_connect(shared.socket);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(agent_send_text(fd, "{\"v\":1,\"op\":\"hello\"}"), 0);
	CU_ASSERT_EQUAL(agent_send_text(fd, "{\"v\":1,\"op\":\"status\"}"), 0);
	CU_ASSERT_EQUAL(shutdown(fd, SHUT_WR), 0);
	json_t *a = agent_read(fd), *b = agent_read(fd);
	CU_ASSERT(agent_ok(a));
	CU_ASSERT(agent_ok(b) && json_is_integer(json_object_get(b, "connections")));
	json_decref(a);
	json_decref(b);
	CU_ASSERT(agent_closed_within(fd, 2));
	close(fd);
}

/* A client that sends one byte a second is closed about 5 s after its
 * first byte; meanwhile another client is served at once. */
static void test_slowloris(void)
{
	int slow = agent_connect(shared.socket), other = agent_connect(shared.socket);
	CU_ASSERT_FATAL(slow >= 0 && other >= 0);
	const char frame[] = "\0\0\0\024{\"v\":1,\"op\":\"hello\"}";
	double t0 = agent_mono_s(), closed_at = 0, worst = 0;
	for (size_t i = 0; i < sizeof(frame) - 1 && !closed_at; i++) {
		if (send(slow, frame + i, 1, MSG_NOSIGNAL) != 1 || agent_closed_within(slow, 0.0001)) {
			closed_at = agent_mono_s();
			break;
		}
		for (int k = 0; k < 2; k++) { /* the other client, twice a second */
			double asked = agent_mono_s();
			json_t *a = agent_ask(other, "{\"v\":1,\"op\":\"hello\"}");
			CU_ASSERT(agent_ok(a));
			json_decref(a);
			if (agent_mono_s() - asked > worst)
				worst = agent_mono_s() - asked;
			if (agent_closed_within(slow, 0.5))
				closed_at = agent_mono_s();
			if (closed_at)
				break;
		}
	}
	CU_ASSERT(closed_at > 0);
	fprintf(stderr, "slow client closed after %.2f s; the other's slowest answer %.3f s\n", closed_at - t0, worst);
	CU_ASSERT(closed_at - t0 > 4.5 && closed_at - t0 < 8.0);
	CU_ASSERT(worst < 2.0); /* a margin for a loaded machine; typically ms */
	close(slow);
	close(other);
}

/* A client that asks and never reads: closed 10 s after its answers
 * stopped flowing, and nobody else waits meanwhile. */
static void test_client_that_never_reads(void)
{
	int deaf = agent_connect(shared.socket), other = agent_connect(shared.socket);
	CU_ASSERT_FATAL(deaf >= 0 && other >= 0);
	/* 2000 whole requests (48 KB, all of which the agent takes in) whose
	 * answers (~450 KB) are more than the socket can hold unread */
	const char frame[] = "\0\0\0\024{\"v\":1,\"op\":\"hello\"}";
	enum { SENT = 2000 };
	size_t flen = sizeof(frame) - 1, sent = SENT;
	char *all = malloc(SENT * flen);
	for (size_t i = 0; i < SENT; i++)
		memcpy(all + i * flen, frame, flen);
	CU_ASSERT_EQUAL(send(deaf, all, SENT * flen, MSG_NOSIGNAL), (ssize_t)(SENT * flen));
	free(all);
	double t0 = agent_mono_s(), worst = 0;
	bool closed = false;
	while (!closed && agent_mono_s() - t0 < 20) {
		double asked = agent_mono_s();
		json_t *a = agent_ask(other, "{\"v\":1,\"op\":\"hello\"}");
		CU_ASSERT(agent_ok(a));
		json_decref(a);
		if (agent_mono_s() - asked > worst)
			worst = agent_mono_s() - asked;
		char log[1 << 16];
		agentd_log(&shared, log, sizeof(log));
		closed = strstr(log, "did not read its answer within 10 s") != NULL;
		if (!closed)
			agent_sleep_s(0.25);
	}
	fprintf(stderr, "%zu requests sent unread; closed after %.1f s; the other's slowest answer %.3f s\n", sent,
	        agent_mono_s() - t0, worst);
	CU_ASSERT(closed);
	CU_ASSERT(agent_mono_s() - t0 > 8 && agent_mono_s() - t0 < 14);
	CU_ASSERT(worst < 2.0); /* a margin for a loaded machine; typically ms */
	close(deaf);
	close(other);
}

/* 1100 clients: 1024 are served, the rest hear EMFILE; afterwards the
 * agent serves as before. */
static void test_connection_cap(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 1200);
	struct agentd d;
	agentd_prepare(&d);
	CU_ASSERT_FATAL(agentd_start(&d, testpower));
	enum { N = 1100 };
	static int fds[N];
	size_t connected = 0, refused = 0, served = 0;
	for (size_t i = 0; i < N; i++)
		if ((fds[i] = agent_connect(d.socket)) >= 0)
			connected++;
	CU_ASSERT_EQUAL(connected, N);
	/* the refused have an answer waiting, the served nothing; the agent may
	 * still be accepting the last ones: look until all are accounted for */
	double until = agent_mono_s() + 15;
	while (refused < N - 1024 && agent_mono_s() < until) {
		for (size_t i = 0; i < N; i++) {
			struct pollfd p = {.fd = fds[i], .events = POLLIN};
			if (fds[i] < 0 || poll(&p, 1, 0) != 1)
				continue;
			json_t *a = agent_read(fds[i]);
			const char *error = json_string_value(json_object_get(a, "error"));
			if (!strcmp(agent_errno(a), "EMFILE") && error && strstr(error, "1024"))
				refused++;
			json_decref(a);
			CU_ASSERT(agent_closed_within(fds[i], 1));
			close(fds[i]);
			fds[i] = -1;
		}
		agent_sleep_s(0.1);
	}
	agent_sleep_s(0.3); /* none beyond them */
	for (size_t i = 0; i < N; i++) {
		struct pollfd p = {.fd = fds[i], .events = POLLIN};
		CU_ASSERT(fds[i] < 0 || poll(&p, 1, 0) == 0);
	}
	for (size_t i = 0; i < N && served < 3; i++) { /* served ones still are */
		if (fds[i] < 0)
			continue;
		json_t *a = agent_ask(fds[i], "{\"v\":1,\"op\":\"hello\"}");
		served += agent_ok(a);
		json_decref(a);
	}
	fprintf(stderr, "%zu refused with EMFILE\n", refused);
	CU_ASSERT_EQUAL(refused, N - 1024);
	CU_ASSERT_EQUAL(served, 3);
	for (size_t i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	agent_sleep_s(0.5);
	int fd = agent_connect(d.socket);
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"status\"}");
	CU_ASSERT(agent_ok(a));
	CU_ASSERT(json_integer_value(json_object_get(a, "connections")) >= 1 &&
	          json_integer_value(json_object_get(a, "connections")) < 50);
	json_decref(a);
	close(fd);
	agentd_stop(&d);
	CU_ASSERT_EQUAL(d.status, 0);
}

int main(int argc, char **argv)
{
	if (agent_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: test_agent_protocol ENERGYMOND\n");
		return 1;
	}
	CU_TestInfo tests[] = {
		{"hello answers with the sources and the peer", test_hello},
		{"status counts", test_status},
		{"malformed requests get errors, the connection goes on", test_malformed_requests},
		{"an oversized request: E2BIG and closed", test_oversized_request},
		{"a half-closed client gets its answers", test_half_close},
		{"a slowloris client is closed after 5 s, others served", test_slowloris},
		{"a client that never reads is closed after 10 s", test_client_that_never_reads},
		{"1100 connections: the cap, and service goes on", test_connection_cap},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent", start_shared, stop_shared, tests);
}
