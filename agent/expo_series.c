/* Families with one sample per series: energy, power, sensors, timestamps. */
#include "expo_family.h"

#include <math.h>
#include <string.h>

/* Series the page shows: each family picks its own by unit and kind. */
enum series_family { ENERGY, POWER, TEMPERATURE, FAN, VOLTAGE, CURRENT, TIMESTAMP, NFAMILIES };

static void series_labels(struct expo_page *p, const struct em_live_source *src, const struct em_live_series *s)
{
	expo_source_labels(p, src);
	expo_label(p, "metric", s->key);
	expo_label(p, "scope", s->scope);
	expo_label_uint(p, "index", s->index);
	if (s->sensor[0])
		expo_label(p, "sensor", s->sensor);
}

static bool is_gauge(const struct em_live_series *s, const char *unit)
{
	return !strcmp(s->kind, "gauge") && !strcmp(s->unit, unit);
}

/* The value family f shows for the series, or NAN when it shows none.
 * Gauges of a source that is down are left out: a stale reading is not
 * the current one (its time stays in the timestamp family). */
static double value_for(enum series_family f, const struct em_live_source *src, const struct em_live_series *s)
{
	bool fresh = src->up && isfinite(s->value);
	switch (f) {
	case ENERGY:
		return s->energy_j;
	case POWER:
		return fresh && is_gauge(s, "W") ? s->value : NAN;
	case TEMPERATURE:
		return fresh && is_gauge(s, "degC") ? s->value : NAN;
	case FAN:
		return fresh && is_gauge(s, "RPM") ? s->value : NAN;
	case VOLTAGE:
		return fresh && is_gauge(s, "V") ? s->value : NAN;
	case CURRENT:
		return fresh && is_gauge(s, "A") ? s->value : NAN;
	case TIMESTAMP:
		return s->value_s;
	default:
		return NAN;
	}
}

void expo_series_families(struct expo_page *p)
{
	struct expo_family fam[NFAMILIES] = {
		[ENERGY] = FAMILY("energymon_energy_joules_total", "counter",
		            "Energy since the source started (a counter's sum or the integral of its power readings), joules."),
		[POWER] = FAMILY("energymon_power_watts", "gauge", "The latest power reading, watts."),
		[TEMPERATURE] = FAMILY("energymon_temperature_celsius", "gauge", "The latest temperature reading, degrees Celsius."),
		[FAN] = FAMILY("energymon_fan_speed_rpm", "gauge", "The latest fan speed reading, revolutions per minute."),
		[VOLTAGE] = FAMILY("energymon_voltage_volts", "gauge", "The latest voltage reading, volts."),
		[CURRENT] = FAMILY("energymon_current_amperes", "gauge", "The latest current reading, amperes."),
		[TIMESTAMP] = FAMILY("energymon_last_sample_timestamp_seconds", "gauge",
		               "When the series' latest reading (and the energy up to it) was taken, unix seconds."),
	};
	for (int f = 0; f < NFAMILIES; f++) {
		struct em_live_source src = {.struct_size = sizeof(src)};
		for (size_t i = 0; em_live_source(p->live, i, &src) == 0; i++) {
			struct em_live_series s = {.struct_size = sizeof(s)};
			for (size_t k = 0; em_live_series(p->live, i, k, &s) == 0; k++) {
				double v = value_for((enum series_family)f, &src, &s);
				if (!isfinite(v))
					continue;
				expo_sample(p, &fam[f]);
				series_labels(p, &src, &s);
				expo_value(p, v);
			}
		}
	}
}
