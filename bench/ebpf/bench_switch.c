/*
 * bench_switch.c — what the ebpf plugin costs per context switch.
 *
 * The same ping-pong workload (pingpong.c) runs three ways, interleaved so
 * that drift of the machine hits all three alike: without BPF, with an empty
 * tp_btf/sched_switch program (the floor of the attach mechanism), and with
 * the plugin following the ping-pong processes as its tree (so every switch
 * takes the plugin's tracked path). It prints the nanoseconds each adds per
 * context switch, from the median of the runs. Target: the plugin adds at
 * most twice what the empty program adds.
 *
 *   bench_switch [ROUND_TRIPS [RUNS]]   (root; defaults 200000 and 5)
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

static long long run_empty(long n, int cpu)
{
	struct empty_bpf *skel = empty_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "empty program: load failed: %s\n", strerror(errno));
		return -1;
	}
	long long ns = -1;
	if (empty_bpf__attach(skel) != 0)
		fprintf(stderr, "empty program: attach failed: %s\n", strerror(errno));
	else
		ns = pingpong_run(n, cpu);
	empty_bpf__destroy(skel);
	return ns;
}

/* The plugin follows this process's tree: the two players are its children. */
static long long run_plugin(long n, int cpu, double *switches)
{
	struct harness h;
	long long ns = -1;
	if (harness_load(&h, EBPF_PLUGIN_SO) != 0) {
		fprintf(stderr, "plugin: %s\n", h.error);
		return -1;
	}
	harness_set_target(&h, getpid(), 1.0);
	if (harness_create(&h) != 0 || h.plugin->start(h.instance) != 0) {
		fprintf(stderr, "plugin: %s\n", h.error);
		goto cleanup;
	}
	ns = pingpong_run(n, cpu);
	if (h.plugin->stop(h.instance) != 0 || h.plugin->get_data(h.instance) != 0) {
		fprintf(stderr, "plugin: %s\n", h.error);
		ns = -1;
		goto cleanup;
	}
	const struct energy_reading *r = harness_last(&h, "context_switches", ENERGY_Q_COUNT);
	*switches = r ? r->value : -1;
cleanup:
	harness_close(&h);
	return ns;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static long long median(long long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	if (n <= 0 || runs <= 0 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: %s [ROUND_TRIPS [RUNS<=%d]]\n", argv[0], MAX_RUNS);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench_switch: needs root to load BPF programs\n");
		return 77;
	}
	int cpu = last_allowed_cpu();
	long long base[MAX_RUNS], empty[MAX_RUNS], plugin[MAX_RUNS];
	double switches = 0;
	for (int r = 0; r < runs; r++) {
		base[r] = pingpong_run(n, cpu);
		empty[r] = run_empty(n, cpu);
		plugin[r] = run_plugin(n, cpu, &switches);
		if (base[r] < 0 || empty[r] < 0 || plugin[r] < 0) {
			fprintf(stderr, "bench_switch: run %d failed\n", r);
			return 1;
		}
	}
	double per_switch = 1.0 / (2.0 * (double)n);
	double b = (double)median(base, runs), e = (double)median(empty, runs), p = (double)median(plugin, runs);
	double add_empty = (e - b) * per_switch, add_plugin = (p - b) * per_switch;
	printf("workload: %ld round trips (%ld context switches) on CPU %d, median of %d runs each\n",
	       n, 2 * n, cpu, runs);
	printf("without BPF:          %.0f ns per round trip\n", b / (double)n);
	printf("empty tp_btf program: +%.1f ns per context switch\n", add_empty);
	printf("ebpf plugin:          +%.1f ns per context switch\n", add_plugin);
	if (add_empty > 0)
		printf("plugin / empty:       %.2f (target <= 2.00): %s\n", add_plugin / add_empty,
		       add_plugin <= 2 * add_empty ? "met" : "NOT met");
	printf("plugin counted %.0f switches away from the tree in its last run (expected about %ld)\n",
	       switches, 2 * n);
	return 0;
}
