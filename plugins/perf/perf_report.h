/*
 * perf_report.h — turn counters into what the host records: one raw
 * cumulative joule reading of each counter's declared metric per sample (the
 * host does deltas with counter_max and the totals), and notes at the end.
 */
#ifndef PERF_PERF_REPORT_H
#define PERF_PERF_REPORT_H

#include "rapl_counter.h"

/* Read every counter, feed its wrap tracker and emit its raw value.
 * Counters that fail are skipped (nothing is emitted for them); the last
 * failure is returned after host->set_error. A counter that has not moved
 * yet is held back, one found dead (dead_counter.h) emits nothing, and one
 * found dead that then moves is revived: its last flat reading is emitted,
 * then it counts as any other. */
int report_sample(const struct energy_host *host, struct rapl_set *set);
/* The closing reading: report_sample, then emit what is still held back
 * (flat counters that could not be judged are reported as read). When
 * every counter is still dead, -ENODEV with the reason (report_sample
 * returns 0 then: they might yet revive). */
int report_final(const struct energy_host *host, struct rapl_set *set);
/* Start over: forget previous readings, take the machine's busy-time
 * baseline from ROOT/proc/stat, then report_sample as a baseline. */
int report_baseline(const struct energy_host *host, struct rapl_set *set, const char *root);
/* Notes that the result has nowhere else: late_readings (readings so far
 * apart that a wrap may have been missed) and backend. No totals: the host
 * sums each counter's readings, and perf_metrics.c says why a dead one has
 * none. */
int report_notes(const struct energy_host *host, const struct rapl_set *set);

#endif
