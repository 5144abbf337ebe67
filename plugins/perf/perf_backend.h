/*
 * perf_backend.h — RAPL through perf_event_open on the kernel's power PMU:
 * one system-wide counter per package (psys: one) and domain, opened on the
 * CPU the PMU's cpumask names for that package.
 */
#ifndef PERF_PERF_BACKEND_H
#define PERF_PERF_BACKEND_H

#include "rapl_counter.h"

/* Fill `set` with open counters for the domains in the mask that the PMU
 * has. Returns 0 (set->n may be 0); -ENODEV when there is no power PMU or
 * the kernel refuses its events (e.g. the type is not a PMU it knows);
 * -EACCES when perf_event_paranoid / missing CAP_PERFMON forbids it. The
 * set is left empty on failure. */
int perf_open(const char *root, unsigned domain_mask, struct rapl_set *set, char *why,
	      size_t why_len);

#endif
