#include "backend_select.h"

#include "perf_backend.h"
#include "powercap_backend.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A backend that opened but lacks a domain the user named is as unusable
 * as one that did not open: the user asked for that number. */
static int check_domains(const struct perf_config *cfg, struct rapl_set *set, char *why,
			 size_t why_len)
{
	unsigned found = 0;
	for (size_t i = 0; i < set->n; i++)
		found |= RAPL_DOMAIN_BIT(set->c[i].domain);
	unsigned missing = cfg->domains_explicit ? cfg->domains & ~found : 0;
	for (int d = 0; d < RAPL_DOMAIN_COUNT; d++)
		if (missing & RAPL_DOMAIN_BIT(d)) {
			snprintf(why, why_len, "perf_events asks for %s, which this machine's %s "
				 "interface does not offer", rapl_domain_info((enum rapl_domain)d)->perf_event,
				 rapl_backend_name(set->backend));
			rapl_set_close(set);
			return -ENODEV;
		}
	if (set->n == 0) {
		snprintf(why, why_len, "the %s interface offers none of the requested RAPL domains",
			 rapl_backend_name(set->backend));
		return -ENODEV;
	}
	return 0;
}

static int try_backend(enum rapl_backend b, const struct perf_config *cfg, struct rapl_set *set,
		       char *why, size_t why_len)
{
	int rc = b == RAPL_BACKEND_PERF ? perf_open(cfg->sysfs_root, cfg->domains, set, why, why_len)
					: powercap_open(cfg->sysfs_root, cfg->domains, set, why, why_len);
	return rc != 0 ? rc : check_domains(cfg, set, why, why_len);
}

int rapl_open(const struct perf_config *cfg, struct rapl_set *set, char *why, size_t why_len,
	      char *fallback, size_t fallback_len)
{
	char perf_why[ENERGY_REASON_MAX] = "", powercap_why[ENERGY_REASON_MAX] = "";
	fallback[0] = '\0';
	if (cfg->backend == PERF_CHOICE_PERF)
		return try_backend(RAPL_BACKEND_PERF, cfg, set, why, why_len);
	if (cfg->backend == PERF_CHOICE_POWERCAP)
		return try_backend(RAPL_BACKEND_POWERCAP, cfg, set, why, why_len);

	int perf_rc = try_backend(RAPL_BACKEND_PERF, cfg, set, perf_why, sizeof(perf_why));
	if (perf_rc == 0)
		return 0;
	int pc_rc = try_backend(RAPL_BACKEND_POWERCAP, cfg, set, powercap_why, sizeof(powercap_why));
	if (pc_rc == 0) {
		snprintf(fallback, fallback_len, "%s", perf_why);
		return 0;
	}
	snprintf(why, why_len, "no usable RAPL: perf: %s; powercap: %s", perf_why, powercap_why);
	if (perf_rc == -EACCES || pc_rc == -EACCES)
		return -EACCES;
	return pc_rc != -ENODEV ? pc_rc : perf_rc;
}

double rapl_wrap_guard_s(const struct perf_config *cfg, const struct rapl_set *set)
{
	double guard = INFINITY;
	for (size_t i = 0; i < set->n; i++) {
		const struct rapl_counter *c = &set->c[i];
		/* A platform that publishes a maximum power above our default
		 * bound gets twice that, for turbo bursts above the rating. */
		double bound = cfg->max_power_explicit ? cfg->max_power_w
						       : fmax(cfg->max_power_w, 2.0 * c->max_power_w);
		double g = counter_wrap_guard_s(rapl_counter_range_j(c), bound);
		if (g > 0 && g < guard)
			guard = g;
	}
	return guard;
}
