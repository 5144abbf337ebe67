/*
 * bench_switch16.c — what following 16 process trees costs per context
 * switch: one probe (energymond, or one continuous monitor in-process,
 * with 16 windows) against 16 separate in-process ebpf monitors (today's
 * shape: one program per monitor, each on every switch) and against the
 * empty tp_btf/sched_switch program (the attach mechanism's floor).
 *
 * The method is bench/ebpf/bench_switch.c's: the same ping-pong workload
 * (two processes pinned to one CPU passing a byte), its players' CPU time
 * (the handlers run in their context), every way interleaved in each run
 * and the minimum over the runs kept (other work only ever adds). The
 * 16 trees are disjoint: the ping-pong runs under the first root, the
 * other 15 roots sleep.
 *
 *   bench_switch16 [ROUND_TRIPS [RUNS]]   (root; defaults 200000 and 7)
 */
#include "bench_agent.h"
#include "empty.skel.h"
#include "energymon.h"
#include "pingpong.h"
#include "test_agent_fixture.h"

#include <bpf/libbpf.h>
#include <sched.h>
#include <sys/prctl.h>

#define TREES 16
#define MAX_RUNS 50

enum { BASE, EMPTY, SEPARATE, CONTINUOUS, AGENT, MODES };
static const char *const mode_name[MODES] = {"without BPF", "empty tp_btf program", "16 in-process monitors",
                                             "1 continuous monitor, 16 windows", "energymond, 16 windows"};

/* The first tree's root: runs the ping-pong on command, reports its cost. */
struct host {
	pid_t pid;
	int cmd, result;
};

static int start_host(struct host *h)
{
	int cmd[2], res[2];
	if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return -errno;
	h->pid = fork();
	if (h->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(cmd[1]);
		close(res[0]);
		long job[2];
		while (read(cmd[0], job, sizeof(job)) == sizeof(job)) {
			struct pingpong_cost c = {0};
			int rc = pingpong_run(job[0], (int)job[1], &c);
			if (write(res[1], &rc, sizeof(rc)) != sizeof(rc) || write(res[1], &c, sizeof(c)) != sizeof(c))
				_exit(1);
		}
		_exit(0);
	}
	close(cmd[0]);
	close(res[1]);
	h->cmd = cmd[1];
	h->result = res[0];
	return h->pid > 0 ? 0 : -EAGAIN;
}

static int host_run(const struct host *h, long n, int cpu, struct pingpong_cost *c)
{
	long job[2] = {n, cpu};
	int rc = -EIO;
	if (write(h->cmd, job, sizeof(job)) != sizeof(job) || read(h->result, &rc, sizeof(rc)) != sizeof(rc) ||
	    read(h->result, c, sizeof(*c)) != sizeof(*c))
		return -EIO;
	return rc;
}

static pid_t sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static int last_allowed_cpu(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return 0;
}

static int run_empty(const struct host *h, long n, int cpu, struct pingpong_cost *c)
{
	struct empty_bpf *skel = empty_bpf__open_and_load();
	if (!skel)
		return -errno;
	int rc = empty_bpf__attach(skel);
	if (rc == 0)
		rc = host_run(h, n, cpu, c);
	empty_bpf__destroy(skel);
	return rc;
}

static int run_separate(struct em_config *cfg, const pid_t *roots, const struct host *h, long n, int cpu,
                        struct pingpong_cost *c)
{
	struct em_monitor *mon[TREES] = {0};
	struct em_error err = {0};
	int rc = 0;
	for (int i = 0; rc == 0 && i < TREES; i++)
		if ((rc = em_monitor_create(cfg, roots[i], &mon[i], &err)) == 0)
			rc = em_monitor_start(mon[i], &err);
	if (rc == 0)
		rc = host_run(h, n, cpu, c);
	else
		fprintf(stderr, "16 monitors: %s\n", err.message);
	for (int i = 0; i < TREES; i++) {
		if (mon[i])
			em_monitor_stop(mon[i], NULL);
		em_monitor_destroy(mon[i]);
	}
	return rc;
}

static int run_continuous(struct em_config *cfg, const pid_t *roots, const struct host *h, long n, int cpu,
                          struct pingpong_cost *c)
{
	struct em_monitor *mon = NULL;
	struct em_window *w[TREES] = {0};
	struct em_error err = {0};
	int rc = em_monitor_create_continuous(cfg, &mon, &err);
	if (rc == 0)
		rc = em_monitor_start(mon, &err);
	for (int i = 0; rc == 0 && i < TREES; i++)
		rc = em_window_begin(mon, roots[i], NULL, 0, &w[i], &err);
	if (rc == 0)
		rc = host_run(h, n, cpu, c);
	else
		fprintf(stderr, "continuous monitor: %s\n", err.message);
	for (int i = 0; i < TREES; i++)
		em_window_free(mon, w[i]);
	if (mon)
		em_monitor_stop(mon, NULL);
	em_monitor_destroy(mon);
	return rc;
}

static int run_agent(const pid_t *roots, const struct host *h, long n, int cpu, struct pingpong_cost *c)
{
	struct agent agent;
	const char *args[] = {"--plugins", "ebpf", "--interval", "1", NULL};
	int rc = agent_start(&agent, args) == 0 ? 0 : -EIO;
	int fd = rc == 0 ? agent_wire_connect(agent.socket) : -1;
	for (int i = 0; rc == 0 && i < TREES; i++) {
		char req[96];
		snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"begin\",\"sources\":[\"ebpf\"],\"pid\":%d}", (int)roots[i]);
		json_t *a = agent_wire_call(fd, req, 10000, &rc);
		if (rc == 0 && !json_is_true(json_object_get(a, "ok")))
			rc = -EPROTO;
		json_decref(a);
	}
	if (rc == 0)
		rc = host_run(h, n, cpu, c);
	else
		fprintf(stderr, "energymond: %s %s\n", agent.error, strerror(-rc));
	if (fd >= 0)
		close(fd); /* frees the windows */
	agent_cleanup(&agent);
	return rc;
}

static void min_median(long long *v, int n, double *min, double *med)
{
	double d[MAX_RUNS];
	for (int i = 0; i < n; i++)
		d[i] = (double)v[i];
	*med = bench_percentile(d, (size_t)n, 50);
	*min = d[0];
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int runs = argc > 2 ? atoi(argv[2]) : 7;
	if (n <= 0 || runs <= 0 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: %s [ROUND_TRIPS [RUNS<=%d]]\n", argv[0], MAX_RUNS);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench_switch16: needs root to load BPF programs\n");
		return 77;
	}
	bench_use_build_tree();
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	if (em_config_load_string("{\"energy_agent\": \"off\", \"lithops\": {\"energy_strategy\": \"ebpf\"},"
	                          " \"energy_sampling_interval\": 1}", &cfg, &err) != 0) {
		fprintf(stderr, "bench_switch16: %s\n", err.message);
		return 1;
	}
	struct host h;
	pid_t roots[TREES];
	if (start_host(&h) != 0)
		return 1;
	roots[0] = h.pid;
	for (int i = 1; i < TREES; i++)
		roots[i] = sleeper();
	int cpu = last_allowed_cpu();
	static long long cpu_ns[MODES][MAX_RUNS];
	for (int r = 0; r < runs; r++) {
		struct pingpong_cost c[MODES];
		int rc = host_run(&h, n, cpu, &c[BASE]);
		if (rc == 0)
			rc = run_empty(&h, n, cpu, &c[EMPTY]);
		if (rc == 0)
			rc = run_separate(cfg, roots, &h, n, cpu, &c[SEPARATE]);
		if (rc == 0)
			rc = run_continuous(cfg, roots, &h, n, cpu, &c[CONTINUOUS]);
		if (rc == 0)
			rc = run_agent(roots, &h, n, cpu, &c[AGENT]);
		if (rc != 0) {
			fprintf(stderr, "bench_switch16: run %d failed: %s\n", r, strerror(rc < 0 ? -rc : rc));
			return 1;
		}
		for (int m = 0; m < MODES; m++)
			cpu_ns[m][r] = c[m].cpu_ns;
	}
	double per_switch = 1.0 / (2.0 * (double)n), min[MODES], med[MODES];
	for (int m = 0; m < MODES; m++)
		min_median(cpu_ns[m], runs, &min[m], &med[m]);
	bench_print_load();
	printf("workload: %ld round trips (%ld context switches) on CPU %d in tree 1 of %d, %d runs of each way\n",
	       n, 2 * n, cpu, TREES, runs);
	printf("%-36s %14s %14s %10s\n", "ns per context switch (players' CPU)", "min", "median", "/ empty");
	printf("%-36s %14.1f %14.1f\n", "without BPF (total)", min[BASE] * per_switch, med[BASE] * per_switch);
	double empty = min[EMPTY] - min[BASE];
	for (int m = EMPTY; m < MODES; m++) {
		double added = min[m] - min[BASE];
		printf("%-36s %+14.1f %+14.1f %10.2f\n", mode_name[m], added * per_switch,
		       (med[m] - med[BASE]) * per_switch, empty > 0 ? added / empty : 0.0);
	}
	double sep = min[SEPARATE] - min[BASE];
	printf("16 in-process monitors / energymond: %.2f; / 1 continuous monitor: %.2f (min, added cost)\n",
	       sep / (min[AGENT] - min[BASE]), sep / (min[CONTINUOUS] - min[BASE]));
	fflush(stdout);
	/* the sleepers hold copies of the host's command pipe: they go first */
	for (int i = 1; i < TREES; i++)
		kill(roots[i], SIGKILL), waitpid(roots[i], NULL, 0);
	close(h.cmd);
	close(h.result);
	waitpid(h.pid, NULL, 0);
	em_config_free(cfg);
	return 0;
}
