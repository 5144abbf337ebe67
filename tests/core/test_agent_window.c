/*
 * The library as energymond's client, from begin to end, against real
 * Unix sockets (agent_peer.c): a peer that hangs up mid-window, answers a
 * state document no reader takes, never answers end (em_monitor_abandon
 * ends the wait) or answers a real state document (adopted); and the
 * CLI's summary under the agent. A client never dies of SIGPIPE.
 */
#include "agent_peer.h"

static const char *cli_path; /* argv[1]: the energymon binary */

/* The peer hangs up: stop still returns 0, quickly, and the result is a
 * placeholder per source with the reason; no SIGPIPE kills the caller. */
static void closed_mid_window(enum behaviour how)
{
	struct peer *p = peer_start(how);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(create("{\"energy_agent\": \"required\", \"energy_allow_unavailable\": true, "
	                             "\"lithops\": {\"energy_strategy\": [\"fake\", \"missing\"]}}",
	                             getpid(), &mon, &err, NULL), 0);
	pid_t one = getpid();
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &one, 1, &err), -EOPNOTSUPP);
	CU_ASSERT(has(err.message, p->path));
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	sleep_s(0.2);
	double t0 = now_s();
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT(now_s() - t0 < 5.0);
	/* begin asked for the source the agent has, for this process's tree */
	const json_t *ids = json_object_get(p->begin, "sources");
	CU_ASSERT_EQUAL(json_array_size(ids), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(ids, 0)), "fake");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p->begin, "pid")), getpid());
	json_t *res = result_of(mon);
	CU_ASSERT_EQUAL(json_object_get(res, "placeholder"), json_true());
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "measured_by")), "agent");
	const json_t *agent = json_object_get(res, "agent");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(agent, "socket")), p->path);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(agent, "version")), "test-0");
	const json_t *fake = json_object_get(json_object_get(res, "monitors"), "fake");
	const char *why = json_string_value(json_object_get(fake, "reason"));
	CU_ASSERT(has(why, p->path) && has(why, "connection closed mid-window") && has(why, "nothing was measured"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fake, "measured_by")), "agent");
	const json_t *missing = json_object_get(json_object_get(res, "monitors"), "missing");
	CU_ASSERT(has(json_string_value(json_object_get(missing, "reason")), "has no source 'missing'"));
	struct em_result_run run = {.struct_size = sizeof(run)};
	CU_ASSERT_EQUAL(em_result_run(mon, &run), 0);
	CU_ASSERT_EQUAL(run.measured, 0);
	CU_ASSERT_STRING_EQUAL(run.measured_by, "agent");
	CU_ASSERT_STRING_EQUAL(run.agent_socket, p->path);
	/* the files carry it too */
	char dir[PATH_MAX];
	fresh_output_dir(dir, sizeof(dir), "files");
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "job", "call0", &err), 0);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/job_call0_fake.json", dir);
	json_t *file = json_load_file(path, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(file, "energymon"), "measured_by")),
	                       "agent");
	json_decref(file);
	json_decref(res);
	em_monitor_destroy(mon);
	peer_stop(p);
}

static void test_closed_after_begin(void)
{
	closed_mid_window(CLOSE_ON_BEGIN);
}

static void test_closed_on_end(void)
{
	closed_mid_window(CLOSE_ON_END);
}

static void test_unreadable_state_is_placeholder(void)
{
	struct peer *p = peer_start(BAD_STATE);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(create(REQUIRED_FAKE, 0, &mon, &err, NULL), 0);
	run_briefly(mon);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(p->begin, "pid")), 0); /* 0 stays 0: no tree */
	json_t *res = result_of(mon);
	CU_ASSERT_EQUAL(json_object_get(res, "placeholder"), json_true());
	const char *why = json_string_value(json_object_get(json_object_get(json_object_get(res, "monitors"), "fake"),
	                                                    "reason"));
	CU_ASSERT(has(why, p->path) && has(why, "cannot be read") && has(why, "nothing was measured"));
	json_decref(res);
	em_monitor_destroy(mon);
	peer_stop(p);
}

/* The agent's answer is a real state document (an in-process monitor's):
 * the monitor adopts its sources, so the result and the typed API give the
 * same energy, and say that the agent measured. */
static void test_real_state_is_adopted(void)
{
	struct em_monitor *local;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(create("{\"energy_agent\": \"off\", \"energy_sampling_interval\": 0.05, "
	                             "\"lithops\": {\"energy_strategy\": \"testpower\"}}", 0, &local, &err, NULL), 0);
	run_briefly(local);
	char *doc = em_monitor_state_json(local);
	json_t *expected = result_of(local);
	em_monitor_destroy(local);
	if (!doc) { /* until monitor_state.c is built: nothing to adopt */
		fprintf(stderr, "(em_monitor_state_json is not built: the adoption is not tested) ");
		json_decref(expected);
		return;
	}
	struct peer *p = peer_start(GOOD_STATE);
	p->state = json_loads(doc, 0, NULL);
	free(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->state);
	struct em_monitor *mon;
	CU_ASSERT_EQUAL_FATAL(create("{\"energy_agent\": \"required\"}", 0, &mon, &err, NULL), 0);
	run_briefly(mon);
	json_t *res = result_of(mon);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "measured_by")), "agent");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(res, "agent"), "version")), "test-1");
	CU_ASSERT_EQUAL(json_object_get(res, "placeholder"), json_false());
	double want = energy_of(expected, "testpower", "system"), got = energy_of(res, "testpower", "system");
	CU_ASSERT(want > 0 && got == want);
	CU_ASSERT(json_equal(json_object_get(res, "energy"), json_object_get(expected, "energy")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(res, "duration")),
	                       json_number_value(json_object_get(expected, "duration")), 1e-9);
	struct em_result_source s = {.struct_size = sizeof(s)};
	CU_ASSERT_EQUAL(em_result_source(mon, 0, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.id, "testpower");
	CU_ASSERT(s.measured && s.samples > 0);
	CU_ASSERT_EQUAL(em_result_source(mon, 1, &s), -ENOENT);
	json_decref(res);
	json_decref(expected);
	em_monitor_destroy(mon);
	peer_stop(p);
}

static void *abandon_later(void *arg)
{
	sleep_s(0.3);
	em_monitor_abandon(arg);
	return NULL;
}

/* An agent that never answers end: em_monitor_abandon from another thread
 * ends the wait at once (not after 30 s) with a placeholder. */
static void test_abandon_ends_the_wait(void)
{
	struct peer *p = peer_start(HANG_END);
	struct em_monitor *mon;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(create(REQUIRED_FAKE, 0, &mon, &err, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	pthread_t t;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, abandon_later, mon) == 0);
	double t0 = now_s();
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT(now_s() - t0 < 5.0);
	pthread_join(t, NULL);
	json_t *res = result_of(mon);
	const char *why = json_string_value(json_object_get(json_object_get(json_object_get(res, "monitors"), "fake"),
	                                                    "reason"));
	CU_ASSERT(has(why, "abandoned") && has(why, "nothing was measured"));
	json_decref(res);
	em_monitor_destroy(mon);
	peer_stop(p);
}

/* The CLI under the agent: its summary says who measured, and the reason
 * of a source the agent's answer could not give. */
static void test_cli_summary_names_the_agent(void)
{
	struct peer *p = peer_start(BAD_STATE);
	int fds[2];
	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		execl(cli_path, cli_path, "--plugins", "fake", "--set", "energy_agent=required", "--no-files",
		      "/bin/sleep", "0.2", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char out[16384];
	size_t used = 0;
	ssize_t n;
	while (used < sizeof(out) - 1 && (n = read(fds[0], out + used, sizeof(out) - 1 - used)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(fds[0]);
	int status = -1;
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char line[256];
	snprintf(line, sizeof(line), "measured by energymond at %s\n", p->path);
	CU_ASSERT(has(out, line));
	CU_ASSERT(has(out, "fake") && has(out, "cannot be read"));
	if (!has(out, line))
		fprintf(stderr, "energymon said:\n%s\n", out);
	peer_stop(p);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s ENERGYMON_BINARY\n", argv[0]);
		return 2;
	}
	cli_path = argv[1];
	/* a client must never die of SIGPIPE: leave its default action armed */
	signal(SIGPIPE, SIG_DFL);
	CU_TestInfo tests[] = {
		{"closed after begin: a placeholder", test_closed_after_begin},
		{"closed on end: a placeholder", test_closed_on_end},
		{"an unreadable state: a placeholder", test_unreadable_state_is_placeholder},
		{"abandon ends the wait for end", test_abandon_ends_the_wait},
		{"the CLI's summary names the agent", test_cli_summary_names_the_agent},
		{"a real state document is adopted", test_real_state_is_adopted},

		CU_TEST_INFO_NULL,
	};
	return run_suite("agent window", tests);
}
