/* ipmi_exporter's names for the ipmi plugin's readings, so dashboards and
 * alerts written for prometheus-ipmi-exporter work unchanged. Its `id`
 * label (the SDR record id) is not known here and is left out. */
#include "expo_family.h"

#include <math.h>
#include <string.h>

enum { DCMI, TEMPERATURE, FAN, VOLTAGE, CURRENT, POWER, UP, NFAMILIES };

static int family_of(const struct em_live_series *s)
{
	if (strcmp(s->kind, "gauge"))
		return -1;
	/* the whole-server reading is DCMI's only when the plugin got it there
	 * (its fallback sums SDR power sensors: "sdr") */
	if (!strcmp(s->key, "system"))
		return !strcmp(s->unit, "W") && !strcmp(s->sensor, "dcmi") ? DCMI : -1;
	if (!s->sensor[0])
		return -1;
	static const char *const units[] = {[TEMPERATURE] = "degC", [FAN] = "RPM", [VOLTAGE] = "V",
	                                    [CURRENT] = "A", [POWER] = "W"};
	for (int f = TEMPERATURE; f <= POWER; f++)
		if (!strcmp(s->unit, units[f]))
			return f;
	return -1;
}

static void up_sample(struct expo_page *p, struct expo_family *fam, const struct em_live_source *src,
                      const char *collector)
{
	expo_sample(p, fam);
	expo_label(p, "collector", collector);
	expo_source_labels(p, src);
	expo_value(p, src->available && src->up ? 1 : 0);
}

void expo_ipmi_families(struct expo_page *p)
{
	struct expo_family fam[NFAMILIES] = {
		[DCMI] = FAMILY("ipmi_dcmi_power_consumption_watts", "gauge", "Current power consumption in Watts."),
		[TEMPERATURE] = FAMILY("ipmi_temperature_celsius", "gauge", "Temperature reading in degree Celsius."),
		[FAN] = FAMILY("ipmi_fan_speed_rpm", "gauge", "Fan speed in rotations per minute."),
		[VOLTAGE] = FAMILY("ipmi_voltage_volts", "gauge", "Voltage reading in Volts."),
		[CURRENT] = FAMILY("ipmi_current_amperes", "gauge", "Current reading in Amperes."),
		[POWER] = FAMILY("ipmi_power_watts", "gauge", "Power reading in Watts."),
		[UP] = FAMILY("ipmi_up", "gauge", "'1' if a scrape of the IPMI device was successful, '0' otherwise."),
	};
	for (int f = 0; f < NFAMILIES; f++) {
		struct em_live_source src = {.struct_size = sizeof(src)};
		for (size_t i = 0; em_live_source(p->live, i, &src) == 0; i++) {
			if (strcmp(src.plugin, "ipmi"))
				continue;
			bool dcmi = false, sensors = false;
			struct em_live_series s = {.struct_size = sizeof(s)};
			for (size_t k = 0; em_live_series(p->live, i, k, &s) == 0; k++) {
				int sf = family_of(&s);
				dcmi |= sf == DCMI;
				sensors |= sf > DCMI;
				/* a source that is down shows no stale readings */
				if (sf != f || f == UP || !src.up || !isfinite(s.value))
					continue;
				expo_sample(p, &fam[f]);
				if (f != DCMI)
					expo_label(p, "name", s.sensor);
				expo_source_labels(p, &src);
				expo_value(p, s.value);
			}
			if (f == UP) {
				/* before the first reading the collector is still "dcmi" */
				if (dcmi || !sensors)
					up_sample(p, &fam[f], &src, "dcmi");
				if (sensors)
					up_sample(p, &fam[f], &src, "ipmi");
			}
		}
	}
}
