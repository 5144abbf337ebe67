/*
 * workload.h — processes with a known CPU cost for the ebpf plugin's tests,
 * and the kernel's own accounting to compare the plugin with.
 */
#ifndef EBPF_TEST_WORKLOAD_H
#define EBPF_TEST_WORKLOAD_H

#include <sys/resource.h>
#include <sys/types.h>

/* Spend `cpu_s` seconds of this process's own CPU time, then return. */
void burn_cpu(double cpu_s);
/* The same, counting the calling thread's CPU time only. */
void burn_cpu_thread(double cpu_s);

/* A child that blocks until release() and then runs fn(arg) and exits 0. */
struct waiting_child {
	pid_t pid;
	int go_fd; /* write end of its start pipe */
};
int spawn_waiting(struct waiting_child *c, void (*fn)(void *), void *arg);
void release(struct waiting_child *c);

/* wait4() for `pid`; returns its CPU time (user + system, including the
 * children it waited for) in seconds, or -1. */
double reap_cpu_s(pid_t pid);
/* The kernel's exact on-CPU time of a live process (all its threads),
 * /proc/PID/schedstat; -1 if unreadable. */
double schedstat_cpu_s(pid_t pid);
/* Wait until `pid` has used at least `cpu_s` seconds of CPU (schedstat),
 * checking every 10 ms: a condition, not a fixed sleep. 0 when it has; -1
 * when the process is gone or stopped using CPU short of it (no progress
 * for 10 s). */
int wait_for_cpu_s(pid_t pid, double cpu_s);
/* Wait until `pid` is asleep (state S in /proc/PID/stat), e.g. blocked in
 * pause(). 0, or -1 when it is gone or never sleeps within 10 s. */
int wait_until_asleep(pid_t pid);
/* Exit with 77 and a reason when the plugin cannot load BPF here. */
void skip_unless_bpf_allowed(void);

#endif
