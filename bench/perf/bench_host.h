/*
 * bench_host.h — the least host that can drive the perf plugin: fixed
 * configuration, readings counted and dropped, so a benchmark measures the
 * plugin and not the recording.
 */
#ifndef PERF_BENCH_HOST_H
#define PERF_BENCH_HOST_H

#include "energy_plugin.h"

struct bench_host {
	struct energy_host host;
	const char *sysfs_root;
	const char *backend;
	unsigned long emitted;  /* readings, 1.0 or of a declared metric */
	unsigned long declared; /* metrics declared */
	char error[ENERGY_REASON_MAX];
};

void bench_host_init(struct bench_host *b, const char *sysfs_root, const char *backend);

#endif
