/*
 * What a live snapshot (em_monitor_live, what every Prometheus scrape
 * takes) costs for a fleet: SOURCES ipmi-like sources of SERIES series each
 * (one DCMI power series, the rest named sensors), with their locks, built
 * by hand on a started monitor. Against two baselines in the same run, on
 * the same bytes the snapshot holds:
 *  - memcpy into a block allocated once (the floor: copying the bytes);
 *  - malloc + memcpy + free of such a block each time (what any snapshot
 *    that hands the caller its own memory pays at least).
 * Prints ns per snapshot, ns per series and the ratios (best of RUNS runs,
 * in this thread's CPU time: the 2-core VM is shared, and wall time would
 * time the neighbours).
 * Usage: bench_live [SOURCES [SERIES]]
 */
#include "../../core/internal.h"
#include "../../core/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 5
#define T0_NS (1700000000LL * 1000000000LL)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const sensors[] = {"CPU Temp", "System Temp", "CPU Vcore", "12V Rail", "PSU1 Current",
                                      "Fan 1 Speed", "Fan 2 Speed"};
static const uint32_t quantities[] = {ENERGY_Q_TEMPERATURE_C, ENERGY_Q_TEMPERATURE_C, ENERGY_Q_VOLTAGE_V,
                                      ENERGY_Q_VOLTAGE_V, ENERGY_Q_CURRENT_A, ENERGY_Q_FAN_RPM,
                                      ENERGY_Q_FAN_RPM};

static void fill_series(struct em_series *s, size_t which)
{
	for (long i = 0; i < 3; i++) {
		struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
		                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "dcmi", .value = 180.0 + (double)i,
		                           .mono_ns = 1000000 + i * 1000000000LL};
		if (which) {
			size_t k = (which - 1) % (sizeof(sensors) / sizeof(sensors[0]));
			r.quantity = quantities[k];
			r.scope = ENERGY_SCOPE_SENSOR;
			snprintf(r.sensor, sizeof(r.sensor), "%s%s%zu", sensors[k], which > 7 ? " " : "",
			         which > 7 ? which : (size_t)0);
		}
		r.wall_ns = r.mono_ns + T0_NS;
		if (i == 0)
			em_series_init(s, &r);
		em_series_add(s, &r, 0);
	}
}

static struct em_source *make_source(struct em_monitor *mon, size_t i, size_t nseries)
{
	struct em_source *src = em_source_new(mon);
	if (!src || em_sampler_init(src))
		return NULL;
	snprintf(src->instance_name, sizeof(src->instance_name), "bmc%04zu", i);
	snprintf(src->name, sizeof(src->name), "ipmi:%s", src->instance_name);
	snprintf(src->plugin, sizeof(src->plugin), "ipmi");
	src->available = src->started = src->last_ok = true;
	src->start_wall = src->last_try_wall = src->last_ok_wall = T0_NS;
	src->interval_s = 1;
	src->samples = 100;
	src->series = calloc(nseries, sizeof(*src->series));
	if (!src->series)
		return NULL;
	for (size_t k = 0; k < nseries; k++)
		fill_series(&src->series[src->nseries++], k);
	return src;
}

int main(int argc, char **argv)
{
	size_t nsrc = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	size_t nser = argc > 2 ? strtoul(argv[2], NULL, 10) : 12;
	if (!nsrc || !nser)
		return 2;
	struct em_config cfg = {.interval_s = 1, .max_series = nser};
	struct em_monitor mon = {.cfg = &cfg, .nsources = nsrc, .started = true};
	mon.sources = calloc(nsrc, sizeof(*mon.sources));
	for (size_t i = 0; mon.sources && i < nsrc; i++)
		if (!(mon.sources[i] = make_source(&mon, i, nser)))
			return 1;
	struct em_live *live = NULL;
	struct em_error err = {0};
	if (!mon.sources || em_monitor_live(&mon, &live, &err)) {
		fprintf(stderr, "bench_live: %s\n", err.message);
		return 1;
	}
	size_t bytes = em_live_pool_at(live) + live->pool_used;
	size_t series = live->nseries;
	em_live_free(live);
	size_t iter = 200000000 / (bytes + 1) + 10;
	char *from = malloc(bytes), *to = malloc(bytes);
	if (!from || !to)
		return 1;
	memset(from, 1, bytes);
	memset(to, 0, bytes);
	double best_live = 1e9, best_copy = 1e9, best_alloc = 1e9;
	for (int run = 0; run < RUNS; run++) {
		double t0 = now_s();
		for (size_t i = 0; i < iter; i++) {
			if (em_monitor_live(&mon, &live, NULL))
				return 1;
			em_live_free(live);
		}
		double t1 = now_s();
		for (size_t i = 0; i < iter; i++) {
			from[i % bytes]++;
			memcpy(to, from, bytes);
			__asm__ volatile("" : : "r"(to) : "memory");
		}
		double t2 = now_s();
		for (size_t i = 0; i < iter; i++) {
			char *block = malloc(bytes);
			if (!block)
				return 1;
			memcpy(block, from, bytes);
			__asm__ volatile("" : : "r"(block) : "memory");
			free(block);
		}
		double t3 = now_s();
		best_live = t1 - t0 < best_live ? t1 - t0 : best_live;
		best_copy = t2 - t1 < best_copy ? t2 - t1 : best_copy;
		best_alloc = t3 - t2 < best_alloc ? t3 - t2 : best_alloc;
	}
	double ns_live = 1e9 * best_live / (double)iter, ns_copy = 1e9 * best_copy / (double)iter,
	       ns_alloc = 1e9 * best_alloc / (double)iter;
	printf("live snapshot, %zu sources x %zu series (%zu series, %zu bytes): best of %d x %zu\n", nsrc, nser,
	       series, bytes, RUNS, iter);
	printf("  em_monitor_live + em_live_free   %10.0f ns/snapshot %7.1f ns/series\n", ns_live,
	       ns_live / (double)series);
	printf("  baseline memcpy (same bytes)     %10.0f ns/snapshot %7.1f ns/series  (live / memcpy %.1fx)\n",
	       ns_copy, ns_copy / (double)series, ns_live / ns_copy);
	printf("  baseline malloc+memcpy+free      %10.0f ns/snapshot %7.1f ns/series  (live / that %.1fx)\n",
	       ns_alloc, ns_alloc / (double)series, ns_live / ns_alloc);
	for (size_t i = 0; i < nsrc; i++)
		em_source_free(mon.sources[i]);
	free(mon.sources);
	free(from);
	free(to);
	return 0;
}
