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

/* roots.c: the followed roots, their per-root counter slots and nesting. */
#define EBPF_MAX_ROOTS 4096                 /* CPUTIME_MAX_ROOTS */
#define EBPF_SLOTS (2 * EBPF_MAX_ROOTS + 1) /* CPUTIME_SLOTS */
struct ebpf_roots {
	size_t n;
	pid_t pid[EBPF_MAX_ROOTS];       /* each once */
	uint32_t slot[EBPF_MAX_ROOTS];   /* its counter in slot_ns, >= 1 */
	int outer[EBPF_MAX_ROOTS];       /* index of the nearest root it is nested in, or -1 */
	uint64_t own_ns[EBPF_MAX_ROOTS]; /* its slot's time: its tasks but those of nested roots */
	uint64_t tree_ns[EBPF_MAX_ROOTS]; /* own_ns plus its nested roots' (roots_sum) */
	pid_t slot_pid[EBPF_SLOTS];      /* the root holding each slot, 0: free */
	/* its start time (/proc/PID/stat field 22) when first followed, 0:
	 * unknown; and whether it has exited (or its pid names another
	 * process now): kept, with its slot and counter, but never seeded */
	unsigned long long started[EBPF_MAX_ROOTS];
	unsigned char dead[EBPF_MAX_ROOTS];
};
struct ebpf_roots *roots_new(void);
/* The index of root `pid` in r->pid, or -1: not followed. */
int roots_index(const struct ebpf_roots *r, pid_t pid);
/* Replace the set by pids (n <= EBPF_MAX_ROOTS): staying roots keep their
 * slots (and their nesting, while the outer root stays); the slots given
 * to new roots are listed in fresh (room for n), for the caller to zero
 * before any task carries them. A staying root that has exited, or whose
 * pid now names a process started later, is marked dead. */
int roots_replace(struct ebpf_roots *r, const pid_t *pids, size_t n, int follow_children, uint32_t *fresh,
		  size_t *nfresh, char *why, size_t len);
/* tree_ns from own_ns and the nesting. */
void roots_sum(struct ebpf_roots *r);

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
/* The roots followed now and, as of the last monitor_read, each one's
 * tree time in ns (nested followed roots included). */
const struct ebpf_roots *monitor_roots(const struct ebpf_monitor *m);
/* tasks marked by the last seeding (start or set_roots) */
uint64_t monitor_seeded_tasks(const struct ebpf_monitor *m);
void monitor_close(struct ebpf_monitor *m);

/* One instance of the plugin (ebpf_plugin.c). */
struct ebpf_inst {
	const struct energy_host *host;
	struct ebpf_monitor *mon;
	pid_t target;     /* the first root (host->target_pid), for messages; 0: none */
	size_t ntargets;  /* roots followed now: 0 or 1 from create(), any after set_targets */
	int started, stopped, have_final;
	struct ebpf_totals final;
	struct ebpf_counters counters;
	char counters_status[ENERGY_REASON_MAX];
	/* the tree's CPU time as a declared metric (energymon's own
	 * "cpu_time", ABI 1.1 hosts), PER_TARGET on a 1.2 host; -1: a 1.0
	 * reading */
	int tree_metric;
	int per_target;   /* the host is 1.2: each root's own time through emit_target */
};

/* readings.c: ENERGY_HOST_TARGETS_LATER is set (on a host that has flags);
 * declare the tree's metric (create()); emit one reading of every total
 * and, on a 1.2 host, each root's own tree time. */
int ebpf_targets_later(const struct energy_host *host);
void ebpf_declare(struct ebpf_inst *in);
void ebpf_emit(struct ebpf_inst *in, const struct ebpf_totals *t);

/* cpu_visit.c: make every CPU this process may use switch tasks once. */
int cpu_visit_all(char *why, size_t len);

/* privileges.c: what probe() and create() check. */
int ebpf_check_privileges(char *why, size_t len);
int ebpf_check_btf(char *why, size_t len);
int ebpf_check_pid_namespace(char *why, size_t len);

#endif
