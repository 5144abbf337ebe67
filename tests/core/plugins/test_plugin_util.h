/* Helpers the test plugins share (each plugin is its own .so, so they are
 * static inline): a monotonic clock and a numeric config key. */
#ifndef ENERGYMON_TEST_PLUGIN_UTIL_H
#define ENERGYMON_TEST_PLUGIN_UTIL_H

#include "energy_plugin.h"

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in ns. */
static inline int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The number config key `key` holds, or `dflt` when the host has none. */
static inline double number(const struct energy_host *h, const char *key, double dflt)
{
	struct energy_config_value v;
	return h->config_get(h->ctx, key, &v) == 0 ? v.number : dflt;
}

#endif
