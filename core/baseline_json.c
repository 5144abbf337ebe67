/*
 * What the idle baseline makes of a source's energies: idle power with its
 * bound, and dynamic energy = total - idle power x the time the total
 * covers. The two bounds come from separate measurements, so they combine
 * as worst cases: dynamic low = total low - idle high x time, and so on.
 */
#include "internal.h"
#include "result_keys.h"

#include <math.h>
#include <string.h>

static const struct em_idle_key *idle_key(const struct em_baseline *b, const char *source, const char *key)
{
	for (size_t i = 0; b && i < b->nsources; i++) {
		if (strcmp(b->sources[i].name, source))
			continue;
		for (size_t k = 0; k < b->sources[i].nkeys; k++)
			if (!strcmp(b->sources[i].keys[k].key, key))
				return &b->sources[i].keys[k];
	}
	return NULL;
}

void em_baseline_fill(const struct em_baseline *b, const char *source, struct em_metric_result *m, size_t n)
{
	for (size_t i = 0; i < n; i++, m++) {
		em_bound_none(&m->dynamic);
		m->idle_w = m->idle_low_w = m->idle_high_w = NAN;
		const struct em_idle_key *k = idle_key(b, source, m->key);
		if (!k || !m->bound.method || !(k->covered_s > 0) || !(m->covered_s >= 0))
			continue;
		m->idle_w = k->energy_j / k->covered_s;
		m->idle_low_w = k->low_j / k->covered_s;
		m->idle_high_w = k->high_j / k->covered_s;
		double t = m->covered_s;
		struct em_bound *d = &m->dynamic;
		*d = m->bound;
		d->value = m->value - m->idle_w * t;
		d->low = m->bound.low - m->idle_high_w * t;
		d->high = m->bound.high - m->idle_low_w * t;
		d->half_width = fmax(d->high - d->value, d->value - d->low);
		d->method = "the total's 95 % bound less the idle power's bound x the time the total covers, as worst "
		            "cases (the two were measured apart)";
	}
}

static json_t *range(double value, double low, double high)
{
	return json_pack("{s:f,s:f,s:f}", "value", value, "low", low, "high", high);
}

json_t *em_baseline_json(const struct em_baseline *b, const struct em_metric_result *m, size_t n)
{
	if (!b)
		return NULL;
	json_t *windows = json_array(), *idle = json_object(), *dynamic = json_object();
	for (size_t i = 0; i < b->nwindows; i++)
		json_array_append_new(windows, json_pack("[f,f]", b->windows[i][0], b->windows[i][1]));
	for (size_t i = 0; i < n; i++, m++) {
		if (!m->dynamic.method)
			continue;
		json_object_set_new(idle, m->key, range(m->idle_w, m->idle_low_w, m->idle_high_w));
		json_t *d = range(m->dynamic.value, m->dynamic.low, m->dynamic.high);
		json_object_set_new(d, "half_width", json_real(m->dynamic.half_width));
		json_object_set_new(d, "method", json_string(m->dynamic.method));
		json_object_set_new(dynamic, m->key, d);
	}
	const char *why = b->reason[0]                   ? b->reason
	                  : json_object_size(idle) == 0 ? "no energy of this source was measured while idle"
	                                                : NULL;
	return json_pack("{s:f,s:f,s:o,s:o,s:o,s:o}", "before_s", b->before_s, "after_s", b->after_s, "windows",
	                 windows, "idle_power_w", idle, "dynamic_j", dynamic, "reason",
	                 why ? json_string(why) : json_null());
}
