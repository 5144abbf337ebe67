/*
 * ipmi_reading_config.h — the keys that choose which DCMI figure becomes
 * the power reading and what bounds bursts the BMC does not show
 * (ipmi_power_reading, ipmi_max_power_w).
 */
#ifndef IPMI_READING_CONFIG_H
#define IPMI_READING_CONFIG_H

#include <stddef.h>

#include "ipmi_config.h"

/* Fill cfg->power_reading and cfg->max_power_w. Returns 0, or -EINVAL (a
 * bad value) or the host's -errno (a value it could not hand over), with
 * `why` naming the key. */
int ipmi_reading_config_load(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len);

/* "instantaneous" or "average", for notes. */
const char *ipmi_power_reading_name(enum dcmi_power_choice choice);

#endif
