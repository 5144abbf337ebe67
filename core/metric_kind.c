/*
 * What kind of metric a series is, in the 1.1 model, and the names results
 * give kinds, units and scopes. A declared metric says so itself; a 1.0
 * reading's kind and unit follow from its quantity (watts are a gauge,
 * joules a counter, CPU time seconds), so both are reduced and reported
 * alike.
 */
#include "internal.h"

#include <math.h>

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
	return name ? name : "unknown";
}

double em_series_std_dev(const struct em_series *s)
{
	return s->readings > 1 ? sqrt(s->m2 / (double)(s->readings - 1)) : NAN;
}
