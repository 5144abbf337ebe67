/*
 * bench_window.c — a client's window through energymond: `begin` then
 * `end` on one connection (what the library sends for em_monitor_start()
 * and em_monitor_stop()), against its floor, a bare Unix-socket echo
 * server in another process answering frames of exactly the same sizes
 * (so the difference is the agent's own work: parsing, the sources'
 * samples at begin and end, the state document). The library's own
 * em_monitor_start()+em_monitor_stop() through the agent is timed too (it
 * adds building the result from the state document). The three alternate,
 * one round each, so drift of the machine hits them alike.
 *
 *   bench_window [ROUND_TRIPS [PLUGINS]]    defaults 2000 and "testpower"
 *
 * PLUGINS is the agent's --plugins: "testpower" (the test plugin, constant
 * power: a source whose sample costs nothing) or e.g. "testpower,ebpf"
 * (root: every window then adds and removes the client as an eBPF target).
 * Goal (issue 11): the window's median round trip < 200 us.
 */
#include "bench_agent.h"
#include "energymon.h"
#include "test_agent_fixture.h"

#include <sys/socket.h>
#include <sys/un.h>

#define WARMUP 200

/* The floor: answer each frame with a frame of the size its body names. */
static _Noreturn void echo_server(int listener)
{
	int fd = accept(listener, NULL, NULL);
	static char answer[AGENT_WIRE_RESPONSE_MAX / 64];
	memset(answer, ' ', sizeof(answer));
	for (;;) {
		char *body = NULL;
		size_t len;
		if (fd < 0 || agent_wire_recv(fd, &body, &len, 60000) != 0)
			_exit(0);
		size_t want = strtoul(body, NULL, 10);
		free(body);
		if (want > sizeof(answer) || agent_wire_send(fd, answer, want, 60000) != 0)
			_exit(1);
	}
}

static int start_echo(const char *dir, pid_t *pid)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/echo.sock", dir);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0)
		return -1;
	*pid = fork();
	if (*pid == 0)
		echo_server(l);
	close(l);
	return agent_wire_connect(a.sun_path);
}

/* One frame of `len` bytes asking the echo for `answer` bytes. */
static int echo_call(int fd, size_t len, size_t answer)
{
	char req[4096], *body = NULL;
	size_t got;
	snprintf(req, sizeof(req), "%-*zu", (int)len, answer);
	int rc = agent_wire_send(fd, req, len, 10000);
	if (rc == 0)
		rc = agent_wire_recv(fd, &body, &got, 10000);
	free(body);
	return rc;
}

struct sizes {
	size_t begin_req, begin_ans, end_req, end_ans;
};

/* begin + end on the wire; the sizes of the four frames, and when the
 * begin's answer came (*mid). */
static int window_call(int fd, struct sizes *sz, double *mid)
{
	static const char begin[] = "{\"v\":1,\"op\":\"begin\"}";
	char *body = NULL, end[128];
	size_t len;
	int rc = agent_wire_send(fd, begin, sizeof(begin) - 1, 10000);
	if (rc == 0)
		rc = agent_wire_recv(fd, &body, &len, 10000);
	if (rc)
		return rc;
	*mid = bench_now_s();
	sz->begin_req = sizeof(begin) - 1;
	sz->begin_ans = len;
	json_t *a = json_loadb(body, len, 0, NULL);
	json_int_t id = json_integer_value(json_object_get(a, "window"));
	if (!json_is_true(json_object_get(a, "ok"))) {
		fprintf(stderr, "begin refused: %s\n", body);
		rc = -EPROTO;
	}
	json_decref(a);
	free(body);
	if (rc)
		return rc;
	snprintf(end, sizeof(end), "{\"v\":1,\"op\":\"end\",\"window\":%lld}", (long long)id);
	sz->end_req = strlen(end);
	rc = agent_wire_send(fd, end, sz->end_req, 10000);
	if (rc == 0)
		rc = agent_wire_recv(fd, &body, &sz->end_ans, 10000);
	free(body);
	return rc;
}

static int library_call(struct em_config *cfg, double *took)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	/* the client's own tree, as the wire's begin without a pid */
	int rc = em_monitor_create(cfg, getpid(), &mon, &err);
	double t0 = bench_now_s();
	if (rc == 0 && (rc = em_monitor_start(mon, &err)) == 0)
		rc = em_monitor_stop(mon, &err);
	*took = bench_now_s() - t0;
	if (rc)
		fprintf(stderr, "library: %s\n", err.message);
	em_monitor_destroy(mon);
	return rc;
}

static void row(const char *what, double *v, size_t n, double *median)
{
	*median = bench_percentile(v, n, 50) * 1e6;
	printf("%-44s %10.1f %10.1f %10.1f\n", what, *median, bench_percentile(v, n, 99) * 1e6,
	       bench_percentile(v, n, 100) * 1e6);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000;
	const char *plugins = argc > 2 ? argv[2] : "testpower";
	if (n <= 0) {
		fprintf(stderr, "usage: %s [ROUND_TRIPS [PLUGINS]]\n", argv[0]);
		return 2;
	}
	bench_use_build_tree();
	struct agent agent;
	const char *args[] = {"--plugins", plugins, "--interval", "1", NULL};
	if (agent_start(&agent, args) != 0) {
		fprintf(stderr, "bench_window: %s\n", agent.error);
		agent_cleanup(&agent);
		return 1;
	}
	pid_t echo_pid = -1;
	int fd = agent_wire_connect(agent.socket), echo = start_echo(agent.dir, &echo_pid);
	char text[256];
	snprintf(text, sizeof(text), "{\"energy_agent\": \"required\", \"lithops\": {\"energy_strategy\": \"%s\"}}",
	         plugins);
	setenv("ENERGYMON_SOCKET", agent.socket, 1);
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	double *wire = calloc((size_t)n, sizeof(double)), *floor_ = calloc((size_t)n, sizeof(double)),
	       *lib = calloc((size_t)n, sizeof(double)), *begins = calloc((size_t)n, sizeof(double)),
	       *ends = calloc((size_t)n, sizeof(double));
	int rc = fd < 0 || echo < 0 || !wire || !floor_ || !lib || !begins || !ends
	                 ? -EIO
	                 : em_config_load_string(text, &cfg, &err);
	struct sizes sz = {0};
	for (long i = 0; rc == 0 && i < n + WARMUP; i++) {
		double t0 = bench_now_s(), mid = t0, t1, t2, took = 0;
		rc = window_call(fd, &sz, &mid);
		t1 = bench_now_s();
		if (rc == 0 && (rc = echo_call(echo, sz.begin_req, sz.begin_ans)) == 0)
			rc = echo_call(echo, sz.end_req, sz.end_ans);
		t2 = bench_now_s();
		if (rc == 0)
			rc = library_call(cfg, &took);
		if (i >= WARMUP) {
			wire[i - WARMUP] = t1 - t0;
			begins[i - WARMUP] = mid - t0;
			ends[i - WARMUP] = t1 - mid;
			floor_[i - WARMUP] = t2 - t1;
			lib[i - WARMUP] = took;
		}
	}
	if (rc)
		fprintf(stderr, "bench_window: failed: %s %s\n", strerror(-rc), err.message);
	else {
		bench_print_load();
		printf("energymond --plugins %s --interval 1; %ld windows (after %d to warm up)\n", plugins, n, WARMUP);
		printf("frames: begin %zu B -> %zu B, end %zu B -> %zu B (the state document)\n", sz.begin_req,
		       sz.begin_ans, sz.end_req, sz.end_ans);
		printf("%-44s %10s %10s %10s\n", "round trip, us", "median", "p99", "max");
		double w, f, l;
		double b, e;
		row("window: begin + end on the wire", wire, (size_t)n, &w);
		row("  of which begin", begins, (size_t)n, &b);
		row("  of which end (sample, state document)", ends, (size_t)n, &e);
		row("floor: bare echo of the same frame sizes", floor_, (size_t)n, &f);
		row("library: em_monitor_start + em_monitor_stop", lib, (size_t)n, &l);
		printf("window / floor (median): %.2f; library / floor: %.2f\n", w / f, l / f);
		printf("goal: the window's median < 200 us: %s (%.1f us)\n", w < 200 ? "met" : "NOT met", w);
	}
	em_config_free(cfg);
	free(wire), free(floor_), free(lib), free(begins), free(ends);
	if (fd >= 0)
		close(fd);
	if (echo >= 0)
		close(echo);
	if (echo_pid > 0)
		waitpid(echo_pid, NULL, 0);
	unlink(strcat(strcpy(text, agent.dir), "/echo.sock"));
	agent_cleanup(&agent);
	return rc ? 1 : 0;
}
