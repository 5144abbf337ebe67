#include "rapl_domain.h"

#include "energy_plugin.h"

#include <errno.h>
#include <string.h>

/* Kernel event names come from arch/x86/events/rapl.c; powercap zone names
 * from drivers/powercap/intel_rapl_common.c ("pp0" is named "core", "pp1"
 * is "uncore"); libpfm4 names from its rapl PMU table. */
static const struct rapl_domain_info domains[RAPL_DOMAIN_COUNT] = {
	[RAPL_PKG] = { "energy-pkg", "package", "RAPL_ENERGY_PKG", "energy_pkg", "",
		       ENERGY_SCOPE_CPU_PACKAGE, 1 },
	[RAPL_CORES] = { "energy-cores", "core", "RAPL_ENERGY_CORES", "energy_cores", "/cores",
			 ENERGY_SCOPE_CPU_CORES, 1 },
	[RAPL_RAM] = { "energy-ram", "dram", "RAPL_ENERGY_DRAM", "energy_ram", "/dram",
		       ENERGY_SCOPE_DRAM, 1 },
	[RAPL_GPU] = { "energy-gpu", "uncore", "RAPL_ENERGY_GPU", "energy_gpu", "/uncore",
		       ENERGY_SCOPE_CPU_UNCORE, 1 },
	[RAPL_PSYS] = { "energy-psys", "psys", "RAPL_ENERGY_PSYS", "energy_psys", "",
			ENERGY_SCOPE_SYSTEM, 0 },
};

const struct rapl_domain_info *rapl_domain_info(enum rapl_domain d)
{
	return &domains[d];
}

int rapl_domain_by_perf_event(const char *name, enum rapl_domain *d)
{
	for (int i = 0; i < RAPL_DOMAIN_COUNT; i++)
		if (strcmp(domains[i].perf_event, name) == 0) {
			*d = (enum rapl_domain)i;
			return 0;
		}
	return -ENOENT;
}

int rapl_domain_by_powercap_name(const char *name, enum rapl_domain *d)
{
	/* Packages carry their number, and a die on multi-die parts:
	 * "package-0", "package-1-die-0". */
	if (strncmp(name, "package-", 8) == 0) {
		*d = RAPL_PKG;
		return 0;
	}
	for (int i = 0; i < RAPL_DOMAIN_COUNT; i++)
		if (i != RAPL_PKG && strcmp(domains[i].powercap_name, name) == 0) {
			*d = (enum rapl_domain)i;
			return 0;
		}
	return -ENOENT;
}

int rapl_domain_by_pfm_event(const char *name, enum rapl_domain *d)
{
	for (int i = 0; i < RAPL_DOMAIN_COUNT; i++)
		if (strcmp(domains[i].pfm_event, name) == 0) {
			*d = (enum rapl_domain)i;
			return 0;
		}
	return -ENOENT;
}

const char *rapl_domain_perf_event_list(void)
{
	return "energy-pkg, energy-cores, energy-ram, energy-gpu, energy-psys";
}
