/*
 * ipmi_reading_config.c — ipmi_power_reading and ipmi_max_power_w. Apart
 * from ipmi_config.c because they concern the reading, not the link.
 */
#include "ipmi_reading_config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *ipmi_power_reading_name(enum dcmi_power_choice choice)
{
	return choice == DCMI_POWER_AVERAGE ? "average" : "instantaneous";
}

static int parse_choice(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	const char *name;
	int rc = ipmi_config_get_string(host, "ipmi_power_reading", "instantaneous", &name, why, why_len);
	if (rc)
		return rc;
	if (strcasecmp(name, "instantaneous") == 0)
		cfg->power_reading = DCMI_POWER_INSTANTANEOUS;
	else if (strcasecmp(name, "average") == 0)
		cfg->power_reading = DCMI_POWER_AVERAGE;
	else {
		snprintf(why, why_len, "ipmi_power_reading \"%s\" is not one of instantaneous, average", name);
		return -EINVAL;
	}
	return 0;
}

static int parse_ceiling(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	struct energy_config_value v;
	memset(&v, 0, sizeof(v));
	/* as ipmi_config.c: only "not set" means the default, never a
	 * value the host could not hand over */
	int rc = host->config_get(host->ctx, "ipmi_max_power_w", &v);
	cfg->max_power_w = 0;
	if (rc == -ENOENT)
		return 0;
	if (rc) {
		snprintf(why, why_len, "configuration key ipmi_max_power_w cannot be read: %s", strerror(-rc));
		return rc;
	}
	/* an upper bound on the server's power: 0 or less bounds nothing,
	 * and no server draws a megawatt through one BMC */
	if (!(v.number > 0 && v.number <= 1e6)) {
		snprintf(why, why_len, "ipmi_max_power_w is %g W; accepted: above 0 W, at most 1000000 W (the most "
			 "this server can draw, e.g. its power supplies' rating)", v.number);
		return -EINVAL;
	}
	cfg->max_power_w = v.number;
	return 0;
}

static int parse_lookahead(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	struct energy_config_value v;
	memset(&v, 0, sizeof(v));
	int rc = host->config_get(host->ctx, "ipmi_end_lookahead", &v);
	cfg->end_lookahead = rc == -ENOENT ? 1 : v.boolean != 0;
	if (rc && rc != -ENOENT)
		snprintf(why, why_len, "configuration key ipmi_end_lookahead cannot be read: %s", strerror(-rc));
	return rc == -ENOENT ? 0 : rc;
}

int ipmi_reading_config_load(const struct energy_host *host, struct ipmi_config *cfg, char *why, size_t why_len)
{
	int rc = parse_choice(host, cfg, why, why_len);
	if (!rc)
		rc = parse_ceiling(host, cfg, why, why_len);
	return rc ? rc : parse_lookahead(host, cfg, why, why_len);
}
