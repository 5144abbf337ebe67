/*
 * perf_pmu.h — what sysfs says about the kernel's `power` PMU: its type
 * number, the CPUs to open counters on (one per package, from cpumask), and
 * each event's config, scale and unit. No perf_event_open here.
 */
#ifndef PERF_PERF_PMU_H
#define PERF_PERF_PMU_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define PERF_PMU_MAX_CPUS 64

struct perf_pmu {
	char dir[PATH_MAX]; /* ROOT/sys/bus/event_source/devices/power */
	uint32_t type;
	int cpus[PERF_PMU_MAX_CPUS];
	size_t ncpus;
};

struct perf_pmu_event {
	uint64_t config;
	double scale; /* joules per count */
};

/* -ENODEV when the PMU directory does not exist; -EINVAL/-EIO when its type
 * or cpumask cannot be read. */
int perf_pmu_read(const char *root, struct perf_pmu *pmu, char *why, size_t why_len);
/* -ENOENT when the PMU has no such event (this CPU lacks the domain);
 * -EINVAL when its config, scale or unit cannot be understood. */
int perf_pmu_event(const struct perf_pmu *pmu, const char *name, struct perf_pmu_event *ev,
		   char *why, size_t why_len);
/* "0-3,8" -> 0 1 2 3 8. Returns the count or -EINVAL / -E2BIG. */
int perf_pmu_parse_cpulist(const char *text, int *cpus, size_t max);

#endif
