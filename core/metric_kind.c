/*
 * What kind of metric a series is, in the 1.1 model, and the names results
 * give kinds, units and scopes. A declared metric says so itself; a 1.0
 * reading's kind and unit follow from its quantity (watts are a gauge,
 * joules a counter, CPU time seconds), so both are reduced and reported
 * alike.
 */
#include "internal.h"

#include <math.h>

/* 1.0 readings carry a quantity; their kind and unit follow from it. */
uint32_t em_series_kind(const struct em_series *s)
{
	if (s->kind)
		return s->kind;
	switch (s->quantity) {
	case ENERGY_Q_ENERGY_J:
	case ENERGY_Q_COUNT: return ENERGY_KIND_COUNTER;
	case ENERGY_Q_CPU_TIME_S: return ENERGY_KIND_SECONDS;
	default: return ENERGY_KIND_GAUGE;
	}
}

uint32_t em_series_unit(const struct em_series *s)
{
	if (s->unit)
		return s->unit;
	static const uint32_t by_quantity[] = {
		[ENERGY_Q_POWER_W] = ENERGY_UNIT_WATT,       [ENERGY_Q_ENERGY_J] = ENERGY_UNIT_JOULE,
		[ENERGY_Q_TEMPERATURE_C] = ENERGY_UNIT_CELSIUS, [ENERGY_Q_VOLTAGE_V] = ENERGY_UNIT_VOLT,
		[ENERGY_Q_CURRENT_A] = ENERGY_UNIT_AMPERE,   [ENERGY_Q_FAN_RPM] = ENERGY_UNIT_RPM,
		[ENERGY_Q_CPU_TIME_S] = ENERGY_UNIT_SECOND,  [ENERGY_Q_COUNT] = ENERGY_UNIT_COUNT,
	};
	return s->quantity < sizeof(by_quantity) / sizeof(by_quantity[0]) ? by_quantity[s->quantity] : 0;
}

const char *em_unit_symbol(uint32_t unit, const char *unit_name)
{
	static const char *const symbols[] = {
		[ENERGY_UNIT_JOULE] = "J",   [ENERGY_UNIT_WATT] = "W",  [ENERGY_UNIT_SECOND] = "s",
		[ENERGY_UNIT_CELSIUS] = "degC", [ENERGY_UNIT_VOLT] = "V", [ENERGY_UNIT_AMPERE] = "A",
		[ENERGY_UNIT_RPM] = "RPM",   [ENERGY_UNIT_HERTZ] = "Hz", [ENERGY_UNIT_RATIO] = "ratio",
	};
	if (unit == ENERGY_UNIT_COUNT)
		return unit_name && unit_name[0] ? unit_name : "1";
	return unit < sizeof(symbols) / sizeof(symbols[0]) && symbols[unit] ? symbols[unit] : "";
}

const char *em_kind_name(uint32_t kind)
{
	switch (kind) {
	case ENERGY_KIND_COUNTER: return "counter";
	case ENERGY_KIND_GAUGE: return "gauge";
	case ENERGY_KIND_SECONDS: return "seconds";
	default: return "unknown";
	}
}

const char *em_scope_label(uint32_t scope)
{
	const char *name = em_scope_name(scope);
	if (name)
		return name;
	switch (scope) {
	case ENERGY_SCOPE_ACCELERATOR: return "accelerator";
	case ENERGY_SCOPE_OTHER: return "other";
	default: return "unknown";
	}
}

double em_series_std_dev(const struct em_series *s)
{
	return s->readings > 1 ? sqrt(s->m2 / (double)(s->readings - 1)) : NAN;
}
