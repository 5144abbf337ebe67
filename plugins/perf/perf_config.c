#include "perf_config.h"

#include "event_names.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const struct energy_config_key perf_config_keys[] = {
	{ "perf_sysfs_root", ENERGY_CONFIG_STRING, 0, "/",
	  "directory under which sys/bus/event_source/devices/power, sys/class/powercap and "
	  "proc/stat (the machine's busy time) are read" },
	{ "perf_backend", ENERGY_CONFIG_STRING, 0, "auto",
	  "auto (perf, else powercap), perf, or powercap" },
	{ "perf_events", ENERGY_CONFIG_STRING_LIST, 0, "all RAPL domains present",
	  "RAPL events to read, e.g. power/energy-pkg/ or rapl::RAPL_ENERGY_PKG" },
	{ "perf_max_power_w", ENERGY_CONFIG_NUMBER, 0, "2000",
	  "upper bound on any domain's power, W; sets the sampling interval that catches every wrap" },
	{ NULL, 0, 0, NULL, NULL },
};

static int get(const struct energy_host *host, const char *key, struct energy_config_value *v,
	       char *why, size_t why_len)
{
	memset(v, 0, sizeof(*v));
	int rc = host->config_get(host->ctx, key, v);
	if (rc != 0 && rc != -ENOENT)
		snprintf(why, why_len, "configuration key %s cannot be read: %s", key, strerror(-rc));
	return rc;
}

static int read_backend(const char *text, struct perf_config *cfg, char *why, size_t why_len)
{
	static const char *const names[] = { "auto", "perf", "powercap" };
	for (int i = 0; i < 3; i++)
		if (strcmp(text, names[i]) == 0) {
			cfg->backend = (enum perf_backend_choice)i;
			return 0;
		}
	snprintf(why, why_len, "perf_backend is '%s'; expected auto, perf or powercap", text);
	return -EINVAL;
}

static int read_events(const struct energy_config_value *v, struct perf_config *cfg, char *why,
		       size_t why_len)
{
	const char *one[1] = { v->string };
	const char *const *list = v->list ? v->list : one;
	size_t n = v->list ? v->list_len : (v->string ? 1 : 0);
	if (n == 0) {
		snprintf(why, why_len, "perf_events is empty; leave it unset to read every domain");
		return -EINVAL;
	}
	cfg->domains = 0;
	for (size_t i = 0; i < n; i++) {
		enum rapl_domain d;
		int rc = event_name_resolve(list[i], &d, why, why_len);
		if (rc != 0)
			return rc;
		cfg->domains |= RAPL_DOMAIN_BIT(d);
	}
	cfg->domains_explicit = 1;
	return 0;
}

int perf_config_read(const struct energy_host *host, struct perf_config *cfg, char *why,
		     size_t why_len)
{
	struct energy_config_value v;
	*cfg = (struct perf_config){ .backend = PERF_CHOICE_AUTO, .domains = RAPL_ALL_DOMAINS,
				     .max_power_w = PERF_DEFAULT_MAX_POWER_W };
	snprintf(cfg->sysfs_root, sizeof(cfg->sysfs_root), "/");
	int rc = get(host, "perf_sysfs_root", &v, why, why_len);
	if (rc == 0) {
		if (!v.string || !v.string[0] ||
		    (size_t)snprintf(cfg->sysfs_root, sizeof(cfg->sysfs_root), "%s", v.string) >=
			    sizeof(cfg->sysfs_root)) {
			snprintf(why, why_len, "perf_sysfs_root must be a directory path");
			return -EINVAL;
		}
	} else if (rc != -ENOENT) {
		return rc;
	}
	if ((rc = get(host, "perf_backend", &v, why, why_len)) == 0)
		rc = read_backend(v.string ? v.string : "", cfg, why, why_len);
	if (rc != 0 && rc != -ENOENT)
		return rc;
	if ((rc = get(host, "perf_events", &v, why, why_len)) == 0)
		rc = read_events(&v, cfg, why, why_len);
	if (rc != 0 && rc != -ENOENT)
		return rc;
	if ((rc = get(host, "perf_max_power_w", &v, why, why_len)) == 0) {
		if (!isfinite(v.number) || !(v.number > 0)) {
			snprintf(why, why_len, "perf_max_power_w must be a positive number of watts, "
				 "not %g", v.number);
			return -EINVAL;
		}
		cfg->max_power_w = v.number;
		cfg->max_power_explicit = 1;
	}
	return rc == -ENOENT ? 0 : rc;
}
