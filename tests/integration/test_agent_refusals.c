/*
 * test_agent_refusals.c — what the agent refuses, and that it serves on:
 * a client naming another uid's pid (EPERM, with the reason and without
 * telling whose pid it is), a malformed request, a mistyped member, an
 * unknown protocol version and an oversized request.
 */
#include "test_agent_clients.h"

#include <signal.h>
#include <sys/prctl.h>

/* A process of `uid` that sleeps until killed. */
static pid_t sleeper_of(uid_t uid)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (become_user(uid) != 0)
			_exit(2);
		for (;;)
			pause();
	}
	return pid;
}

void test_other_uids_pid_is_refused(void)
{
	pid_t other = sleeper_of(UID_B);
	CU_ASSERT_FATAL(other > 0);
	sleep_s(0.1); /* it has become UID_B */
	int p[2];
	CU_ASSERT_FATAL(pipe(p) == 0);
	fflush(NULL);
	pid_t client = fork();
	if (client == 0) {
		close(p[0]);
		struct em_error err = {0};
		int rc = become_user(UID_A);
		struct em_config *cfg = NULL;
		struct em_monitor *mon = NULL;
		char text[512];
		agent_client_config(text, sizeof(text), "[\"ipmi\", \"ebpf\"]");
		setenv("ENERGYMON_SOCKET", env.agent.socket, 1);
		if (rc == 0)
			rc = em_config_load_string(text, &cfg, &err);
		if (rc == 0)
			rc = em_monitor_create(cfg, other, &mon, &err);
		if (rc == 0)
			rc = em_monitor_start(mon, &err);
		dprintf(p[1], "%d %s", rc, err.message);
		_exit(0);
	}
	close(p[1]);
	char answer[2048] = "";
	size_t n = 0;
	ssize_t got;
	while (n < sizeof(answer) - 1 && (got = read(p[0], answer + n, sizeof(answer) - 1 - n)) > 0)
		n += (size_t)got;
	answer[n] = '\0';
	close(p[0]);
	int status;
	CU_ASSERT(waitpid(client, &status, 0) == client && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);

	printf("\n  uid %d naming pid %d of uid %d: %s", (int)UID_A, (int)other, (int)UID_B, answer);
	int rc = atoi(answer);
	CU_ASSERT_EQUAL(rc, -EPERM);
	char pid_text[32], uid_text[32];
	snprintf(pid_text, sizeof(pid_text), "%d", (int)other);
	snprintf(uid_text, sizeof(uid_text), "%d", (int)UID_B);
	ASSERT_CONTAINS(answer, pid_text);
	/* whose pid it is is not told */
	CU_ASSERT_PTR_NULL(strstr(strchr(answer, ' ') ?: "", uid_text));
}

/* The answer to one frame on `fd`: ok false, with `errno_name`, the
 * message containing `says` (when not NULL). */
static void expect_refusal(int fd, const char *frame, size_t len, const char *errno_name, const char *says)
{
	char *body = NULL;
	size_t blen = 0;
	int rc = agent_wire_send(fd, frame, len, 5000);
	if (rc == 0 || rc == -ECONNRESET)
		rc = agent_wire_recv(fd, &body, &blen, 5000);
	json_t *a = body ? json_loadb(body, blen, 0, NULL) : NULL;
	printf("\n  %.40s%s -> %s", len <= 64 ? frame : "(a long frame)", len > 40 && len <= 64 ? "..." : "",
	       body ? body : strerror(-rc));
	free(body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT(json_is_false(json_object_get(a, "ok")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "errno")) ?: "(none)", errno_name);
	const char *error = json_string_value(json_object_get(a, "error"));
	CU_ASSERT(error && *error);
	if (says)
		ASSERT_CONTAINS(error, says);
	json_decref(a);
}

/* The connection still answers hello. */
static void expect_hello(int fd)
{
	int rc = 0;
	json_t *a = agent_wire_call(fd, "{\"v\":1,\"op\":\"hello\"}", 5000, &rc);
	CU_ASSERT(a && json_is_true(json_object_get(a, "ok")));
	json_decref(a);
}

/* A client through the library measures after it all: the agent serves on. */
static void expect_a_window(void)
{
	char text[512];
	agent_client_config(text, sizeof(text), "[\"ipmi\"]");
	setenv("ENERGYMON_SOCKET", env.agent.socket, 1);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(text, &cfg, &err), 0);
	int rc = em_monitor_create(cfg, 0, &mon, &err);
	if (rc == 0 && (rc = em_monitor_start(mon, &err)) == 0) {
		sleep_s(0.3);
		rc = em_monitor_stop(mon, &err);
	}
	if (rc)
		printf("\n  %s", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	struct em_result_run run = {.struct_size = sizeof(run)};
	CU_ASSERT_EQUAL(em_result_run(mon, &run), 0);
	char *json = em_monitor_result_json(mon);
	if (!run.measured)
		printf("\n  not measured: %s", json ?: "(no result)");
	CU_ASSERT(run.measured);
	CU_ASSERT_STRING_EQUAL(run.measured_by ?: "(none)", "agent");
	json_t *res = json ? json_loads(json, 0, NULL) : NULL;
	free(json);
	CU_ASSERT(energy_of(res, NULL, "system") > 100 * 0.25);
	json_decref(res);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	unsetenv("ENERGYMON_SOCKET");
}

void test_hostile_requests(void)
{
	int fd = agent_wire_connect(env.agent.socket);
	CU_ASSERT_FATAL(fd >= 0);
	static const char not_json[] = "this is not JSON {";
	expect_refusal(fd, not_json, strlen(not_json), "EINVAL", NULL);
	static const char not_object[] = "[1, 2, 3]";
	expect_refusal(fd, not_object, strlen(not_object), "EINVAL", NULL);
	static const char mistyped[] = "{\"v\":1,\"op\":\"begin\",\"pid\":\"one\"}";
	expect_refusal(fd, mistyped, strlen(mistyped), "EINVAL", "pid");
	static const char no_op[] = "{\"v\":1}";
	expect_refusal(fd, no_op, strlen(no_op), "EINVAL", "op");
	static const char future[] = "{\"v\":99,\"op\":\"hello\"}";
	expect_refusal(fd, future, strlen(future), "EPROTONOSUPPORT", NULL);
	static const char unknown_window[] = "{\"v\":1,\"op\":\"end\",\"window\":987654}";
	expect_refusal(fd, unknown_window, strlen(unknown_window), "ENOENT", "987654");
	/* none of that broke the framing: the connection still serves */
	expect_hello(fd);

	/* one byte over the limit: refused, and the connection closed */
	size_t big = 65536 + 1;
	char *frame = malloc(big);
	CU_ASSERT_FATAL(frame != NULL);
	memset(frame, ' ', big);
	memcpy(frame, "{\"v\":1,\"op\":\"hello\",\"pad\":\"", 27);
	memcpy(frame + big - 2, "\"}", 2);
	expect_refusal(fd, frame, big, "E2BIG", "65536");
	char *body = NULL;
	size_t blen;
	CU_ASSERT_EQUAL(agent_wire_recv(fd, &body, &blen, 5000), -ECONNRESET);
	free(body);
	free(frame);
	close(fd);

	/* a frame that never completes costs only its own connection */
	fd = agent_wire_connect(env.agent.socket);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(agent_wire_write(fd, "\0\0\0\x40{\"v\"", 8, 1000), 0);
	int other = agent_wire_connect(env.agent.socket);
	CU_ASSERT(other >= 0);
	expect_hello(other);
	close(other);
	close(fd);

	expect_a_window();
	CU_ASSERT_EQUAL(waitpid(env.agent.pid, NULL, WNOHANG), 0);
}
