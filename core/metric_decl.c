/*
 * Declared metrics (ABI 1.1): checking a plugin's declaration, and the
 * names of kinds and units. A declaration with an empty key asks for
 * energymon's own key for its kind, unit and scope; its series is then made
 * to look exactly like the one a 1.0 reading would have made (same quantity,
 * scope and sensor), so every rule that files 1.0 readings under the Lithops
 * keys files it too.
 */
#include "internal.h"
#include "result_keys.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void em_quantity_kind_unit(uint32_t quantity, uint32_t *kind, uint32_t *unit)
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

const char *em_kind_name(uint32_t kind)
{
	switch (kind) {
	case ENERGY_KIND_COUNTER: return "counter";
	case ENERGY_KIND_GAUGE: return "gauge";
	case ENERGY_KIND_SECONDS: return "seconds";
	default: return NULL;
	}
}

const char *em_unit_symbol(uint32_t unit)
{
	static const char *const symbols[] = {NULL, "J", "W", "s", "degC", "V", "A", "RPM", "Hz", "ratio", "1"};
	return unit < sizeof(symbols) / sizeof(symbols[0]) ? symbols[unit] : NULL;
}

const char *em_series_unit(const struct em_series *s)
{
	if (s->unit == ENERGY_UNIT_COUNT && s->unit_name[0])
		return s->unit_name;
	return em_unit_symbol(s->unit) ? em_unit_symbol(s->unit) : "";
}

/* What a 1.0 reading of energymon's own key would have been. */
static int own_key_reading(const struct energy_metric *m, uint32_t *quantity, char *sensor, size_t len)
{
	bool energy_scope = m->scope == ENERGY_SCOPE_SYSTEM || m->scope == ENERGY_SCOPE_CPU_PACKAGE ||
	                    m->scope == ENERGY_SCOPE_CPU_CORES || m->scope == ENERGY_SCOPE_CPU_UNCORE ||
	                    m->scope == ENERGY_SCOPE_DRAM;
	snprintf(sensor, len, "index-%u", m->index);
	if (m->kind == ENERGY_KIND_GAUGE && m->unit == ENERGY_UNIT_WATT && m->scope == ENERGY_SCOPE_SYSTEM)
		*quantity = ENERGY_Q_POWER_W;
	else if (m->kind == ENERGY_KIND_COUNTER && m->unit == ENERGY_UNIT_JOULE && energy_scope)
		*quantity = ENERGY_Q_ENERGY_J;
	else if (m->kind == ENERGY_KIND_SECONDS && m->scope == ENERGY_SCOPE_PROCESS)
		*quantity = ENERGY_Q_CPU_TIME_S, snprintf(sensor, len, "tree");
	else if (m->kind == ENERGY_KIND_SECONDS && m->scope == ENERGY_SCOPE_SYSTEM)
		*quantity = ENERGY_Q_CPU_TIME_S, snprintf(sensor, len, "busy");
	else
		return -EINVAL;
	return 0;
}

static bool key_well_formed(const char *key)
{
	size_t n = strnlen(key, ENERGY_NAME_MAX);
	if (n == 0 || n >= ENERGY_NAME_MAX || key[0] < 'a' || key[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
			return false;
	return true;
}

static bool unit_fits_kind(uint32_t kind, uint32_t unit)
{
	if (kind == ENERGY_KIND_SECONDS)
		return unit == ENERGY_UNIT_SECOND;
	if (kind == ENERGY_KIND_COUNTER)
		return unit == ENERGY_UNIT_JOULE || unit == ENERGY_UNIT_COUNT;
	return kind == ENERGY_KIND_GAUGE && em_unit_symbol(unit);
}

int em_metric_series(const struct energy_metric *in, struct em_series *s, char *why, size_t len)
{
	struct energy_metric m;
	memset(&m, 0, sizeof(m));
	if (!in || in->struct_size < offsetof(struct energy_metric, counter_max) + sizeof(m.counter_max))
		return snprintf(why, len, "struct energy_metric too small (struct_size %u)", in ? in->struct_size : 0),
		       -EINVAL;
	memcpy(&m, in, sizeof(m) < in->struct_size ? sizeof(m) : in->struct_size);
	/* a key that fills its array without a NUL is too long: refused, not cut */
	if (!memchr(m.key, '\0', sizeof(m.key)))
		return snprintf(why, len, "metric key '%.*s...': use 1-63 characters of a-z, 0-9 and '_', starting "
		                "with a letter", 16, m.key),
		       -EINVAL;
	if (!memchr(m.unit_name, '\0', sizeof(m.unit_name)))
		return snprintf(why, len, "metric '%s': unit_name has no terminating NUL within its %d bytes", m.key,
		                ENERGY_UNIT_NAME_MAX),
		       -EINVAL;
	m.key[sizeof(m.key) - 1] = '\0';
	m.unit_name[sizeof(m.unit_name) - 1] = '\0';
	em_utf8_sanitize(m.key);
	if (!em_kind_name(m.kind) || !em_unit_symbol(m.unit) || !em_scope_name(m.scope))
		return snprintf(why, len, "metric '%s': unknown kind %u, unit %u or scope %u", m.key, m.kind, m.unit,
		                m.scope),
		       -EINVAL;
	if (!unit_fits_kind(m.kind, m.unit))
		return snprintf(why, len, "metric '%s': a %s cannot be in %s", m.key, em_kind_name(m.kind),
		                em_unit_symbol(m.unit)),
		       -EINVAL;
	/* a CPU share of a temperature or of a count of requests means nothing */
	if ((m.flags & ENERGY_METRIC_ATTRIBUTABLE) && m.unit != ENERGY_UNIT_JOULE && m.unit != ENERGY_UNIT_WATT)
		return snprintf(why, len, "metric '%s': only energy (J) or power (W) can be attributable by CPU share, "
		                "not %s", m.key, em_unit_symbol(m.unit)),
		       -EINVAL;
	/* one tree's part of a gauge (a temperature, a power) means nothing:
	 * parts of cumulative counts add up to the whole */
	if ((m.flags & ENERGY_METRIC_PER_TARGET) && m.kind != ENERGY_KIND_COUNTER && m.kind != ENERGY_KIND_SECONDS)
		return snprintf(why, len, "metric '%s': only a counter or cumulative seconds can be reported per target, "
		                "not a %s", m.key, em_kind_name(m.kind)),
		       -EINVAL;
	if (!(m.counter_max >= 0 && m.counter_max < 1e300))
		return snprintf(why, len, "metric '%s': counter_max must be finite and >= 0", m.key), -EINVAL;
	memset(s, 0, sizeof(*s));
	s->declared = true;
	s->kind = m.kind;
	s->unit = m.unit;
	s->scope = m.scope;
	s->index = m.index;
	s->metric_flags = m.flags;
	s->counter_max = m.counter_max;
	/* 1.3: the copy above stopped at a pre-1.3 plugin's struct_size, so
	 * its (shorter) struct left this 0, never the bytes beyond it. Nonsense
	 * is "not said", as for a reading's (series.c): 1e308 made the bound
	 * infinite. */
	s->resolution = m.resolution > 0 && m.resolution <= EM_UNC_MAGNITUDE_MAX ? m.resolution : 0;
	s->keep_every = 1;
	if (m.unit == ENERGY_UNIT_COUNT) {
		snprintf(s->unit_name, sizeof(s->unit_name), "%s", m.unit_name[0] ? m.unit_name : "1");
		em_utf8_sanitize(s->unit_name);
	}
	if (!m.key[0]) {
		if (own_key_reading(&m, &s->quantity, s->sensor, sizeof(s->sensor)))
			return snprintf(why, len, "energymon has no key of its own for a %s in %s at %s scope: declare "
			                "the metric with a key", em_kind_name(m.kind), em_unit_symbol(m.unit),
			                em_scope_name(m.scope)),
			       -EINVAL;
		return 0;
	}
	if (!key_well_formed(m.key))
		return snprintf(why, len, "metric key '%s': use 1-63 characters of a-z, 0-9 and '_', starting with "
		                "a letter", m.key),
		       -EINVAL;
	if (em_result_key_reserved(m.key))
		return snprintf(why, len, "metric key '%s' is energymon's own (or starts with energy_ or "
		                "attributed_); declare it with an empty key to report energymon's own metric", m.key),
		       -EINVAL;
	snprintf(s->key, sizeof(s->key), "%s", m.key);
	return 0;
}
