/*
 * pingpong.h — a context-switch-heavy workload: two processes pinned to one
 * CPU pass a byte back and forth over two pipes. Each round trip is two
 * context switches on that CPU.
 */
#ifndef EBPF_BENCH_PINGPONG_H
#define EBPF_BENCH_PINGPONG_H

struct pingpong_cost {
	long long wall_ns; /* from the start signal to both processes' exit */
	long long cpu_ns;  /* user + system time of both processes: the switch
			    * handlers run in their context, and unlike wall
			    * time it does not grow while other work has the CPU */
};

/* Run `round_trips` round trips on `cpu`. Returns 0 or -errno. */
int pingpong_run(long round_trips, int cpu, struct pingpong_cost *cost);

#endif
