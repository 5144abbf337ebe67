/*
 * bench_agent.h — what the agent's benchmarks share: percentiles of a set
 * of samples, a monotonic clock, and where the agent and the test plugins
 * of this build are (compiled in by meson).
 */
#ifndef BENCH_AGENT_H
#define BENCH_AGENT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The p-th percentile (0..100, nearest rank) of v[0..n); sorts v. */
static inline double bench_percentile(double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_double);
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/* The machine's load average, printed with the numbers: a benchmark run
 * beside other work measures that work too. */
static inline void bench_print_load(void)
{
	char line[128] = "";
	FILE *f = fopen("/proc/loadavg", "r");
	double one, five, fifteen;
	if (f && fgets(line, sizeof(line), f) && sscanf(line, "%lf %lf %lf", &one, &five, &fifteen) == 3)
		printf("load average (1, 5, 15 min): %.2f %.2f %.2f on %ld CPUs\n", one, five, fifteen,
		       sysconf(_SC_NPROCESSORS_ONLN));
	if (f)
		fclose(f);
}

/* This build's agent, plugins and simulated BMC, unless the environment
 * names others: $ENERGYMOND (what test_agent_fixture.h's agent_start()
 * runs), ENERGYMON_SOURCE_ROOT and ENERGYMON_BUILD_ROOT (where
 * simbmc_client finds simbmc.sh and its module). The plugin path is always
 * this build's: the test plugins and the real ones. */
static inline void bench_use_build_tree(void)
{
	setenv("ENERGYMOND", ENERGYMOND_PATH, 0);
	setenv("ENERGYMON_SOURCE_ROOT", BENCH_SOURCE_ROOT, 0);
	setenv("ENERGYMON_BUILD_ROOT", BENCH_BUILD_ROOT, 0);
	setenv("ENERGYMON_PLUGIN_PATH", BENCH_PLUGIN_PATH, 1);
}

#endif
