/*
 * perf_plugin.c — the perf plugin's vtable: RAPL energy per package and
 * domain, through the kernel's perf power PMU or, failing that, powercap.
 */
#include "backend_select.h"
#include "dead_counter.h"
#include "energy_plugin.h"
#include "perf_config.h"
#include "perf_metrics.h"
#include "perf_report.h"
#include "rapl_unit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct perf_instance {
	const struct energy_host *host;
	struct perf_config cfg;
	int started;
	struct rapl_set set;
};

static int perf_probe(const struct energy_host *host, char *why, size_t why_len)
{
	struct perf_config cfg;
	char fallback[ENERGY_REASON_MAX];
	int rc = perf_config_read(host, &cfg, why, why_len);
	if (rc != 0)
		return rc;
	/* Opening and closing the counters is the only way to learn whether
	 * the kernel lets us (paranoid level, capabilities). */
	struct rapl_set *set = malloc(sizeof(*set));
	if (!set) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	rc = rapl_open(&cfg, set, why, why_len, fallback, sizeof(fallback));
	if (rc == 0) {
		/* A short look for counters that are there but never count. */
		rc = dead_watch_probe(set, cfg.sysfs_root, why, why_len);
		rapl_set_close(set);
	}
	free(set);
	return rc;
}

static void describe_run(struct perf_instance *in, const char *fallback)
{
	const struct energy_host *host = in->host;
	const char *backend = rapl_backend_name(in->set.backend);
	host->note_string(host->ctx, "backend", backend);
	if (fallback[0]) {
		host->note_string(host->ctx, "perf_unavailable", fallback);
		host->log(host->ctx, ENERGY_LOG_INFO, "perf backend not usable (%s); using powercap",
			  fallback);
	}
	host->note_number(host->ctx, "wrap_guard_interval", in->set.wrap_guard_s, "s");
	rapl_unit_notes(host, &in->set);
	host->log(host->ctx, ENERGY_LOG_INFO, "RAPL through %s: %zu counters; sampled at least "
		  "every %.6g s so no counter wrap is missed", backend, in->set.n, in->set.wrap_guard_s);
}

static int perf_create(const struct energy_host *host, void **instance, char *why, size_t why_len)
{
	char fallback[ENERGY_REASON_MAX];
	struct perf_instance *in = calloc(1, sizeof(*in));
	if (!in) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	in->host = host;
	int rc = perf_config_read(host, &in->cfg, why, why_len);
	if (rc == 0)
		rc = rapl_open(&in->cfg, &in->set, why, why_len, fallback, sizeof(fallback));
	if (rc != 0) {
		free(in);
		return rc;
	}
	double guard_s = rapl_wrap_guard_s(&in->cfg, &in->set);
	in->set.wrap_guard_s = guard_s;
	rc = isfinite(guard_s) ? host->require_interval(host->ctx, guard_s) : 0;
	if (rc != 0) {
		snprintf(why, why_len, "the host refused the wrap guard interval of %g s: %s",
			 guard_s, strerror(-rc));
		rapl_set_close(&in->set);
		free(in);
		return rc;
	}
	rc = perf_declare_metrics(host, &in->set, why, why_len);
	if (rc != 0) {
		rapl_set_close(&in->set);
		free(in);
		return rc;
	}
	describe_run(in, fallback);
	*instance = in;
	return 0;
}

/* The first reading is taken here and emitted, so the host's deltas start
 * exactly where the run does, not one interval later. */
static int perf_start(void *instance)
{
	struct perf_instance *in = instance;
	in->started = 1;
	return report_baseline(in->host, &in->set, in->cfg.sysfs_root);
}

static int perf_sample(void *instance)
{
	struct perf_instance *in = instance;
	return report_sample(in->host, &in->set);
}

/* A closing reading, so the last stretch of the run is counted too. */
static int perf_stop(void *instance)
{
	struct perf_instance *in = instance;
	return report_final(in->host, &in->set);
}

static int perf_get_data(void *instance)
{
	struct perf_instance *in = instance;
	if (!in->started) {
		in->host->set_error(in->host->ctx, "get_data() before start(): nothing was measured");
		return -EINVAL;
	}
	return report_notes(in->host, &in->set);
}

static void perf_destroy(void *instance)
{
	struct perf_instance *in = instance;
	if (!in)
		return;
	rapl_set_close(&in->set);
	free(in);
}

static const struct energy_plugin perf_plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_CPU_PACKAGE) | ENERGY_MEASURES(ENERGY_SCOPE_CPU_CORES) |
		    ENERGY_MEASURES(ENERGY_SCOPE_CPU_UNCORE) | ENERGY_MEASURES(ENERGY_SCOPE_DRAM) |
		    ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "perf",
	.version = "1.0.0",
	.description = "RAPL energy per CPU package and domain (perf power PMU, or powercap)",
	/* RAPL registers update about every millisecond; faster adds nothing. */
	.min_interval_s = 0.001,
	.config_keys = perf_config_keys,
	.probe = perf_probe,
	.create = perf_create,
	.start = perf_start,
	.sample = perf_sample,
	.stop = perf_stop,
	.get_data = perf_get_data,
	.destroy = perf_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &perf_plugin;
}
