/*
 * bench_ipmi.h — what one way of taking power readings cost, per reading.
 */
#ifndef BENCH_IPMI_H
#define BENCH_IPMI_H

#include <stddef.h>

#include "simbmc_client.h"

struct bench_result {
	const char *label;
	size_t readings;     /* successful readings */
	size_t failures;
	double cpu_s;        /* CPU time, user + system, of the process(es) doing the reading */
	double wall_s;       /* elapsed, for all readings back to back */
	double median_us;    /* latency of one reading */
	double p99_us;
	size_t missed_deadlines; /* paced runs: readings that ended after the next one was due */
};

/* The seed's method: one `ipmitool -I lanplus -C 3 ... dcmi power reading`
 * process per reading, password from a file (-f), CPU from RUSAGE_CHILDREN. */
int bench_seed_ipmitool(const struct simbmc *bmc, size_t n, struct bench_result *out);

/* One FreeIPMI lanplus session reused for `n` DCMI readings, nothing else. */
int bench_bare_freeipmi(const struct simbmc *bmc, size_t n, struct bench_result *out);

/* The ipmi plugin's sample() through the recording harness. */
int bench_plugin(const struct simbmc *bmc, const char *so_path, size_t n, int sensors, struct bench_result *out);

/* The plugin paced at `hz` on absolute deadlines for `seconds`, power only:
 * each reading then starts with cold caches after a sleep, as in real use. */
int bench_plugin_paced(const struct simbmc *bmc, const char *so_path, double hz, double seconds,
		       struct bench_result *out);

double bench_cpu_self_s(void);
double bench_mono_s(void);
/* Sort `lat` (n microsecond values) and fill the median and p99 of `out`. */
void bench_percentiles(double *lat, size_t n, struct bench_result *out);

#endif
