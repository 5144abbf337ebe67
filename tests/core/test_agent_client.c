/*
 * The library as energymond's client (energy_agent) up to the agent's
 * hello, against real Unix sockets (agent_peer.c): the settings and their
 * errors, and hostile answers to hello (silence, a 100 MB length, garbage
 * JSON, refusals). Each test names its socket in ENERGYMON_SOCKET and sets
 * energy_agent itself; the suite runs with ENERGYMON_AGENT=off otherwise.
 * The real agent's tests are in tests/agent.
 */
#include "agent_peer.h"

static void test_auto_without_socket_is_in_process(void)
{
	setenv("ENERGYMON_SOCKET", "/tmp/em-agent-test-none/energymond.sock", 1);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(create(AUTO_TESTPOWER, 0, &mon, &err, NULL), 0);
	run_briefly(mon);
	json_t *res = result_of(mon);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "measured_by")), "in-process");
	CU_ASSERT_PTR_NULL(json_object_get(res, "agent"));
	CU_ASSERT_PTR_NULL(json_object_get(res, "agent_not_used")); /* no socket: nothing to explain */
	CU_ASSERT(energy_of(res, "testpower", "system") > 0);
	struct em_result_run run = {.struct_size = sizeof(run)};
	CU_ASSERT_EQUAL(em_result_run(mon, &run), 0);
	CU_ASSERT_STRING_EQUAL(run.measured_by, "in-process");
	CU_ASSERT_PTR_NULL(run.agent_socket);
	json_decref(res);
	em_monitor_destroy(mon);
	unsetenv("ENERGYMON_SOCKET");
}

static void test_required_without_socket_names_it(void)
{
	setenv("ENERGYMON_SOCKET", "/tmp/em-agent-test-none/energymond.sock", 1);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create(REQUIRED_FAKE, 0, &mon, &err, NULL), -ENOENT);
	CU_ASSERT_PTR_NULL(mon);
	CU_ASSERT(has(err.message, "/tmp/em-agent-test-none/energymond.sock"));
	unsetenv("ENERGYMON_SOCKET");
}

static void test_relative_socket_is_refused(void)
{
	setenv("ENERGYMON_SOCKET", "run/energymond.sock", 1);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create(AUTO_TESTPOWER, 0, &mon, &err, NULL), -EINVAL);
	CU_ASSERT(has(err.message, "ENERGYMON_SOCKET"));
	CU_ASSERT(has(err.message, "absolute"));
	unsetenv("ENERGYMON_SOCKET");
}

static void test_bad_mode_key_is_refused(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_string("{\"energy_agent\": \"sometimes\"}", &cfg, &err), -EINVAL);
	CU_ASSERT(has(err.message, "energy_agent"));
	CU_ASSERT(has(err.message, "auto") && has(err.message, "off") && has(err.message, "required"));
	CU_ASSERT_EQUAL(em_config_load_string("{\"energy_agent\": true}", &cfg, &err), -EINVAL);
	CU_ASSERT(has(err.message, "energy_agent"));
	CU_ASSERT_EQUAL(em_config_load_string("{\"energy_agent\": \"off\"}", &cfg, &err), 0);
	em_config_free(cfg);
}

static void test_bad_mode_variable_is_refused(void)
{
	const char *was = getenv("ENERGYMON_AGENT");
	char *saved = was ? strdup(was) : NULL;
	setenv("ENERGYMON_AGENT", "sometimes", 1);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create("{\"lithops\": {\"energy_strategy\": \"testpower\"}}", 0, &mon, &err, NULL), -EINVAL);
	CU_ASSERT(has(err.message, "ENERGYMON_AGENT"));
	/* the document's key wins over the variable */
	CU_ASSERT_EQUAL(create("{\"energy_agent\": \"off\", \"lithops\": {\"energy_strategy\": \"testpower\"}}", 0,
	                       &mon, &err, NULL), 0);
	em_monitor_destroy(mon);
	if (saved)
		setenv("ENERGYMON_AGENT", saved, 1);
	else
		unsetenv("ENERGYMON_AGENT");
	free(saved);
}

static void test_silent_agent_auto_falls_back(void)
{
	struct peer *p = peer_start(SILENT);
	struct em_monitor *mon;
	struct em_error err = {0};
	double took;
	CU_ASSERT_EQUAL_FATAL(create(AUTO_TESTPOWER, 0, &mon, &err, &took), 0);
	CU_ASSERT(took >= 0.9 && took < 3.0); /* the 1 s hello bound, with margin for a loaded machine */
	run_briefly(mon);
	json_t *res = result_of(mon);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "measured_by")), "in-process");
	const json_t *not_used = json_object_get(res, "agent_not_used");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(not_used, "socket")), p->path);
	CU_ASSERT(has(json_string_value(json_object_get(not_used, "reason")), "timed out"));
	CU_ASSERT(energy_of(res, "testpower", "system") > 0);
	json_decref(res);
	em_monitor_destroy(mon);
	peer_stop(p);
}

static void test_silent_agent_required_times_out(void)
{
	struct peer *p = peer_start(SILENT);
	struct em_monitor *mon;
	struct em_error err = {0};
	double took;
	CU_ASSERT_EQUAL(create(REQUIRED_FAKE, 0, &mon, &err, &took), -ETIMEDOUT);
	CU_ASSERT(took < 3.0);
	CU_ASSERT(has(err.message, p->path));
	CU_ASSERT(has(err.message, "timed out"));
	peer_stop(p);
}

/* A hostile hello: required fails naming the socket and what was wrong;
 * auto measures in-process and says why the agent was not used. */
static void hostile_hello(enum behaviour how, int code, const char *what)
{
	struct peer *p = peer_start(how);
	struct em_monitor *mon;
	struct em_error err = {0};
	double took;
	CU_ASSERT_EQUAL(create(REQUIRED_FAKE, 0, &mon, &err, &took), code);
	CU_ASSERT(took < 3.0);
	CU_ASSERT(has(err.message, p->path));
	CU_ASSERT(has(err.message, what));
	if (!has(err.message, what))
		fprintf(stderr, "message: %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(create(AUTO_TESTPOWER, 0, &mon, &err, NULL), 0);
	run_briefly(mon);
	json_t *res = result_of(mon);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "measured_by")), "in-process");
	CU_ASSERT(has(json_string_value(json_object_get(json_object_get(res, "agent_not_used"), "reason")), what));
	json_decref(res);
	em_monitor_destroy(mon);
	peer_stop(p);
}

static void test_huge_length_is_refused(void)
{
	hostile_hello(HUGE_LENGTH, -EPROTO, "frame of 100000000 bytes");
}

static void test_garbage_json_is_refused(void)
{
	hostile_hello(GARBAGE, -EPROTO, "invalid JSON");
}

static void test_refusal_carries_errno(void)
{
	hostile_hello(REFUSE, -EACCES, "clients of group x only");
}

/* The agent's sources: named ids it lacks are an error naming them and
 * its sources; unavailable ones a placeholder under allow_unavailable. */
static void test_strategy_against_agent_sources(void)
{
	struct peer *p = peer_start(GOOD_HELLO);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create("{\"energy_agent\": \"required\", \"lithops\": {\"energy_strategy\": "
	                       "[\"fake\", \"ipmi:rack9\"]}}", 0, &mon, &err, NULL), -ENOENT);
	CU_ASSERT(has(err.message, "'ipmi:rack9'") && has(err.message, "fake, other:a"));
	CU_ASSERT(has(err.message, p->path));
	CU_ASSERT_EQUAL(create("{\"energy_agent\": \"required\", \"lithops\": {\"energy_strategy\": \"other:a\"}}",
	                       0, &mon, &err, NULL), -ENODEV);
	CU_ASSERT(has(err.message, "no such device"));
	peer_stop(p);
}

int main(void)
{
	/* a client must never die of SIGPIPE: leave its default action armed */
	signal(SIGPIPE, SIG_DFL);
	CU_TestInfo tests[] = {
		{"auto without a socket measures in-process", test_auto_without_socket_is_in_process},
		{"required without a socket names it", test_required_without_socket_names_it},
		{"a relative ENERGYMON_SOCKET is refused", test_relative_socket_is_refused},
		{"a bad energy_agent is refused naming the key", test_bad_mode_key_is_refused},
		{"a bad ENERGYMON_AGENT is refused naming it", test_bad_mode_variable_is_refused},
		{"a silent agent: auto falls back within ~1 s", test_silent_agent_auto_falls_back},
		{"a silent agent: required times out", test_silent_agent_required_times_out},
		{"a 100 MB length prefix is refused", test_huge_length_is_refused},
		{"garbage JSON is refused", test_garbage_json_is_refused},
		{"ok:false carries its errno and words", test_refusal_carries_errno},
		{"the strategy against the agent's sources", test_strategy_against_agent_sources},
		CU_TEST_INFO_NULL,
	};
	return run_suite("agent client", tests);
}
