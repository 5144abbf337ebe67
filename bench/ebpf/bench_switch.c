/*
 * bench_switch.c — what the ebpf plugin costs per context switch.
 *
 * The same ping-pong workload (pingpong.c) runs three ways, interleaved so
 * that drift of the machine hits all three alike: without BPF, with an empty
 * tp_btf/sched_switch program (the floor of the attach mechanism), and with
 * the plugin following the ping-pong processes as its tree (so every switch
 * takes the plugin's tracked path). It prints the nanoseconds each adds per
 * context switch, from the CPU time of the two processes (the handlers run
 * in their context) and from wall time, as the minimum and the median over
 * the runs: other work on the machine only ever adds, so the minimum is the
 * least disturbed. Target: the plugin adds at most twice what the empty
 * program adds.
 *
 *   bench_switch [ROUND_TRIPS [RUNS]]   (root; defaults 200000 and 7)
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "empty.skel.h"
#include "pingpong.h"
#include "plugin_harness.h"

#define MAX_RUNS 50

enum { BASE, EMPTY, PLUGIN, MODES };
static const char *const mode_name[MODES] = { "without BPF", "empty tp_btf program", "ebpf plugin" };

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

static int run_empty(long n, int cpu, struct pingpong_cost *cost)
{
	struct empty_bpf *skel = empty_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "empty program: load failed: %s\n", strerror(errno));
		return -1;
	}
	int rc = empty_bpf__attach(skel);
	if (rc != 0)
		fprintf(stderr, "empty program: attach failed: %s\n", strerror(-rc));
	else
		rc = pingpong_run(n, cpu, cost);
	empty_bpf__destroy(skel);
	return rc;
}

/* The plugin follows this process's tree: the two players are its children. */
static int run_plugin(long n, int cpu, struct pingpong_cost *cost, double *switches)
{
	struct harness h;
	int rc = harness_load(&h, EBPF_PLUGIN_SO);
	if (rc != 0) {
		fprintf(stderr, "plugin: %s\n", h.error);
		return rc;
	}
	harness_set_target(&h, getpid(), 1.0);
	rc = harness_create(&h);
	if (rc == 0)
		rc = h.plugin->start(h.instance);
	if (rc == 0)
		rc = pingpong_run(n, cpu, cost);
	if (rc == 0)
		rc = h.plugin->stop(h.instance);
	if (rc == 0)
		rc = h.plugin->get_data(h.instance);
	if (rc != 0) {
		fprintf(stderr, "plugin: %d %s\n", rc, h.error);
	} else {
		const struct energy_reading *r = harness_last(&h, "context_switches", ENERGY_Q_COUNT);
		*switches = r ? r->value : -1;
	}
	harness_close(&h);
	return rc;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* sorts v */
static void min_median(long long *v, int n, double *min, double *med)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_ll);
	*min = (double)v[0];
	*med = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
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
		fprintf(stderr, "bench_switch: needs root to load BPF programs\n");
		return 77;
	}
	int cpu = last_allowed_cpu();
	static long long cpu_ns[MODES][MAX_RUNS], wall_ns[MODES][MAX_RUNS];
	double switches = 0;
	for (int r = 0; r < runs; r++) {
		struct pingpong_cost c[MODES];
		int rc = pingpong_run(n, cpu, &c[BASE]);
		if (rc == 0)
			rc = run_empty(n, cpu, &c[EMPTY]);
		if (rc == 0)
			rc = run_plugin(n, cpu, &c[PLUGIN], &switches);
		if (rc != 0) {
			fprintf(stderr, "bench_switch: run %d failed: %s\n", r, strerror(rc < 0 ? -rc : rc));
			return 1;
		}
		for (int m = 0; m < MODES; m++) {
			cpu_ns[m][r] = c[m].cpu_ns;
			wall_ns[m][r] = c[m].wall_ns;
		}
	}
	double per_switch = 1.0 / (2.0 * (double)n);
	double cmin[MODES], cmed[MODES], wmin[MODES], wmed[MODES];
	for (int m = 0; m < MODES; m++) {
		min_median(cpu_ns[m], runs, &cmin[m], &cmed[m]);
		min_median(wall_ns[m], runs, &wmin[m], &wmed[m]);
	}
	printf("workload: %ld round trips (%ld context switches) on CPU %d, %d runs of each way\n", n, 2 * n,
	       cpu, runs);
	printf("%-22s %14s %14s %14s %14s\n", "ns per context switch", "cpu, min", "cpu, median",
	       "wall, min", "wall, median");
	printf("%-22s %14.1f %14.1f %14.1f %14.1f\n", "without BPF (total)", cmin[BASE] * per_switch,
	       cmed[BASE] * per_switch, wmin[BASE] * per_switch, wmed[BASE] * per_switch);
	for (int m = EMPTY; m < MODES; m++)
		printf("%-22s %+14.1f %+14.1f %+14.1f %+14.1f\n", mode_name[m],
		       (cmin[m] - cmin[BASE]) * per_switch, (cmed[m] - cmed[BASE]) * per_switch,
		       (wmin[m] - wmin[BASE]) * per_switch, (wmed[m] - wmed[BASE]) * per_switch);
	double e = cmin[EMPTY] - cmin[BASE], p = cmin[PLUGIN] - cmin[BASE];
	if (e > 0)
		printf("plugin / empty (cpu, min): %.2f (target <= 2.00): %s\n", p / e,
		       p <= 2 * e ? "met" : "NOT met");
	else
		printf("plugin / empty (cpu, min): the empty program added nothing measurable\n");
	printf("the plugin counted %.0f switches away from its tree in the last run (the workload makes %ld)\n",
	       switches, 2 * n);
	return 0;
}
