/*
 * ipmi_plugin.c — the ipmi plugin's vtable: system power from the BMC (DCMI,
 * else SDR Watts sensors) and its environmental sensors, over one FreeIPMI
 * session opened in create() and reused for every sample.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc_session.h"
#include "energy_plugin.h"
#include "ipmi_config.h"
#include "power_source.h"
#include "sdr_catalog.h"
#include "sensor_sweep.h"

struct ipmi_instance {
	const struct energy_host *host;
	struct ipmi_config cfg;
	struct bmc_session session;
	struct sdr_catalog catalog;
	int have_catalog;
	ipmi_sensor_read_ctx_t reader;
	unsigned reader_generation;   /* the session generation `reader` is bound to */
	struct power_source power;
	struct sensor_sweep sweep;
	int sweep_enabled;
	unsigned long samples, failed_samples;
};

static int ipmi_probe(const struct energy_host *host, char *why, size_t why_len)
{
	struct ipmi_config cfg;
	int rc = ipmi_config_load(host, &cfg, why, why_len);
	if (rc == 0 && cfg.link == IPMI_LINK_OPENIPMI) {
		char device[32];
		rc = bmc_find_local_device(device, sizeof(device), why, why_len);
	}
	ipmi_config_wipe(&cfg);
	return rc;
}

static void ipmi_destroy(void *instance)
{
	struct ipmi_instance *in = instance;
	if (!in)
		return;
	sensor_sweep_free(&in->sweep);
	if (in->reader)
		ipmi_sensor_read_ctx_destroy(in->reader);
	sdr_catalog_free(&in->catalog);
	bmc_session_destroy(&in->session);
	ipmi_config_wipe(&in->cfg);
	free(in);
}

/* The SDR is read once per instance; without it the sensors are skipped and
 * the power source can only be DCMI. */
static void load_catalog(struct ipmi_instance *in)
{
	char why[ENERGY_REASON_MAX];
	int rc = sdr_catalog_load(&in->catalog, &in->session, in->cfg.sdr_cache_dir, why, sizeof(why));
	if (rc) {
		in->host->log(in->host->ctx, ENERGY_LOG_WARN, "SDR not available, no SDR sensors will be read: %s", why);
		in->host->note_string(in->host->ctx, "sdr_unavailable", why);
		return;
	}
	in->have_catalog = 1;
	in->host->log(in->host->ctx, ENERGY_LOG_INFO, "BMC %s: %zu usable SDR sensors (%s%s)", in->session.target,
		      in->catalog.n, in->catalog.from_cache ? "from cache " : "read from the BMC",
		      in->catalog.from_cache ? in->catalog.cache_file : "");
}

static int setup(struct ipmi_instance *in, char *why, size_t why_len)
{
	const struct energy_host *host = in->host;
	int rc = ipmi_config_load(host, &in->cfg, why, why_len);
	if (rc)
		return rc;
	/* said here, not in probe(), which reads the same file first */
	if (in->cfg.password_warning[0])
		host->log(host->ctx, ENERGY_LOG_WARN, "%s", in->cfg.password_warning);
	if (in->cfg.use_sudo_given)
		host->log(host->ctx, ENERGY_LOG_INFO, "ipmi_use_sudo has no effect: energymon talks to the BMC "
			  "in-process through FreeIPMI and never runs sudo or ipmitool");
	rc = bmc_session_init(&in->session, &in->cfg);
	if (rc) {
		snprintf(why, why_len, "out of memory for an IPMI context");
		return rc;
	}
	rc = bmc_session_open(&in->session, why, why_len);
	if (rc)
		return rc;
	in->reader = ipmi_sensor_read_ctx_create(in->session.ctx);
	if (!in->reader) {
		snprintf(why, why_len, "out of memory for a sensor reader");
		return -ENOMEM;
	}
	if (in->cfg.sensors || power_source_may_need_sdr(&in->cfg))
		load_catalog(in);
	rc = power_source_choose(&in->power, &in->session, &in->cfg, in->have_catalog ? &in->catalog : NULL,
				 in->reader, why, why_len);
	if (rc)
		return rc;
	if (in->cfg.sensors && in->have_catalog) {
		double interval = in->cfg.sensor_interval_s > 0 ? in->cfg.sensor_interval_s : 5 * host->interval_s;
		rc = sensor_sweep_init(&in->sweep, &in->catalog, interval, host->interval_s);
		if (rc) {
			snprintf(why, why_len, "out of memory for the sensor list");
			return rc;
		}
		in->sweep_enabled = 1;
		host->note_number(host->ctx, "sensor_interval", interval, "s");
	}
	host->note_string(host->ctx, "power_source", in->power.description);
	host->note_string(host->ctx, "bmc", in->session.target);
	host->note_string(host->ctx, "privilege", in->cfg.privilege_name);
	return 0;
}

static int ipmi_create(const struct energy_host *host, void **instance, char *why, size_t why_len)
{
	struct ipmi_instance *in = calloc(1, sizeof(*in));
	if (!in) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	in->host = host;
	int rc = setup(in, why, why_len);
	if (rc) {
		ipmi_destroy(in);
		return rc;
	}
	*instance = in;
	return 0;
}

static int ipmi_start(void *instance)
{
	struct ipmi_instance *in = instance;
	in->samples = in->failed_samples = 0;
	if (in->sweep_enabled)
		sensor_sweep_reset(&in->sweep);
	return 0;
}

/* A reconnection brings a new FreeIPMI context; the sensor reader is bound
 * to the old one and must follow. */
static int rebind_reader(struct ipmi_instance *in, char *why, size_t why_len)
{
	if (in->reader_generation == in->session.generation)
		return 0;
	ipmi_sensor_read_ctx_t reader = ipmi_sensor_read_ctx_create(in->session.ctx);
	if (!reader) {
		snprintf(why, why_len, "out of memory for a sensor reader");
		return -ENOMEM;
	}
	ipmi_sensor_read_ctx_destroy(in->reader);
	in->reader = reader;
	in->reader_generation = in->session.generation;
	return 0;
}

static int ipmi_sample(void *instance)
{
	struct ipmi_instance *in = instance;
	const struct energy_host *host = in->host;
	char why[ENERGY_REASON_MAX];
	double watts;
	struct ipmi_stamp when;
	unsigned before = in->session.reconnects;
	int rc = bmc_session_ensure(&in->session, why, sizeof(why));
	if (rc == 0 && in->session.reconnects != before)
		host->log(host->ctx, ENERGY_LOG_INFO, "BMC %s: session reopened (reconnect %u)", in->session.target,
			  in->session.reconnects);
	if (rc == 0)
		rc = rebind_reader(in, why, sizeof(why));
	if (rc == 0)
		rc = power_source_read(&in->power, &in->session, in->reader, &watts, &when, why, sizeof(why));
	if (rc) {
		in->failed_samples++;
		host->set_error(host->ctx, "%s", why);
		return rc;
	}
	struct energy_reading r = {
		.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W, .scope = ENERGY_SCOPE_SYSTEM,
		.value = watts, .mono_ns = when.mono_ns, .wall_ns = when.wall_ns,
	};
	snprintf(r.sensor, sizeof(r.sensor), "%s", in->power.sensor_label);
	rc = host->emit(host->ctx, &r);
	if (rc) {
		host->set_error(host->ctx, "host refused the power reading %g W from %s", watts, in->session.target);
		return rc;
	}
	in->samples++;
	if (in->sweep_enabled)
		sensor_sweep_step(&in->sweep, host, &in->session, in->reader);
	return 0;
}

static int ipmi_stop(void *instance)
{
	(void)instance;
	return 0;
}

static int ipmi_get_data(void *instance)
{
	struct ipmi_instance *in = instance;
	const struct energy_host *host = in->host;
	host->note_string(host->ctx, "power_source", in->power.description);
	host->note_string(host->ctx, "bmc", in->session.target);
	host->note_number(host->ctx, "power_samples", (double)in->samples, "");
	host->note_number(host->ctx, "failed_power_samples", (double)in->failed_samples, "");
	host->note_number(host->ctx, "session_breaks", (double)in->session.breaks, "");
	host->note_number(host->ctx, "reconnects", (double)in->session.reconnects, "");
	host->note_number(host->ctx, "idle_session_refreshes", (double)in->session.refreshes, "");
	if (in->sweep_enabled) {
		host->note_number(host->ctx, "sensor_readings", (double)in->sweep.reads, "");
		host->note_number(host->ctx, "sensor_misses", (double)in->sweep.misses, "");
	}
	return 0;
}

static const struct energy_plugin ipmi_plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM) | ENERGY_MEASURES(ENERGY_SCOPE_SENSOR),
	.name = "ipmi",
	.version = "1.0.0",
	.description = "whole-server power (DCMI or PSU input sensors) and BMC sensors, in-process via FreeIPMI",
	/* One request on an open session takes ~0.1 ms on a fast BMC; below
	 * 1 ms the BMC, not the plugin, would set the pace. */
	.min_interval_s = 0.001,
	.config_keys = ipmi_config_keys,
	.probe = ipmi_probe,
	.create = ipmi_create,
	.start = ipmi_start,
	.sample = ipmi_sample,
	.stop = ipmi_stop,
	.get_data = ipmi_get_data,
	.destroy = ipmi_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &ipmi_plugin;
}
