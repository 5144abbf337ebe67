/*
 * ebpf_internal.h — the pieces of the ebpf plugin, between its files.
 * Every function returns 0 or a negative errno and, on failure, writes a
 * reason a user can act on into `why`.
 */
#ifndef EBPF_INTERNAL_H
#define EBPF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "energy_plugin.h"

#define EBPF_MAX_COUNTERS 2

/* Sums over all CPUs, charged up to the moment of the reading. */
struct ebpf_totals {
	uint64_t busy_ns;       /* non-idle time of all CPUs */
	uint64_t idle_ns;       /* idle time of all CPUs */
	uint64_t tree_ns;       /* on-CPU time of the process tree */
	uint64_t tree_switches; /* switches away from a task of the tree */
	uint64_t unseen;        /* switches the program was not shown (see cputime.bpf.c) */
	uint64_t counts[EBPF_MAX_COUNTERS]; /* perf counters' counts in the tree's slices */
	int multiplexed;        /* a counter did not run all the time (PMU shared) */
	unsigned cpus;          /* CPUs that contributed */
	int64_t mono_ns;        /* CLOCK_MONOTONIC of the reading */
	int64_t wall_ns;        /* CLOCK_REALTIME of the reading */
};

/* Perf events open on every online CPU, one array of fds per event. */
struct ebpf_counters {
	unsigned n;
	char name[EBPF_MAX_COUNTERS][16];
	int *fds[EBPF_MAX_COUNTERS]; /* per possible CPU; -1: offline */
	int ncpus;
};

/* counters.c: check names ("cycles", "instructions", "cpu-clock"); open
 * them on every online CPU (on failure: why starts with "unavailable: "
 * and nothing stays open); close. */
int counters_check_names(const char *const *names, size_t n, char *why, size_t len);
int counters_open(struct ebpf_counters *c, const char *const *names, size_t n, int ncpus, char *why,
		  size_t len);
void counters_close(struct ebpf_counters *c);
/* counters_open on all possible CPUs, with the outcome as a sentence for
 * the result in `status`: "counted per process tree: ..." or the reason. */
int counters_open_described(struct ebpf_counters *c, const char *const *names, size_t n, char *status,
			    size_t len);

struct ebpf_monitor;

/* monitor.c: the BPF side's lifecycle. open loads the programs (create),
 * set_roots names the trees' roots (before start, or at any time after:
 * then the tasks are marked again and every CPU made to switch, so the new
 * set counts from its return), start marks the trees and attaches (start),
 * read takes a reading, stop detaches, close frees. */
int monitor_open(struct ebpf_monitor **out, const struct energy_host *host, int follow_children,
		 const struct ebpf_counters *counters, char *why, size_t len);
int monitor_set_roots(struct ebpf_monitor *m, const pid_t *pids, size_t n, char *why, size_t len);
int monitor_start(struct ebpf_monitor *m, char *why, size_t len);
int monitor_read(struct ebpf_monitor *m, struct ebpf_totals *out, char *why, size_t len);
void monitor_stop(struct ebpf_monitor *m);
uint64_t monitor_missed_forks(const struct ebpf_monitor *m);
/* tasks marked by the last seeding (start or set_roots) */
uint64_t monitor_seeded_tasks(const struct ebpf_monitor *m);
void monitor_close(struct ebpf_monitor *m);

/* cpu_visit.c: make every CPU this process may use switch tasks once. */
int cpu_visit_all(char *why, size_t len);

/* privileges.c: what probe() and create() check. */
int ebpf_check_privileges(char *why, size_t len);
int ebpf_check_btf(char *why, size_t len);
int ebpf_check_pid_namespace(char *why, size_t len);

#endif
