/*
 * test_agent_kill.c — energymond SIGKILLed while clients have windows
 * open: each client's em_monitor_stop() returns within its bound (the
 * socket closes, so at once in practice) with a placeholder result that
 * says why, and the client process lives on. Half the clients are already
 * waiting in em_monitor_stop() when the agent dies (it was SIGSTOPped
 * first, so their 'end' had no answer), half call it afterwards. A client
 * that then requires the agent is refused, naming the socket.
 *
 * Runs the agent with ipmi against the simulated BMC; the clients are uid
 * 65534 when the test runs as root. Skips (77) when the BMC cannot run.
 */
#include "test_agent_clients.h"

#include <signal.h>

#define KILL_CLIENTS 4
#define STOP_BOUND_S 35.0

/* One client: open a window, report "R", wait for go, stop, report. */
static _Noreturn void kill_client(int report, int go)
{
	signal(SIGPIPE, SIG_DFL); /* a write to the dead agent must not kill us */
	if (geteuid() == 0 && become_user(UID_A) != 0)
		_exit(2);
	setenv("ENERGYMON_SOCKET", env.agent.socket, 1);
	char text[512];
	agent_client_config(text, sizeof(text), "[\"ipmi\"]");
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	if (em_config_load_string(text, &cfg, &err) || em_monitor_create(cfg, getpid(), &mon, &err) ||
	    em_monitor_start(mon, &err)) {
		dprintf(report, "E%s", err.message);
		_exit(0);
	}
	if (write(report, "R", 1) != 1)
		_exit(3);
	wait_go(go);
	double t0 = agent_now_s();
	int rc = em_monitor_stop(mon, &err);
	double took = agent_now_s() - t0;
	char *result = em_monitor_result_json(mon);
	struct em_result_run run = {.struct_size = sizeof(run)};
	struct em_result_source src = {.struct_size = sizeof(src)};
	int run_rc = em_result_run(mon, &run), src_rc = em_result_source(mon, 0, &src);
	json_t *doc = json_pack("{s:i,s:s,s:f,s:b,s:i,s:s?,s:s?,s:i,s:s?,s:o}", "stop_rc", rc, "stop_error",
	                        err.message, "stop_s", took, "result_json", result != NULL, "measured",
	                        run_rc == 0 ? run.measured : -1, "measured_by", run.measured_by, "source",
	                        src_rc == 0 ? src.id : NULL, "source_measured", src_rc == 0 ? src.measured : -1,
	                        "reason", src_rc == 0 ? src.reason : NULL, "result",
	                        result ? json_loads(result, 0, NULL) : json_null());
	free(result);
	char *out = json_dumps(doc, JSON_COMPACT);
	size_t len = out ? strlen(out) : 0;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(report, out + off, len - off);
		if (w <= 0)
			_exit(3);
		off += (size_t)w;
	}
	/* the client lives on: it can still measure, in-process */
	em_monitor_destroy(mon);
	em_config_free(cfg);
	_exit(0);
}

static void test_clients_of_a_killed_agent_get_placeholders(void)
{
	pid_t pid[KILL_CLIENTS];
	int fd[KILL_CLIENTS], before[2], after[2]; /* go: stop before the kill, after it */
	CU_ASSERT_FATAL(pipe(before) == 0 && pipe(after) == 0);
	for (int i = 0; i < KILL_CLIENTS; i++) {
		int p[2];
		CU_ASSERT_FATAL(pipe(p) == 0);
		fflush(NULL);
		pid[i] = fork();
		CU_ASSERT_FATAL(pid[i] >= 0);
		if (pid[i] == 0) {
			close(p[0]);
			close(before[1]);
			close(after[1]);
			for (int j = 0; j < i; j++)
				close(fd[j]);
			kill_client(p[1], i % 2 ? after[0] : before[0]);
		}
		close(p[1]);
		fd[i] = p[0];
	}
	close(before[0]);
	close(after[0]);
	char first[KILL_CLIENTS];
	for (int i = 0; i < KILL_CLIENTS; i++)
		first[i] = read(fd[i], &first[i], 1) == 1 ? first[i] : '?';
	sleep_s(0.5); /* the windows are open and sampling */
	/* the agent hangs: the even clients' 'end' gets no answer; then it dies */
	CU_ASSERT(kill(env.agent.pid, SIGSTOP) == 0);
	close(before[1]);
	sleep_s(1.0);
	agent_kill(&env.agent);
	close(after[1]);

	for (int i = 0; i < KILL_CLIENTS; i++) {
		char buf[1 << 16];
		size_t n = 0;
		ssize_t got;
		while (n < sizeof(buf) - 1 && (got = read(fd[i], buf + n, sizeof(buf) - 1 - n)) > 0)
			n += (size_t)got;
		buf[n] = '\0';
		close(fd[i]);
		int status;
		CU_ASSERT(waitpid(pid[i], &status, 0) == pid[i]);
		/* the client process survived the agent's death */
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CU_ASSERT_EQUAL(first[i], 'R');
		json_t *doc = json_loads(buf, 0, NULL);
		if (!doc)
			printf("\n  client %d said '%c%.500s'", i, first[i], buf);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		printf("\n  client %d: stop returned %d after %.3f s (%s); measured %d, source %s: %s", i,
		       (int)json_integer_value(json_object_get(doc, "stop_rc")), num(doc, "stop_s"),
		       json_string_value(json_object_get(doc, "stop_error")),
		       (int)json_integer_value(json_object_get(doc, "measured")),
		       json_string_value(json_object_get(doc, "source")),
		       json_string_value(json_object_get(doc, "reason")));
		CU_ASSERT(num(doc, "stop_s") < STOP_BOUND_S);
		/* a placeholder, carrying the reason */
		CU_ASSERT(json_is_true(json_object_get(doc, "result_json")));
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "measured")), 0);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "source_measured")), 0);
		const char *reason = json_string_value(json_object_get(doc, "reason"));
		CU_ASSERT(reason && *reason);
		ASSERT_CONTAINS(reason ?: "", env.agent.socket); /* "energymond at SOCKET: ..." */
		json_decref(doc);
	}
}

/* With the agent gone, "required" fails and names the socket. */
static void test_required_without_the_agent_fails_naming_the_socket(void)
{
	setenv("ENERGYMON_SOCKET", env.agent.socket, 1);
	char text[512];
	agent_client_config(text, sizeof(text), "[\"ipmi\"]");
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(text, &cfg, &err), 0);
	int rc = em_monitor_create(cfg, 0, &mon, &err);
	if (rc == 0)
		rc = em_monitor_start(mon, &err);
	printf("\n  %d: %s", rc, err.message);
	CU_ASSERT(rc < 0);
	ASSERT_CONTAINS(err.message, env.agent.socket);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	unsetenv("ENERGYMON_SOCKET");
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"agent SIGKILLed mid-window: placeholders with the reason, clients live",
		 test_clients_of_a_killed_agent_get_placeholders},
		{"energy_agent required without the agent: refused, naming the socket",
		 test_required_without_the_agent_fails_naming_the_socket},
		CU_TEST_INFO_NULL,
	};
	int rc = agent_test_setup(&env, "ipmi");
	if (rc != 0)
		return rc;
	rc = run_suite("agent killed", tests);
	agent_test_teardown(&env);
	return rc;
}
