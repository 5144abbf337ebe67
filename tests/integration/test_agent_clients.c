/*
 * test_agent_clients.c — energymond with its real parts: the simulated BMC
 * (ipmi, lanplus) and the kernel's eBPF, shared by 16 unprivileged clients
 * of two uids that open overlapping windows through the library.
 *
 * Each client's tree CPU time is checked against the kernel's own
 * accounting of that tree (the rusage of what the client reaped, plus its
 * own when its pid is the root) within 2 %, its system energy against the
 * BMC profile's exact integral over its window, and who measured it. One
 * client is SIGKILLed mid-window: the agent frees its window and the other
 * 15 are untouched. A pid of the other uid is refused with the reason; a
 * malformed and an oversized request are refused and the agent serves on.
 *
 * Needs root (to start the agent with eBPF and to become the two users);
 * skips (77) saying why only when eBPF (or the simulated BMC) cannot run.
 */
#include "test_agent_clients.h"

#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>

/* Everything the CUnit process keeps of one client: the pipe it reports on
 * and what came through it ("R" once its window is open, then one JSON
 * document as its last words). */
struct client_run {
	struct client_spec spec;
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
	bool eof;
	int status;
};

static void append(struct client_run *c, const char *data, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->buf = realloc(c->buf, c->cap);
	}
	memcpy(c->buf + c->len, data, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

/* Read every pipe that has something, for up to `ms`. */
static void pump(struct client_run *c, size_t n, int ms)
{
	struct pollfd p[CLIENTS];
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = c[i].eof ? -1 : c[i].fd, .events = POLLIN};
	if (poll(p, n, ms) <= 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		char chunk[65536];
		ssize_t got = read(c[i].fd, chunk, sizeof(chunk));
		if (got > 0)
			append(&c[i], chunk, (size_t)got);
		else if (got == 0 || errno != EINTR)
			c[i].eof = true;
	}
}

static size_t count(const struct client_run *c, size_t n, bool (*pred)(const struct client_run *))
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += pred(&c[i]);
	return k;
}

static bool is_ready(const struct client_run *c)
{
	return c->len > 0;
}

static bool is_done(const struct client_run *c)
{
	return c->eof;
}

/* The client's last words, parsed (after the "R"); NULL when it had none. */
static json_t *report_of(const struct client_run *c)
{
	if (c->len < 2 || c->buf[0] != 'R')
		return NULL;
	return json_loads(c->buf + 1, 0, NULL);
}

/* What the source said, to explain a failed check. */
static void print_source(const json_t *res, const char *id)
{
	const json_t *src = monitor_of(res, id);
	json_t *brief = json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "energy", json_object_get(src, "energy"),
	                          "reason", json_object_get(src, "reason"), "notes", json_object_get(src, "notes"),
	                          "log", json_object_get(src, "log"), "covered_s", json_object_get(src, "covered_s"),
	                          "sampling", json_object_get(src, "sampling"));
	char *text = brief ? json_dumps(brief, JSON_COMPACT) : NULL;
	printf("\n    the %s source said: %.3000s", id, text ? text : "(nothing)");
	free(text);
	json_decref(brief);
}

/* Each check prints its numbers, so a failure (or a pass) can be read. */
static void check_client(const struct client_run *c)
{
	json_t *rep = report_of(c);
	if (!rep)
		printf("\n  client %d (uid %d) reported nothing usable: '%.300s'", c->spec.index, (int)c->spec.uid,
		       c->buf ? c->buf : "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	const char *error = json_string_value(json_object_get(rep, "error"));
	if (error)
		printf("\n  client %d (uid %d): %s", c->spec.index, (int)c->spec.uid, error);
	CU_ASSERT_PTR_NULL(error);
	const json_t *res = json_object_get(rep, "result");
	CU_ASSERT_FATAL(json_is_object(res));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rep, "measured_by")) ?: "(none)", "agent");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rep, "agent_socket")) ?: "(none)",
	                       env.agent.socket);

	/* the tree's CPU time: the ebpf source's, against the kernel's */
	double kernel = num(rep, "kernel_cpu_s"), cpu = tree_cpu_time(res);
	printf("\n  client %2d uid %d root %-5s: tree CPU ebpf %.4f s, kernel %.4f s (%+.2f %%)", c->spec.index,
	       (int)c->spec.uid, c->spec.own_root ? "self" : "child", cpu, kernel, 100 * (cpu - kernel) / kernel);
	CU_ASSERT(kernel >= c->spec.burn_s * 0.95);
	CU_ASSERT_DOUBLE_EQUAL(cpu, kernel, kernel * 0.02);
	if (!(fabs(cpu - kernel) <= kernel * 0.02))
		print_source(res, "ebpf");

	/* the system energy: the BMC profile's exact integral over the window,
	 * less the gaps the result owns up to (the BMC or the agent starved) */
	double from = num(res, "timestamp"), to = from + num(res, "duration"), gap_s = 0, outside_s = 0;
	double truth = simbmc_profile_energy_j(env.profile_t, env.profile_w, env.profile_n, from, to);
	size_t g;
	const json_t *gap;
	json_array_foreach(json_object_get(power_series(res), "gaps"), g, gap) {
		/* only the part inside the window (a window's series may list
		 * gaps of the source from before it began: they are printed) */
		double a = fmax(num(gap, "from"), from), b = fmin(num(gap, "to"), to);
		outside_s += num(gap, "to") - num(gap, "from") - fmax(b - a, 0);
		if (b <= a)
			continue;
		truth -= simbmc_profile_energy_j(env.profile_t, env.profile_w, env.profile_n, a, b);
		gap_s += b - a;
	}
	if (outside_s > 0)
		printf(" (its power series lists %.3f s of gaps outside the window)", outside_s);
	double system = energy_of(res, NULL, "system");
	printf(", system %.2f J, profile %.2f J over %.3f s less %.3f s of gaps (%+.2f %%)", system, truth, to - from,
	       gap_s, 100 * (system - truth) / truth);
	CU_ASSERT(gap_s <= 0.25 * (to - from)); /* else the energy check says little */
	CU_ASSERT(to - from >= c->spec.burn_s / 2); /* 2 CPUs at most */
	CU_ASSERT_DOUBLE_EQUAL(system, truth, truth * ENERGY_TOLERANCE);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(res, "energy_sources"), "system")) ?:
	                       "(none)", "ipmi");
	json_decref(rep);
}

/* The clients, each with the read ends of `go` and `may_end`. */
static void spawn(struct client_run *c, size_t n, const int go[2], const int may_end[2])
{
	for (size_t i = 0; i < n; i++) {
		int p[2];
		CU_ASSERT_FATAL(pipe2(p, O_CLOEXEC) == 0);
		fflush(NULL);
		pid_t pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			close(go[1]);
			close(may_end[1]);
			for (size_t j = 0; j < i; j++)
				close(c[j].fd);
			client_main(&c[i].spec, p[1], go[0], may_end[0]);
		}
		close(p[1]);
		c[i].pid = pid;
		c[i].fd = p[0];
	}
}

static void test_sixteen_clients_of_two_uids(void)
{
	struct client_run c[CLIENTS];
	memset(c, 0, sizeof(c));
	for (int i = 0; i < CLIENTS; i++)
		c[i].spec = (struct client_spec){.index = i, .uid = i < CLIENTS / 2 ? UID_A : UID_B,
		                                 .own_root = i % 2 == 1, .burn_s = 0.25 + 0.03 * i,
		                                 .victim = i == VICTIM};
	int go[2], may_end[2];
	CU_ASSERT_FATAL(pipe2(go, O_CLOEXEC) == 0 && pipe2(may_end, O_CLOEXEC) == 0);
	spawn(c, CLIENTS, go, may_end);
	close(go[0]);
	close(may_end[0]);

	/* every window open before any tree burns: they overlap */
	double until = agent_now_s() + 120;
	while (count(c, CLIENTS, is_ready) + count(c, CLIENTS, is_done) < CLIENTS && agent_now_s() < until)
		pump(c, CLIENTS, 100);
	CU_ASSERT_EQUAL(count(c, CLIENTS, is_ready), CLIENTS);
	close(go[1]);

	/* mid-window, the victim and its tree die; the agent frees its window
	 * (no other window can end before may_end is closed) */
	sleep_s(0.5);
	long windows = -1, roots = -1, windows_after = -1, roots_after = -1;
	CU_ASSERT_EQUAL(agent_status(&env.agent, &windows, &roots), 0);
	CU_ASSERT(kill(-c[VICTIM].pid, SIGKILL) == 0);
	double killed_at = agent_now_s();
	while (agent_status(&env.agent, &windows_after, &roots_after) == 0 && windows_after >= windows &&
	       agent_now_s() < killed_at + 10)
		sleep_s(0.02);
	printf("\n  the agent's status: %ld windows and %ld trees followed before the kill, %ld and %ld %.3f s after",
	       windows, roots, windows_after, roots_after, agent_now_s() - killed_at);
	CU_ASSERT_EQUAL(windows, CLIENTS);
	CU_ASSERT_EQUAL(roots, CLIENTS);
	CU_ASSERT_EQUAL(windows_after, CLIENTS - 1);
	CU_ASSERT_EQUAL(roots_after, CLIENTS - 1);
	close(may_end[1]);

	until = agent_now_s() + 180;
	while (count(c, CLIENTS, is_done) < CLIENTS && agent_now_s() < until)
		pump(c, CLIENTS, 100);
	for (int i = 0; i < CLIENTS; i++) {
		if (!c[i].eof)
			kill(-c[i].pid, SIGKILL), kill(c[i].pid, SIGKILL);
		CU_ASSERT(waitpid(c[i].pid, &c[i].status, 0) == c[i].pid);
		close(c[i].fd);
	}
	CU_ASSERT(WIFSIGNALED(c[VICTIM].status) && WTERMSIG(c[VICTIM].status) == SIGKILL);
	for (int i = 0; i < CLIENTS; i++) {
		if (i == VICTIM)
			continue;
		CU_ASSERT(WIFEXITED(c[i].status) && WEXITSTATUS(c[i].status) == 0);
		check_client(&c[i]);
	}
	/* the agent served them all and is still here */
	CU_ASSERT_EQUAL(waitpid(env.agent.pid, NULL, WNOHANG), 0);
	for (int i = 0; i < CLIENTS; i++)
		free(c[i].buf);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"16 clients of two uids: overlapping windows, tree CPU and energy right, one killed",
		 test_sixteen_clients_of_two_uids},
		{"a pid of the other uid is refused with the reason", test_other_uids_pid_is_refused},
		{"malformed and oversized requests are refused; the agent serves on", test_hostile_requests},
		CU_TEST_INFO_NULL,
	};
	int rc = agent_test_setup(&env, "ipmi,ebpf");
	if (rc != 0)
		return rc;
	rc = run_suite("agent clients", tests);
	agent_test_teardown(&env);
	return rc;
}
