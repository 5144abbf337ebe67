/*
 * power_source.c — choose and read the system power source. DCMI is the
 * BMC's own whole-system number and is preferred; without it, the PSU input
 * power sensors most servers expose in the SDR measure the same thing at the
 * wall side of the power supplies, so their sum is used.
 */
#include "power_source.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dcmi_power.h"

int power_source_may_need_sdr(const struct ipmi_config *cfg)
{
	return cfg->power != IPMI_POWER_DCMI;
}

/* The default rule: a Watts sensor named like a power supply ("PSU1 Input
 * Power", "PS2 Pin", "Power Supply 1") and not its output side. */
static int looks_like_psu_input(const char *name)
{
	char lower[ENERGY_NAME_MAX];
	size_t i = 0;
	for (; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	if (strstr(lower, "out"))
		return 0;
	if (strstr(lower, "psu") || strstr(lower, "power supply"))
		return 1;
	for (const char *p = strstr(lower, "ps"); p; p = strstr(p + 1, "ps")) {
		const char *q = p + 2;
		while (*q == ' ' || *q == '_')
			q++;
		if (isdigit((unsigned char)*q))
			return 1;
	}
	return 0;
}

static void list_watts_sensors(const struct sdr_catalog *cat, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; cat && i < cat->n && used < len; i++)
		if (cat->sensors[i].quantity == ENERGY_Q_POWER_W)
			used += (size_t)snprintf(out + used, len - used, "%s\"%s\"", used ? ", " : "",
						 cat->sensors[i].name);
	if (!out[0])
		snprintf(out, len, "none");
}

int power_source_select_sensors(struct power_source *ps, const struct ipmi_config *cfg,
				const struct sdr_catalog *cat, const char *target, char *why, size_t why_len)
{
	char found[256];
	list_watts_sensors(cat, found, sizeof(found));
	ps->nsensors = 0;
	for (size_t k = 0; k < cfg->npower_sensors; k++) {
		size_t i = 0;
		while (cat && i < cat->n && !(cat->sensors[i].quantity == ENERGY_Q_POWER_W &&
					      strcasecmp(cat->sensors[i].name, cfg->power_sensors[k]) == 0))
			i++;
		if (!cat || i == cat->n) {
			snprintf(why, why_len, "BMC %s: ipmi_power_sensors names \"%s\", which is not an SDR sensor in "
				 "Watts (Watts sensors: %s)", target, cfg->power_sensors[k], found);
			return -ENOENT;
		}
		ps->sensors[ps->nsensors++] = &cat->sensors[i];
	}
	if (cfg->npower_sensors)
		return 0;
	size_t watts = 0, only = 0;
	for (size_t i = 0; cat && i < cat->n; i++) {
		if (cat->sensors[i].quantity != ENERGY_Q_POWER_W)
			continue;
		watts++, only = i;
		if (looks_like_psu_input(cat->sensors[i].name) && ps->nsensors < IPMI_POWER_SENSORS_MAX)
			ps->sensors[ps->nsensors++] = &cat->sensors[i];
	}
	/* One Watts sensor and no PSU names ("Pwr Consumption", "Total Power"): it is the system's. */
	if (ps->nsensors == 0 && watts == 1)
		ps->sensors[ps->nsensors++] = &cat->sensors[only];
	if (ps->nsensors == 0) {
		snprintf(why, why_len, "no SDR sensor in Watts that is PSU input power (Watts sensors: %s%s)", found,
			 watts > 1 ? "; name the ones to sum in ipmi_power_sensors" : "");
		return -ENODEV;
	}
	return 0;
}

static void describe_sdr(struct power_source *ps)
{
	size_t used = (size_t)snprintf(ps->description, sizeof(ps->description), "sdr:");
	for (size_t i = 0; i < ps->nsensors && used < sizeof(ps->description); i++)
		used += (size_t)snprintf(ps->description + used, sizeof(ps->description) - used, "%s%s",
					 i ? "+" : "", ps->sensors[i]->name);
	ps->sensor_label = "sdr";
}

int power_source_choose(struct power_source *ps, struct bmc_session *s, const struct ipmi_config *cfg,
			const struct sdr_catalog *cat, ipmi_sensor_read_ctx_t reader, char *why, size_t why_len)
{
	memset(ps, 0, sizeof(*ps));
	char dcmi_why[ENERGY_REASON_MAX] = "not tried (ipmi_power_source is sdr)";
	if (cfg->power != IPMI_POWER_SDR) {
		struct dcmi_answer r;
		int rc = dcmi_power_read(s, &r, dcmi_why, sizeof(dcmi_why));
		if (rc == 0) {
			ps->use_dcmi = 1;
			snprintf(ps->description, sizeof(ps->description), "dcmi");
			ps->sensor_label = "dcmi";
			return 0;
		}
		if ((rc != -EOPNOTSUPP && rc != -ENODATA) || cfg->power == IPMI_POWER_DCMI) {
			snprintf(why, why_len, "%s", dcmi_why);
			return rc == -EOPNOTSUPP ? -ENODEV : rc;
		}
	}
	char sdr_why[ENERGY_REASON_MAX] = "";
	int rc = cat ? power_source_select_sensors(ps, cfg, cat, s->target, sdr_why, sizeof(sdr_why)) : -ENODEV;
	if (!cat)
		snprintf(sdr_why, sizeof(sdr_why), "the SDR could not be read");
	if (rc == 0) {
		describe_sdr(ps);
		double watts;
		struct ipmi_stamp when;
		rc = power_source_read(ps, s, reader, &watts, &when, NULL, sdr_why, sizeof(sdr_why));
		if (rc == 0)
			return 0;
		if (rc != -ENODATA) {
			snprintf(why, why_len, "%s", sdr_why);
			return rc;
		}
	}
	snprintf(why, why_len, "BMC %s: no power reading available: DCMI: %s; SDR: %s", s->target, dcmi_why, sdr_why);
	return rc == -ENOENT ? -ENOENT : -ENODEV;
}

int power_source_read(const struct power_source *ps, struct bmc_session *s, ipmi_sensor_read_ctx_t reader,
		      double *watts, struct ipmi_stamp *when, struct dcmi_answer *dcmi, char *why, size_t why_len)
{
	if (ps->use_dcmi) {
		struct dcmi_answer r;
		int rc = dcmi_power_read(s, &r, why, why_len);
		if (rc == 0) {
			*watts = r.current_w;
			when->mono_ns = r.mono_ns;
			when->wall_ns = r.wall_ns;
			if (dcmi)
				*dcmi = r;
		}
		return rc;
	}
	struct ipmi_stamp begin = ipmi_stamp_begin(), one;
	double sum = 0;
	for (size_t i = 0; i < ps->nsensors; i++) {
		double w;
		int rc = sdr_sensor_read(reader, s, ps->sensors[i], &w, &one, why, why_len);
		if (rc)
			return rc;
		sum += w;
	}
	*watts = sum;
	*when = ipmi_stamp_midpoint(begin);
	return 0;
}
