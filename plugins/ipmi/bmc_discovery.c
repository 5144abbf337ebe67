/*
 * bmc_discovery.c — learn the BMC's sensors and power source on an open
 * session. The sensor reader used to try the SDR power source is private to
 * this call: it is bound to the session's FreeIPMI context, and the plugin
 * makes its own for whichever context it samples on.
 */
#include "bmc_discovery.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int bmc_discover(struct bmc_session *s, struct bmc_discovery *d, char *why, size_t why_len)
{
	const struct ipmi_config *cfg = d->cfg;
	if (d->done)
		return 0;
	if (!d->have_catalog && (cfg->sensors || power_source_may_need_sdr(cfg))) {
		d->sdr_why[0] = '\0';
		if (sdr_catalog_load(&d->catalog, s, cfg->sdr_cache_dir, d->sdr_why, sizeof(d->sdr_why)) == 0)
			d->have_catalog = 1;
	}
	ipmi_sensor_read_ctx_t reader = ipmi_sensor_read_ctx_create(s->ctx);
	if (!reader) {
		snprintf(why, why_len, "out of memory for a sensor reader");
		return -ENOMEM;
	}
	int rc = power_source_choose(&d->power, s, cfg, d->have_catalog ? &d->catalog : NULL, reader, why,
				     why_len);
	ipmi_sensor_read_ctx_destroy(reader);
	if (rc == 0)
		d->done = 1;
	return rc;
}

int bmc_discover_after_open(struct bmc_session *fresh, void *arg, char *why, size_t why_len)
{
	return bmc_discover(fresh, arg, why, why_len);
}

void bmc_discovery_free(struct bmc_discovery *d)
{
	sdr_catalog_free(&d->catalog);
	d->have_catalog = 0;
	d->done = 0;
}
