/*
 * What kind of metric a series is, in the 1.1 model, and the names results
 * give kinds, units and scopes. A declared metric says so itself; a 1.0
 * reading's kind and unit follow from its quantity (watts are a gauge,
 * joules a counter, CPU time seconds), so both are reduced and reported
 * alike.
 */
#include "internal.h"

#include <math.h>

/* ---- Also defined, identically, by the host's core/metric_decl.c (commit
 * 0762962, written in parallel): weak here so that this branch builds
 * alone and links unchanged once both are merged. Delete these four then. */

__attribute__((weak)) void em_quantity_kind_unit(uint32_t quantity, uint32_t *kind, uint32_t *unit)
{
	static const struct { uint32_t quantity, kind, unit; } map[] = {
		{ENERGY_Q_POWER_W, ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT},
		{ENERGY_Q_ENERGY_J, ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE},
		{ENERGY_Q_TEMPERATURE_C, ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS},
		{ENERGY_Q_VOLTAGE_V, ENERGY_KIND_GAUGE, ENERGY_UNIT_VOLT},
		{ENERGY_Q_CURRENT_A, ENERGY_KIND_GAUGE, ENERGY_UNIT_AMPERE},
		{ENERGY_Q_FAN_RPM, ENERGY_KIND_GAUGE, ENERGY_UNIT_RPM},
		{ENERGY_Q_CPU_TIME_S, ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND},
		{ENERGY_Q_COUNT, ENERGY_KIND_COUNTER, ENERGY_UNIT_COUNT},
	};
	*kind = *unit = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].quantity == quantity) {
			*kind = map[i].kind;
			*unit = map[i].unit;
		}
}

__attribute__((weak)) const char *em_kind_name(uint32_t kind)
{
	switch (kind) {
	case ENERGY_KIND_COUNTER: return "counter";
	case ENERGY_KIND_GAUGE: return "gauge";
	case ENERGY_KIND_SECONDS: return "seconds";
	default: return NULL;
	}
}

__attribute__((weak)) const char *em_unit_symbol(uint32_t unit)
{
	static const char *const symbols[] = {NULL, "J", "W", "s", "degC", "V", "A", "RPM", "Hz", "ratio", "1"};
	return unit < sizeof(symbols) / sizeof(symbols[0]) ? symbols[unit] : NULL;
}

__attribute__((weak)) const char *em_series_unit(const struct em_series *s)
{
	if (s->unit == ENERGY_UNIT_COUNT && s->unit_name[0])
		return s->unit_name;
	return em_unit_symbol(s->unit) ? em_unit_symbol(s->unit) : "";
}

/* ---- the result model's own ---- */

uint32_t em_series_kind(const struct em_series *s)
{
	uint32_t kind, unit;
	if (s->kind)
		return s->kind;
	em_quantity_kind_unit(s->quantity, &kind, &unit);
	return kind;
}

uint32_t em_series_unit_id(const struct em_series *s)
{
	uint32_t kind, unit;
	if (s->unit)
		return s->unit;
	em_quantity_kind_unit(s->quantity, &kind, &unit);
	return unit;
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
