/*
 * bench_ipmi.c — CPU time and latency per power reading against the
 * simulated BMC, side by side in one run: the seed's ipmitool-per-reading
 * method, a bare reused FreeIPMI session (the floor), and the ipmi plugin.
 *
 * usage: bench_ipmi [PLUGIN.so] [READINGS] [SEED_READINGS]
 * Needs ENERGYMON_SOURCE_ROOT / ENERGYMON_BUILD_ROOT (meson sets them for
 * `meson test --benchmark --suite ipmi`). Exit 77 when no BMC can run here;
 * exit 1 when a target is missed: at least 200 times less CPU per reading
 * than the seed's method, and at least 1000 readings per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_ipmi.h"

#define TARGET_CPU_RATIO 200.0
#define TARGET_RATE_HZ 1000.0

double bench_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_cpu_self_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void bench_percentiles(double *lat, size_t n, struct bench_result *out)
{
	if (n == 0)
		return;
	qsort(lat, n, sizeof(*lat), by_value);
	out->median_us = lat[n / 2];
	out->p99_us = lat[(size_t)((double)(n - 1) * 0.99)];
}

static double cpu_us(const struct bench_result *r)
{
	return r->readings ? r->cpu_s / (double)r->readings * 1e6 : 0;
}

static void print_row(const struct bench_result *r)
{
	printf("%-40s %8zu %6zu %12.1f %12.1f %10.1f %10.1f %10.0f\n", r->label, r->readings, r->failures,
	       cpu_us(r), r->readings ? r->wall_s / (double)r->readings * 1e6 : 0, r->median_us, r->p99_us,
	       r->wall_s > 0 ? (double)r->readings / r->wall_s : 0);
}

int main(int argc, char **argv)
{
	const char *so = argc > 1 ? argv[1] : "ipmi";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
	size_t seed_n = argc > 3 ? strtoul(argv[3], NULL, 10) : 50;
	char why[512];
	if (simbmc_available(why, sizeof(why)) != 0) {
		printf("SKIP: no simulated BMC here: %s\n", why);
		return 77;
	}
	struct simbmc bmc;
	struct simbmc_options opts = {0};
	memset(&bmc, 0, sizeof(bmc));
	if (simbmc_start(&bmc, &opts) != 0) {
		fprintf(stderr, "bench: cannot start the simulated BMC: %s\n", bmc.error);
		simbmc_cleanup(&bmc);
		return 1;
	}
	struct bench_result seed, bare, plugin, plugin_sensors, paced;
	int rc = bench_seed_ipmitool(&bmc, seed_n, &seed);
	rc |= bench_bare_freeipmi(&bmc, n, &bare);
	rc |= bench_plugin(&bmc, so, n, 0, &plugin);
	rc |= bench_plugin(&bmc, so, n, 1, &plugin_sensors);
	rc |= bench_plugin_paced(&bmc, so, TARGET_RATE_HZ, 5.0, &paced);
	simbmc_cleanup(&bmc);

	printf("\nDCMI power readings against the simulated BMC (ipmi_sim on 127.0.0.1, lanplus, cipher suite 3)\n");
	printf("%-40s %8s %6s %12s %12s %10s %10s %10s\n", "method", "readings", "failed", "CPU us/read",
	       "wall us/read", "median us", "p99 us", "reads/s");
	print_row(&seed);
	print_row(&bare);
	print_row(&plugin);
	print_row(&plugin_sensors);
	print_row(&paced);
	if (rc || cpu_us(&plugin) <= 0) {
		fprintf(stderr, "bench: a method failed; see above\n");
		return 1;
	}
	double ratio = cpu_us(&seed) / cpu_us(&plugin);
	double ratio_sensors = cpu_us(&seed) / cpu_us(&plugin_sensors);
	double rate = (double)plugin.readings / plugin.wall_s;
	printf("\nCPU per reading, seed / plugin: %.0fx (with sensors: %.0fx); target >= %.0fx: %s\n", ratio,
	       ratio_sensors, TARGET_CPU_RATIO, ratio >= TARGET_CPU_RATIO ? "met" : "MISSED");
	printf("CPU per reading paced at %.0f Hz, seed / plugin: %.0fx: %s\n", TARGET_RATE_HZ,
	       cpu_us(&seed) / cpu_us(&paced), cpu_us(&seed) / cpu_us(&paced) >= TARGET_CPU_RATIO ? "met" : "MISSED");
	printf("plugin's own CPU per reading above the bare FreeIPMI loop: %.1f us\n", cpu_us(&plugin) - cpu_us(&bare));
	printf("plugin back to back: %.0f readings/s; target >= %.0f: %s\n", rate, TARGET_RATE_HZ,
	       rate >= TARGET_RATE_HZ ? "met" : "MISSED");
	double paced_rate = (double)paced.readings / paced.wall_s;
	int paced_ok = paced.failures == 0 && paced_rate >= 0.99 * TARGET_RATE_HZ &&
		       cpu_us(&seed) / cpu_us(&paced) >= TARGET_CPU_RATIO;
	printf("plugin paced at %.0f Hz for %.1f s: %.1f readings/s, %zu failed, %zu deadlines missed, "
	       "%.1f%% of one CPU: %s\n", TARGET_RATE_HZ, paced.wall_s, paced_rate, paced.failures,
	       paced.missed_deadlines, 100.0 * paced.cpu_s / paced.wall_s, paced_ok ? "met" : "MISSED");
	return ratio >= TARGET_CPU_RATIO && rate >= TARGET_RATE_HZ && paced_ok ? 0 : 1;
}
