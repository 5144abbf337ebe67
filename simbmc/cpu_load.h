/*
 * cpu_load.h — the host's CPU busy fraction over roughly the last half second,
 * from /proc/stat. Used only by the demo power model (cpu=IDLE,PEAK), so that
 * the simulated power visibly follows a workload.
 */
#ifndef SIMBMC_CPU_LOAD_H
#define SIMBMC_CPU_LOAD_H

#include <stdint.h>

#define CPU_LOAD_RING 8

struct cpu_sample {
	double at;        /* monotonic seconds */
	uint64_t busy;    /* jiffies not idle nor iowait, all CPUs */
	uint64_t total;   /* all jiffies, all CPUs */
};

struct cpu_load {
	char stat_path[256];
	struct cpu_sample ring[CPU_LOAD_RING];
	unsigned next;    /* slot the next sample goes to */
	unsigned count;   /* valid samples, <= CPU_LOAD_RING */
};

/* stat_path NULL means /proc/stat (tests may pass a file of their own). */
void cpu_load_init(struct cpu_load *c, const char *stat_path);

/* Record a sample now (call periodically, e.g. every 100 ms).
 * Returns 0 or -errno. */
int cpu_load_tick(struct cpu_load *c);

/* Busy fraction in [0, 1] between now and the newest recorded sample at least
 * window_s old (or the oldest one if none is that old). Returns 0 and sets
 * *fraction, or -EAGAIN when there is no earlier sample or no time has
 * passed since it, or -errno. */
int cpu_load_fraction(struct cpu_load *c, double window_s, double *fraction);

#endif
