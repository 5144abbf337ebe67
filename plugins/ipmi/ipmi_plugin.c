/*
 * ipmi_plugin.c — the ipmi plugin's vtable: system power from the BMC (DCMI,
 * else SDR Watts sensors) and its environmental sensors, over one FreeIPMI
 * session reused for every sample. For a command the session is opened in
 * create(), so a BMC that cannot be used fails the run at once with the
 * reason; a continuous monitor (ipmi_wait_for_bmc) reaches the BMC in the
 * background instead, so a BMC that is down at start-up costs nothing and
 * is used as soon as it answers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc_discovery.h"
#include "bmc_session.h"
#include "dcmi_cadence.h"
#include "end_lookahead.h"
#include "dcmi_notes.h"
#include "energy_plugin.h"
#include "ipmi_config.h"
#include "power_source.h"
#include "sdr_catalog.h"
#include "sensor_sweep.h"

struct ipmi_instance {
	const struct energy_host *host;
	struct ipmi_config cfg;
	struct bmc_session session;
	/* written by a background attempt until ready; read only after it is picked up */
	struct bmc_discovery found;
	int ready;                    /* `found` is done and the sensor sweep is set up */
	ipmi_sensor_read_ctx_t reader;
	unsigned reader_generation;   /* the session generation `reader` is bound to */
	struct sensor_sweep sweep;
	int sweep_enabled;
	unsigned long samples, failed_samples;
	struct dcmi_cadence cadence;  /* what DCMI answers say about their age and bursts */
	double last_lag_s;            /* of the last DCMI reading */
	const char *lookahead;        /* how the end look-ahead went, for the notes */
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
	/* first: it waits for a background attempt still writing `found` */
	bmc_session_destroy(&in->session);
	sensor_sweep_free(&in->sweep);
	if (in->reader)
		ipmi_sensor_read_ctx_destroy(in->reader);
	bmc_discovery_free(&in->found);
	ipmi_config_wipe(&in->cfg);
	free(in);
}

/* ipmi_wait_for_bmc unset: on when the host is a continuous monitor
 * (energymond), which must keep every other source going and pick the BMC
 * up when it answers; off for a command, whose user wants to hear at once
 * why a BMC cannot be used. */
static int waits_for_bmc(const struct energy_host *host, const struct ipmi_config *cfg)
{
	if (cfg->wait_for_bmc >= 0)
		return cfg->wait_for_bmc;
	int has_flags = host->abi_minor >= 2 && host->struct_size >= offsetof(struct energy_host, flags) +
								      sizeof(host->flags);
	return has_flags && (host->flags & ENERGY_HOST_TARGETS_LATER) != 0;
}

/* The BMC was reached and discovery is done: say what was found and set up
 * the sensor sweep (no I/O). */
static int become_ready(struct ipmi_instance *in, char *why, size_t why_len)
{
	const struct energy_host *host = in->host;
	struct bmc_discovery *f = &in->found;
	if (!f->have_catalog && (in->cfg.sensors || power_source_may_need_sdr(&in->cfg)))
		host->log(host->ctx, ENERGY_LOG_WARN, "SDR not available, no SDR sensors will be read: %s", f->sdr_why);
	else if (f->have_catalog)
		host->log(host->ctx, ENERGY_LOG_INFO, "BMC %s: %zu usable SDR sensors (%s%s)", in->session.target,
			  f->catalog.n, f->catalog.from_cache ? "from cache " : "read from the BMC",
			  f->catalog.from_cache ? f->catalog.cache_file : "");
	if (in->cfg.sensors && f->have_catalog) {
		double interval = in->cfg.sensor_interval_s > 0 ? in->cfg.sensor_interval_s : 5 * host->interval_s;
		int rc = sensor_sweep_init(&in->sweep, &f->catalog, interval, host->interval_s);
		if (rc) {
			snprintf(why, why_len, "out of memory for the sensor list");
			return rc;
		}
		in->sweep_enabled = 1;
		sensor_sweep_reset(&in->sweep);
	}
	in->session.after_open = NULL;
	in->ready = 1;
	return 0;
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
	dcmi_cadence_init(&in->cadence, in->cfg.power_reading, in->cfg.max_power_w);
	rc = bmc_session_init(&in->session, &in->cfg);
	if (rc) {
		snprintf(why, why_len, "out of memory for an IPMI context");
		return rc;
	}
	in->found.cfg = &in->cfg;
	if (waits_for_bmc(host, &in->cfg)) {
		in->session.after_open = bmc_discover_after_open;
		in->session.after_open_arg = &in->found;
		/* starts the first attempt; fails only when no thread can be had
		 * (then later samples try again, as after any failed attempt) */
		rc = bmc_session_ensure(&in->session, why, why_len);
		if (rc == -ENOMEM)
			return rc;
		host->log(host->ctx, ENERGY_LOG_INFO, "BMC %s: reached in the background (ipmi_wait_for_bmc); "
			  "samples fail with the reason until it answers", in->session.target);
		why[0] = '\0';
		return 0;
	}
	rc = bmc_session_open(&in->session, why, why_len);
	if (!rc)
		rc = bmc_discover(&in->session, &in->found, why, why_len);
	if (!rc)
		rc = become_ready(in, why, why_len);
	if (rc)
		return rc;
	host->note_string(host->ctx, "power_source", in->found.power.description);
	host->note_string(host->ctx, "bmc", in->session.target);
	host->note_string(host->ctx, "privilege", in->cfg.privilege_name);
	if (in->sweep_enabled)
		host->note_number(host->ctx, "sensor_interval", in->sweep.period_ns / 1e9, "s");
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
	/* learn anew: a refresh spacing or sampling interval across the pause
	 * before this run would mean nothing, and the notes count this run */
	dcmi_cadence_init(&in->cadence, in->cfg.power_reading, in->cfg.max_power_w);
	if (in->sweep_enabled)
		sensor_sweep_reset(&in->sweep);
	/* The session create() opened may have waited here longer than FreeIPMI
	 * keeps one (an idle baseline runs between create() and start()):
	 * replace it now, before the run's span begins, rather than in its
	 * first sample. A failure here is the first sample's to report. */
	if (in->ready && in->session.is_open) {
		char why[ENERGY_REASON_MAX];
		bmc_session_ensure(&in->session, why, sizeof(why));
	}
	return 0;
}

/* A reconnection brings a new FreeIPMI context; the sensor reader is bound
 * to the old one and must follow. */
static int rebind_reader(struct ipmi_instance *in, char *why, size_t why_len)
{
	if (in->reader && in->reader_generation == in->session.generation)
		return 0;
	ipmi_sensor_read_ctx_t reader = ipmi_sensor_read_ctx_create(in->session.ctx);
	if (!reader) {
		snprintf(why, why_len, "out of memory for a sensor reader");
		return -ENOMEM;
	}
	if (in->reader)
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
	struct dcmi_answer dcmi;
	unsigned before = in->session.reconnects;
	int rc = bmc_session_ensure(&in->session, why, sizeof(why));
	if (rc == 0 && in->session.reconnects != before)
		host->log(host->ctx, ENERGY_LOG_INFO, "BMC %s: session reopened (reconnect %u)", in->session.target,
			  in->session.reconnects);
	if (rc == 0 && !in->ready)
		rc = become_ready(in, why, sizeof(why)); /* the first session came with discovery done */
	if (rc == 0)
		rc = rebind_reader(in, why, sizeof(why));
	if (rc == 0)
		rc = power_source_read(&in->found.power, &in->session, in->reader, &watts, &when, &dcmi, why,
				       sizeof(why));
	/* 0 W of average beside a current reading is a BMC that keeps no
	 * average: recording it would invent a power cut */
	if (rc == 0 && in->found.power.use_dcmi && in->cfg.power_reading == DCMI_POWER_AVERAGE && dcmi.avg_w == 0 &&
	    dcmi.current_w > 0) {
		snprintf(why, sizeof(why), "BMC %s reports no DCMI average power (0 W beside %g W current); set "
			 "ipmi_power_reading to instantaneous", in->session.target, dcmi.current_w);
		rc = -ENODATA;
	}
	if (rc) {
		in->failed_samples++;
		host->set_error(host->ctx, "%s", why);
		return rc;
	}
	struct energy_reading r;
	if (in->found.power.use_dcmi) {
		dcmi_cadence_reading(&in->cadence, &dcmi, &r);
		in->last_lag_s = r.lag_s;
	} else {
		/* SDR sensors: resolution and lag stay 0 (not known). Their
		 * resolution is in each record's conversion factors, summed over
		 * the sensors, and nothing in a sensor reading shows when the BMC
		 * last refreshed it. */
		r = (struct energy_reading){
			.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W, .scope = ENERGY_SCOPE_SYSTEM,
			.value = watts, .mono_ns = when.mono_ns, .wall_ns = when.wall_ns,
		};
		snprintf(r.sensor, sizeof(r.sensor), "%s", in->found.power.sensor_label);
	}
	rc = host->emit(host->ctx, &r);
	if (rc) {
		host->set_error(host->ctx, "host refused the power reading %g W from %s", r.value, in->session.target);
		return rc;
	}
	in->samples++;
	if (in->sweep_enabled)
		sensor_sweep_step(&in->sweep, host, &in->session, in->reader);
	return 0;
}

static int ipmi_stop(void *instance)
{
	struct ipmi_instance *in = instance;
	in->lookahead = "not taken: ipmi_end_lookahead is false, or power is not from DCMI";
	if (!in->cfg.end_lookahead || !in->ready || !in->found.power.use_dcmi || !in->samples)
		return 0;
	/* the run's result stands whatever happens here: only its bound's
	 * last seconds depend on it */
	int rc = end_lookahead(in->host, &in->cadence, &in->found.power, &in->session, in->reader, in->last_lag_s);
	in->lookahead = rc == 0 ? "one more refresh read after the end"
	                : rc == END_LOOKAHEAD_NO_REFRESH
	                        ? "no refresh came within the wait: the last seconds are assumed"
	                        : "the BMC failed after the end: the last seconds are assumed";
	return 0;
}

static int ipmi_get_data(void *instance)
{
	struct ipmi_instance *in = instance;
	const struct energy_host *host = in->host;
	host->note_string(host->ctx, "power_source", in->ready ? in->found.power.description
							       : "none: the BMC never answered");
	host->note_string(host->ctx, "bmc", in->session.target);
	host->note_string(host->ctx, "privilege", in->cfg.privilege_name);
	if (in->sweep_enabled)
		host->note_number(host->ctx, "sensor_interval", (double)in->sweep.period_ns / 1e9, "s");
	host->note_number(host->ctx, "connect_attempts", (double)in->session.attempts, "");
	if (in->ready && !in->found.have_catalog && in->found.sdr_why[0])
		host->note_string(host->ctx, "sdr_unavailable", in->found.sdr_why);
	if (!in->ready && in->session.last_error[0])
		host->note_string(host->ctx, "bmc_error", in->session.last_error);
	host->note_number(host->ctx, "power_samples", (double)in->samples, "");
	host->note_number(host->ctx, "failed_power_samples", (double)in->failed_samples, "");
	host->note_number(host->ctx, "session_breaks", (double)in->session.breaks, "");
	host->note_number(host->ctx, "reconnects", (double)in->session.reconnects, "");
	host->note_number(host->ctx, "idle_session_refreshes", (double)in->session.refreshes, "");
	if (in->ready && in->found.power.use_dcmi)
		dcmi_notes(host, &in->cadence);
	if (in->lookahead)
		host->note_string(host->ctx, "end_lookahead", in->lookahead);
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
