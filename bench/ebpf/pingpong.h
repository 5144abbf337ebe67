/*
 * pingpong.h — a context-switch-heavy workload: two processes pinned to one
 * CPU pass a byte back and forth over two pipes. Each round trip is two
 * context switches on that CPU.
 */
#ifndef EBPF_BENCH_PINGPONG_H
#define EBPF_BENCH_PINGPONG_H

/* Run `round_trips` round trips on `cpu`; returns the wall time in
 * nanoseconds from the start signal to both processes' exit, or -errno. */
long long pingpong_run(long round_trips, int cpu);

#endif
