/*
 * test_agent_client_proc.c — one client of the agent, as a Lithops worker
 * under it is: an unprivileged process that measures its own work through
 * the library (energy_agent "required", ENERGYMON_SOCKET), nothing more.
 *
 * It runs in a child forked from the test (after fork, before any exec, so
 * the library it uses is the one already mapped: nothing is loaded from a
 * build tree the user may not reach) and reports to the test over a pipe.
 */
#include "test_agent_clients.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static double cpu_s(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
	       (double)ru->ru_stime.tv_usec / 1e6;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		p += w;
		n -= (size_t)w;
	}
}

/* The last words: "R" unless sent already, then the document; exit. */
static _Noreturn void finish(int report, bool ready_sent, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	if (!ready_sent)
		write_all(report, "R", 1);
	write_all(report, text ? text : "{\"error\": \"out of memory\"}", text ? strlen(text) : 26);
	_exit(0);
}

static _Noreturn void give_up(int report, bool ready_sent, json_t *doc, const char *what, const char *why)
{
	char text[1400];
	snprintf(text, sizeof(text), "%s: %s", what, why);
	json_object_set_new(doc, "error", json_string(text));
	finish(report, ready_sent, doc);
}

/* Half the tree's CPU in this process, half in a child it reaps; or, for
 * the victim, both spin until they are killed. */
static void burn_as_a_tree(double burn_s, bool forever)
{
	pid_t child = fork();
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		do
			burn_cpu(burn_s / 2);
		while (forever);
		_exit(0);
	}
	do
		burn_cpu(burn_s / 2);
	while (forever);
	if (child > 0)
		waitpid(child, NULL, 0);
}

/* A worker child: the tree's root when the client is not. */
static pid_t fork_worker(int go, double burn_s, bool forever)
{
	pid_t w = fork();
	if (w == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		wait_go(go);
		burn_as_a_tree(burn_s, forever);
		_exit(0);
	}
	return w;
}

_Noreturn void client_main(const struct client_spec *s, int report, int go, int may_end)
{
	json_t *doc = json_pack("{s:i}", "index", s->index);
	if (s->victim)
		setpgid(0, 0); /* its whole tree dies with it: kill(-pid) */
	signal(SIGPIPE, SIG_DFL); /* the library must never let one kill us */
	int rc = become_user(s->uid);
	if (rc)
		give_up(report, false, doc, "cannot become the client's uid", strerror(-rc));
	setenv("ENERGYMON_SOCKET", env.agent.socket, 1);
	char text[512];
	agent_client_config(text, sizeof(text), "[\"ipmi\", \"ebpf\"]");
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	if (em_config_load_string(text, &cfg, &err) != 0)
		give_up(report, false, doc, "em_config_load_string", err.message);
	pid_t worker = s->own_root ? 0 : fork_worker(go, s->burn_s, s->victim);
	if (worker < 0)
		give_up(report, false, doc, "fork", strerror(errno));
	if (em_monitor_create(cfg, s->own_root ? getpid() : worker, &mon, &err) != 0)
		give_up(report, false, doc, "em_monitor_create", err.message);
	if (em_monitor_start(mon, &err) != 0)
		give_up(report, false, doc, "em_monitor_start", err.message);
	struct rusage self0, children0, self1, children1;
	getrusage(RUSAGE_SELF, &self0);
	getrusage(RUSAGE_CHILDREN, &children0);
	write_all(report, "R", 1);

	wait_go(go);
	if (s->own_root)
		burn_as_a_tree(s->burn_s, s->victim);
	else
		waitpid(worker, NULL, 0);
	getrusage(RUSAGE_SELF, &self1);
	getrusage(RUSAGE_CHILDREN, &children1);
	double kernel = cpu_s(&children1) - cpu_s(&children0) + (s->own_root ? cpu_s(&self1) - cpu_s(&self0) : 0);
	json_object_set_new(doc, "kernel_cpu_s", json_real(kernel));
	wait_go(may_end);

	if (em_monitor_stop(mon, &err) != 0)
		give_up(report, true, doc, "em_monitor_stop", err.message);
	char *result = em_monitor_result_json(mon);
	json_t *parsed = result ? json_loads(result, 0, NULL) : NULL;
	free(result);
	if (!parsed)
		give_up(report, true, doc, "em_monitor_result_json", "no result, or not JSON");
	json_object_set_new(doc, "result", parsed);
	struct em_result_run run = {.struct_size = sizeof(run)};
	if (em_result_run(mon, &run) != 0)
		give_up(report, true, doc, "em_result_run", "failed");
	json_object_set_new(doc, "measured_by", run.measured_by ? json_string(run.measured_by) : json_null());
	json_object_set_new(doc, "agent_socket", run.agent_socket ? json_string(run.agent_socket) : json_null());
	em_monitor_destroy(mon);
	em_config_free(cfg);
	finish(report, true, doc);
}
