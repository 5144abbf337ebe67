/*
 * What the host adds per reading: em_series_add (trapezoid integral, wrap
 * handling, Welford statistics, bounded point list) against the baseline of
 * appending the raw reading to an array, the cheapest recorder there is (and
 * one that grows without bound). Prints ns per reading and the ratio.
 * Usage: bench_series [READINGS]
 */
#include "../../core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bmc_like; /* which stream: a setting of the benchmark, not of the library */

/* Plain: a new value every 0.1 s, no ABI 1.3 fields (a run per reading,
 * each bounded at once). BMC-like: sampled every 0.1 s, refreshed every
 * second (lag 1.1 s: ~11 readings wait for their look-ahead), 1 W
 * resolution, the DCMI maximum rising on every 7th refresh. */
static struct energy_reading reading(long i)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "dcmi"};
	r.mono_ns = 1000000 + i * 100000000LL;
	r.wall_ns = r.mono_ns + 1700000000LL * 1000000000LL;
	if (!bmc_like) {
		r.value = 100.0 + (double)(i % 50);
		return r;
	}
	long refresh = i / 10;
	r.value = 100.0 + (double)(refresh % 50);
	r.resolution = 1;
	r.lag_s = 1.1;
	if (refresh % 7 == 0 && i % 10 == 0) {
		r.flags = ENERGY_READING_RANGE;
		r.range_low = r.value;
		r.range_high = r.value + 80;
		r.range_s = 1.1;
	}
	return r;
}

static void measure(long n, struct energy_reading *all)
{
	double best_base = 1e9, best_series = 1e9, checksum = 0;
	for (int run = 0; run < 5; run++) {
		double t0 = now_s();
		for (long i = 0; i < n; i++)
			all[i] = reading(i);
		double t1 = now_s();
		checksum += all[n - 1].value;
		struct energy_reading first = reading(0);
		struct em_series s;
		em_series_init(&s, &first);
		double t2 = now_s();
		for (long i = 0; i < n; i++) {
			struct energy_reading r = reading(i);
			em_series_add(&s, &r, 0);
		}
		double t3 = now_s();
		checksum += s.total;
		em_series_free(&s);
		if (t1 - t0 < best_base)
			best_base = t1 - t0;
		if (t3 - t2 < best_series)
			best_series = t3 - t2;
	}
	double base_ns = best_base / (double)n * 1e9, series_ns = best_series / (double)n * 1e9;
	printf("%s readings, %ld per run (best of 5 runs; checksum %.0f)\n",
	       bmc_like ? "BMC-like (1 s refresh, lag, resolution, ranges)" : "plain (a new value each)", n,
	       checksum);
	printf("baseline: append the raw reading to an array   %8.2f ns/reading (memory grows with the run)\n",
	       base_ns);
	printf("host: em_series_add (integral, stats, points)  %8.2f ns/reading (memory bounded)\n", series_ns);
	printf("ratio host / baseline: %.2f\n", series_ns / base_ns);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	struct energy_reading *all = n > 0 ? malloc((size_t)n * sizeof(*all)) : NULL;
	if (!all)
		return 1;
	for (bmc_like = 0; bmc_like < 2; bmc_like++)
		measure(n, all);
	free(all);
	return 0;
}
