/*
 * backend_select.h — pick perf or powercap as the configuration says, fall
 * back under "auto", and work out the sampling interval that catches every
 * counter wrap.
 */
#ifndef PERF_BACKEND_SELECT_H
#define PERF_BACKEND_SELECT_H

#include "perf_config.h"
#include "rapl_counter.h"

/* Open the counters. On success `fallback` holds why perf was not used when
 * auto fell back to powercap ("" otherwise). On failure `why` gives every
 * backend's reason; -EACCES if any backend was refused for privilege,
 * else -ENODEV or the first other error. */
int rapl_open(const struct perf_config *cfg, struct rapl_set *set, char *why, size_t why_len,
	      char *fallback, size_t fallback_len);

/* The longest safe interval between readings over all counters (see
 * counter_wrap_guard_s), with each counter's power bound. */
double rapl_wrap_guard_s(const struct perf_config *cfg, const struct rapl_set *set);

#endif
