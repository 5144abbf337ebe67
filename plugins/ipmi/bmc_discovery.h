/*
 * bmc_discovery.h — what the plugin learns from a BMC once, on the first
 * session that opens: its SDR sensors and where its power reading comes
 * from. Done in create() for a one-shot run; for a monitor that must not
 * wait for a BMC that is down, on the background connection attempt that
 * first reaches it (see bmc_session.h, after_open).
 */
#ifndef BMC_DISCOVERY_H
#define BMC_DISCOVERY_H

#include <stddef.h>

#include "bmc_session.h"
#include "energy_plugin.h"
#include "ipmi_config.h"
#include "power_source.h"
#include "sdr_catalog.h"

struct bmc_discovery {
	const struct ipmi_config *cfg;
	struct sdr_catalog catalog;
	int have_catalog;
	char sdr_why[ENERGY_REASON_MAX]; /* why there is no catalog, when there is none */
	struct power_source power;
	int done;                        /* power source chosen: the plugin can sample */
};

/* Read the SDR (when sensors or the SDR power source may need it) and choose
 * the power source over the open session `s`. Touches nothing but `d` and
 * the BMC, so it may run on a background attempt's thread. Returns 0, or a
 * negative errno with `why` naming the BMC (-ENODEV: no power reading). */
int bmc_discover(struct bmc_session *s, struct bmc_discovery *d, char *why, size_t why_len);

/* bmc_discover() as a bmc_after_open_fn; `arg` is the struct bmc_discovery. */
int bmc_discover_after_open(struct bmc_session *fresh, void *arg, char *why, size_t why_len);

void bmc_discovery_free(struct bmc_discovery *d);

#endif
