/*
 * perf_report.h — turn counters into what the host records: one raw
 * cumulative ENERGY_J reading per counter per sample (the host does deltas
 * with counter_max), and per-run totals at the end.
 */
#ifndef PERF_PERF_REPORT_H
#define PERF_PERF_REPORT_H

#include "rapl_counter.h"

/* Read every counter, feed its wrap tracker and emit its raw value.
 * Counters that fail are skipped (nothing is emitted for them); the last
 * failure is returned after host->set_error. */
int report_sample(const struct energy_host *host, struct rapl_set *set);
/* Start over: forget previous readings, then report_sample as a baseline. */
int report_baseline(const struct energy_host *host, struct rapl_set *set);
/* Notes, in J: per domain summed over packages (energy_pkg, energy_cores,
 * ...) and per package (energy_pkg_package_0, ...); cores, uncore and DRAM
 * are never added to pkg. Notes, not FINAL readings: a FINAL reading on
 * the counter's own sensor would read to a host as one more counter value. */
int report_totals(const struct energy_host *host, const struct rapl_set *set);

#endif
