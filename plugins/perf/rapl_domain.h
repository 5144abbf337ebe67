/*
 * rapl_domain.h — the five RAPL energy domains and their names in each
 * vocabulary that meets them: the kernel's perf power PMU, powercap zone
 * names, libpfm4's rapl PMU, energymon scopes and the Lithops perf JSON.
 * The domain is the pivot: user event names resolve to a domain, and each
 * backend finds its own source for that domain.
 */
#ifndef PERF_RAPL_DOMAIN_H
#define PERF_RAPL_DOMAIN_H

enum rapl_domain {
	RAPL_PKG = 0,
	RAPL_CORES = 1,
	RAPL_RAM = 2,
	RAPL_GPU = 3,
	RAPL_PSYS = 4,
	RAPL_DOMAIN_COUNT = 5
};

#define RAPL_DOMAIN_BIT(d) (1u << (d))
#define RAPL_ALL_DOMAINS ((1u << RAPL_DOMAIN_COUNT) - 1)

struct rapl_domain_info {
	const char *perf_event;    /* power PMU event file, e.g. "energy-pkg" */
	const char *powercap_name; /* zone "name" file; packages are "package-N..." */
	const char *pfm_event;     /* libpfm4 rapl PMU event, e.g. "RAPL_ENERGY_PKG" */
	const char *json_key;      /* Lithops perf JSON / note key, e.g. "energy_pkg" */
	const char *sensor_suffix; /* appended to the package sensor, e.g. "/cores" */
	unsigned scope;            /* enum energy_scope */
	int per_package;           /* 0: one counter for the whole machine (psys) */
};

const struct rapl_domain_info *rapl_domain_info(enum rapl_domain d);
/* Look a domain up by one of its names; returns 0 and fills *d, or -ENOENT. */
int rapl_domain_by_perf_event(const char *name, enum rapl_domain *d);
int rapl_domain_by_powercap_name(const char *name, enum rapl_domain *d);
int rapl_domain_by_pfm_event(const char *name, enum rapl_domain *d);
/* "energy-pkg, energy-cores, ..." for error messages. */
const char *rapl_domain_perf_event_list(void);

#endif
