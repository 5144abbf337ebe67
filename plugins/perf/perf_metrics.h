/*
 * perf_metrics.h — what perf declares to the host (ABI 1.1): one joule
 * counter per RAPL counter, under energymon's own key for its domain.
 */
#ifndef PERF_PERF_METRICS_H
#define PERF_PERF_METRICS_H

#include "rapl_counter.h"

/* Declare every counter of `set` (sets c->metric) and note which package
 * each index is. Call from create(). 0, or -errno with `why` filled (a host
 * older than ABI 1.1 is -ENOTSUP). */
int perf_declare_metrics(const struct energy_host *host, struct rapl_set *set, char *why, size_t len);

/* Say through metric_reason why the counters found dead are not measuring,
 * and take the verdict back for one that revived. */
void perf_metrics_verdicts(const struct energy_host *host, struct rapl_set *set);

#endif
