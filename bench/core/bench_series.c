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

static struct energy_reading reading(long i)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "dcmi"};
	r.value = 100.0 + (double)(i % 50);
	r.mono_ns = 1000000 + i * 100000000LL;
	r.wall_ns = r.mono_ns + 1700000000LL * 1000000000LL;
	return r;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	struct energy_reading *all = malloc((size_t)n * sizeof(*all));
	if (!all)
		return 1;
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
	printf("readings per run: %ld (best of 5 runs; checksum %.0f)\n", n, checksum);
	printf("baseline: append the raw reading to an array   %8.2f ns/reading (memory grows with the run)\n",
	       base_ns);
	printf("host: em_series_add (integral, stats, points)  %8.2f ns/reading (memory bounded)\n", series_ns);
	printf("ratio host / baseline: %.2f\n", series_ns / base_ns);
	free(all);
	return 0;
}
