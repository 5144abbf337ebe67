/*
 * perf_config.h — the plugin's configuration keys, their defaults, and the
 * parsed configuration of one instance.
 */
#ifndef PERF_PERF_CONFIG_H
#define PERF_PERF_CONFIG_H

#include "energy_plugin.h"

#include <limits.h>

/* The wrap guard's power bound when the user gives none: four times the
 * largest RAPL package of 2024 (about 500 W), so no real domain exceeds it. */
#define PERF_DEFAULT_MAX_POWER_W 2000.0

enum perf_backend_choice {
	PERF_CHOICE_AUTO = 0,
	PERF_CHOICE_PERF = 1,
	PERF_CHOICE_POWERCAP = 2
};

struct perf_config {
	char sysfs_root[PATH_MAX];
	enum perf_backend_choice backend;
	unsigned domains;      /* RAPL_DOMAIN_BIT mask */
	int domains_explicit;  /* perf_events was set: every one must be found */
	double max_power_w;
	int max_power_explicit;
};

extern const struct energy_config_key perf_config_keys[];

/* 0, or -EINVAL with `why` naming the key and the bad value. */
int perf_config_read(const struct energy_host *host, struct perf_config *cfg, char *why,
		     size_t why_len);

#endif
