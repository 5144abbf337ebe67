/*
 * What building the result and the files costs at the end of a run: one
 * source with 20 metrics (10 system power sensors, 10 package counters),
 * each at the 4096-point cap, reduced to the composite result and written
 * as the per-call files and summary lines (em_composite_result, then
 * em_monitor_write_files to a temporary directory; no fsync is involved).
 * Prints the best of RUNS in ms. Built from the core files it times, so
 * the same source also builds against an older core for comparison.
 * Usage: bench_result [RUNS]
 */
#include "../../core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define METRICS 20
#define T0_NS (1700000000LL * 1000000000LL)

/* em_now_ns lives in plugin_host.c, which is not compiled in. */
int64_t em_now_ns(int clock_id)
{
	struct timespec ts;
	clock_gettime(clock_id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double now_s(void)
{
	return (double)em_now_ns(CLOCK_MONOTONIC) / 1e9;
}

static void fill_series(struct em_series *s, int which)
{
	bool power = which < METRICS / 2;
	for (long i = 0; i < EM_SERIES_POINTS_MAX; i++) {
		struct energy_reading r = {.struct_size = sizeof(r),
		                           .quantity = power ? ENERGY_Q_POWER_W : ENERGY_Q_ENERGY_J,
		                           .scope = power ? ENERGY_SCOPE_SYSTEM : ENERGY_SCOPE_CPU_PACKAGE,
		                           .value = power ? 100.0 + (double)(i % 50) : 3.0 * (double)i,
		                           .mono_ns = 1000000 + i * 100000000LL};
		r.wall_ns = r.mono_ns + T0_NS;
		snprintf(r.sensor, sizeof(r.sensor), "%s-%d", power ? "psu" : "package", which);
		if (i == 0)
			em_series_init(s, &r);
		em_series_add(s, &r, 0);
	}
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 10;
	static const struct energy_plugin vt = {.struct_size = sizeof(vt), .abi_major = 1, .abi_minor = 1,
	                                        .measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM), .name = "bench"};
	struct em_config cfg = {.interval_s = 0.1, .max_series = METRICS};
	static struct em_source src;
	struct em_source *sources[] = {&src};
	struct em_monitor mon = {.cfg = &cfg, .sources = sources, .nsources = 1, .started = true, .stopped = true,
	                         .start_wall = T0_NS, .stop_mono = 410LL * 1000000000LL};
	snprintf(src.name, sizeof(src.name), "bench");
	snprintf(src.file_tag, sizeof(src.file_tag), "bench");
	src.lib.vt = &vt;
	src.available = src.started = true;
	src.stop_mono = mon.stop_mono;
	src.start_wall = T0_NS;
	src.series = calloc(METRICS, sizeof(*src.series));
	if (!src.series)
		return 1;
	for (int i = 0; i < METRICS; i++)
		fill_series(&src.series[src.nseries++], i);
	char dir[] = "/tmp/bench-result-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	double best = 1e9;
	size_t bytes = 0;
	for (int run = 0; run < runs; run++) {
		struct em_error err = {0};
		double t0 = now_s();
		mon.result = em_composite_result(&mon);
		if (!mon.result || em_monitor_write_files(&mon, dir, "J", "0", &err) != 0) {
			fprintf(stderr, "bench_result: %s\n", err.message);
			return 1;
		}
		double t = now_s() - t0;
		best = t < best ? t : best;
		char *text = json_dumps(mon.result, JSON_COMPACT);
		bytes = text ? strlen(text) : 0;
		free(text);
		json_decref(mon.result);
	}
#ifdef EM_RESULT_KEY_MAX /* the typed model: absent from a core before it */
	em_results_free(mon.results);
#endif
	for (size_t i = 0; i < src.nseries; i++)
		em_series_free(&src.series[i]);
	free(src.series);
	printf("result + files, %d metrics x %d points: best of %d %.1f ms (result JSON %zu bytes)\n", METRICS,
	       EM_SERIES_POINTS_MAX, runs, 1e3 * best, bytes);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
