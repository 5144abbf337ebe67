/*
 * One source's typed result, built once at stop from its series: every
 * metric it measured with its value, unit, kind, scope and coverage, under
 * energymon's own key (by the rules of result_keys.c) or under the key the
 * plugin declared. A value that cannot be given is NAN with the reason.
 */
#include "internal.h"
#include "result_keys.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct em_metric_result *em_result_metric_find(const struct em_metric_result *m, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].key, key))
			return &m[i];
	return NULL;
}

/* A series filed under energymon's keys: a 1.0 reading's, or a declared
 * metric with an empty key. A 1.0 CPU-time reading of the whole machine is
 * busy time only from the sensor named "busy" (plugins also emit "idle"). */
static bool files_under(const struct em_series *s, const struct em_key_rule *rule)
{
	if (s->declared && s->key[0])
		return false;
	if (em_series_kind(s) != rule->kind || em_series_unit_id(s) != rule->unit)
		return false;
	if (rule->stat == EM_STAT_SENSOR_MEAN) /* any scope, split by sensor name as the seed did */
		return (strcasestr(s->sensor, "cpu") != NULL) == (rule->cpu_sensors != 0);
	if (s->scope != rule->scope)
		return false;
	return !(rule->kind == ENERGY_KIND_SECONDS && rule->scope == ENERGY_SCOPE_SYSTEM && !s->declared &&
	         strcmp(s->sensor, "busy") != 0);
}

/* Which key a series is reported under: 1 its declared key, 2 its
 * quantity's name, 3 + i em_key_rules[i] (0 is "not known yet" in
 * em_series.key_slot). */
static uint8_t key_slot(const struct em_series *s)
{
	if (s->declared && s->key[0])
		return 1;
	for (uint8_t i = 0; em_key_rules[i].key; i++)
		if (em_key_rules[i].stat == EM_STAT_TOTAL && files_under(s, &em_key_rules[i]))
			return (uint8_t)(3 + i);
	return 2;
}

static const char *key_in_slot(const struct em_series *s, uint8_t slot)
{
	if (slot == 1)
		return s->key;
	if (slot >= 3)
		return em_key_rules[slot - 3].key;
	const char *quantity = em_quantity_name(s->quantity);
	return quantity ? quantity : "unknown";
}

const char *em_series_result_key(const struct em_series *s)
{
	return key_in_slot(s, key_slot(s));
}

const char *em_series_result_key_cached(struct em_series *s)
{
	if (!s->key_slot)
		s->key_slot = key_slot(s);
	return key_in_slot(s, s->key_slot);
}

static const char *too_few(const struct em_series *s)
{
	return s->readings ? "only one reading: a total needs two" : "no readings";
}

static struct em_metric_result *add_metric(struct em_source_result *r, const char *key,
                                           const struct em_series *s)
{
	struct em_metric_result *m = &r->metrics[r->nmetrics++];
	memset(m, 0, sizeof(*m));
	snprintf(m->key, sizeof(m->key), "%s", key);
	m->series = s;
	m->kind = em_series_kind(s);
	m->unit = em_series_unit_id(s);
	m->scope = s->scope;
	m->index = s->index;
	m->value = m->covered_s = m->energy_j = NAN;
	em_bound_none(&m->bound);
	m->source = r->src->name;
	return m;
}

/* An energymon key from the source's series, following its rule. */
static void own_key(struct em_source_result *r, const struct em_key_rule *rule)
{
	const struct em_source *src = r->src;
	const struct em_series *first = NULL, *measured = NULL;
	double total = 0, weight = 0, least = NAN, gap_s = 0;
	struct em_unc unc = {0};
	bool bounded = true;
	uint64_t readings = 0;
	const char *reason = NULL;
	for (size_t i = 0; i < src->nseries; i++) {
		const struct em_series *s = &src->series[i];
		if (!files_under(s, rule) || (s->readings < 2 && !s->declared && rule->stat != EM_STAT_SENSOR_MEAN))
			continue;
		if (!first)
			first = s;
		if (s->reason[0] && !reason)
			reason = s->reason;
		readings += s->readings;
		if (rule->stat == EM_STAT_SENSOR_MEAN) {
			total += s->mean * (double)s->readings;
			weight += (double)s->readings;
		} else if (s->readings >= 2) {
			if (!measured)
				measured = s;
			total += s->total;
			if (!(s->covered_s >= least))
				least = s->covered_s;
			struct em_unc one;
			bounded &= em_series_unc(s, &one) && !s->unc_lost;
			em_unc_add(&unc, &one); /* the series of one key are independent sensors */
			gap_s += s->gap_s;
		}
	}
	if (!first)
		return;
	const struct em_series *one = measured ? measured : first; /* the series a statistic is of */
	struct em_metric_result *m = add_metric(r, rule->key, one);
	m->row = em_result_key_find(rule->key);
	m->kind = rule->kind;
	m->scope = rule->scope;
	m->unit_symbol = m->row->unit;
	m->readings = rule->stat == EM_STAT_TOTAL || rule->stat == EM_STAT_SENSOR_MEAN ? readings : one->readings;
	char attributed[EM_RESULT_KEY_MAX];
	snprintf(attributed, sizeof(attributed), EM_ATTRIBUTED_PREFIX "%s", rule->key);
	m->attributable = em_result_key_find(attributed) != NULL;
	if (reason) {
		m->reason = reason;
		return;
	}
	if (rule->stat == EM_STAT_SENSOR_MEAN) {
		m->value = weight > 0 ? total / weight : NAN;
		m->reason = weight > 0 ? NULL : "no readings";
		return;
	}
	if (!measured) {
		m->reason = too_few(first);
		return;
	}
	m->covered_s = rule->stat == EM_STAT_TOTAL ? least : one->covered_s;
	switch (rule->stat) {
	case EM_STAT_TOTAL: m->value = total; break;
	case EM_STAT_TIME_MEAN: m->value = one->covered_s > 0 ? one->total / one->covered_s : NAN; break;
	case EM_STAT_MIN: m->value = one->min; break;
	case EM_STAT_MAX: m->value = one->max; break;
	case EM_STAT_STD_DEV: m->value = em_series_std_dev(one); break;
	}
	if (rule->stat == EM_STAT_TOTAL && rule->kind == ENERGY_KIND_GAUGE && rule->unit == ENERGY_UNIT_WATT)
		m->energy_j = total;
	if (rule->stat == EM_STAT_TOTAL && m->row->role == EM_ROLE_ENERGY && bounded)
		em_bound_of(&unc, total, gap_s, &m->bound);
	if (isnan(m->value))
		m->reason = "no time was covered between readings";
}

/* cpu_share: the tree's CPU time over the machine's busy time. */
static void cpu_share(struct em_source_result *r)
{
	const struct em_result_key *tree = em_result_key_of_metric(ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND,
	                                                           ENERGY_SCOPE_PROCESS);
	const struct em_result_key *busy = em_result_key_of_metric(ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND,
	                                                           ENERGY_SCOPE_SYSTEM);
	const struct em_metric_result *t = em_result_metric_find(r->metrics, r->nmetrics, tree->key);
	const struct em_metric_result *b = em_result_metric_find(r->metrics, r->nmetrics, busy->key);
	if (!t || !b || isnan(t->value) || isnan(b->value))
		return;
	const struct em_result_key *row = em_result_keys;
	while (row->key && row->role != EM_ROLE_RATIO)
		row++;
	struct em_metric_result *m = add_metric(r, row->key, t->series);
	m->row = row;
	m->unit = ENERGY_UNIT_RATIO;
	m->unit_symbol = row->unit;
	m->readings = t->readings;
	m->covered_s = t->covered_s < b->covered_s ? t->covered_s : b->covered_s;
	m->value = b->value > 0 ? t->value / b->value : NAN;
	m->reason = b->value > 0 ? NULL : "the machine's busy CPU time did not grow";
}

/* A metric the plugin declared, under its own key. */
static void declared_metric(struct em_source_result *r, const struct em_series *s)
{
	struct em_metric_result *m = add_metric(r, s->key, s);
	m->declared = true;
	m->attributable = s->metric_flags & ENERGY_METRIC_ATTRIBUTABLE;
	m->unit_symbol = em_series_unit(s);
	m->readings = s->readings;
	if (s->reason[0]) {
		m->reason = s->reason;
		return;
	}
	if (s->readings < 2) {
		m->reason = too_few(s);
		return;
	}
	m->covered_s = s->covered_s;
	if (m->kind != ENERGY_KIND_GAUGE)
		m->value = s->total;
	else if (s->covered_s > 0)
		m->value = s->total / s->covered_s; /* time-weighted mean */
	else
		m->reason = "no time was covered between readings";
	if (m->kind == ENERGY_KIND_GAUGE && m->unit == ENERGY_UNIT_WATT)
		m->energy_j = s->total;
	struct em_unc unc;
	bool energy = m->unit == ENERGY_UNIT_JOULE || (m->kind == ENERGY_KIND_GAUGE && m->unit == ENERGY_UNIT_WATT);
	if (energy && em_series_unc(s, &unc) && !s->unc_lost)
		em_bound_of(&unc, m->kind == ENERGY_KIND_GAUGE ? s->total : m->value, s->gap_s, &m->bound);
}

/* A value that says energy or CPU time was measured (temperatures alone do not). */
static bool is_measurement(const struct em_metric_result *m)
{
	return !isnan(m->value) && (m->declared || m->row->role != EM_ROLE_TEMPERATURE);
}

/* The least time any energy-bearing series covers: a watt gauge, a joule
 * counter, CPU seconds, or a declared metric with a value. */
static double least_covered(const struct em_source *src)
{
	double least = NAN;
	for (size_t i = 0; i < src->nseries; i++) {
		const struct em_series *s = &src->series[i];
		uint32_t unit = em_series_unit_id(s);
		bool bearing = s->declared ? s->key[0] && !s->reason[0]
		                           : unit == ENERGY_UNIT_WATT || unit == ENERGY_UNIT_JOULE ||
		                                     unit == ENERGY_UNIT_SECOND;
		if (bearing && s->readings > 1 && !(s->covered_s >= least))
			least = s->covered_s;
	}
	return least;
}

static void status(const struct em_monitor *mon, struct em_source_result *r)
{
	const struct em_source *src = r->src;
	bool gaps = false;
	for (size_t i = 0; i < src->nseries; i++)
		gaps |= src->series[i].gaps > 0;
	for (size_t i = 0; r->available && i < r->nmetrics; i++)
		r->measured |= is_measurement(&r->metrics[i]);
	/* An abandoned source covered the run up to its last sample that returned. */
	int64_t end_mono = src->abandoned ? src->covered_mono : src->stop_mono;
	r->timestamp = src->started ? (double)src->start_wall / 1e9 : NAN;
	r->duration = src->started ? (double)(end_mono - src->start_mono) / 1e9 : NAN;
	if (!src->started && mon->stopped) {
		/* a placeholder still says when the measurement it stands for ran */
		r->timestamp = (double)mon->start_wall / 1e9;
		r->duration = (double)(mon->stop_mono - mon->start_mono) / 1e9;
	}
	r->complete = r->measured && !gaps && !src->abandoned && !src->dropped_readings;
	r->covered_s = r->measured ? least_covered(src) : NAN;
	/* what the plugin said when it failed (a sample, or stop: a RAPL counter
	 * still dead at the end) beats the bare fact that nothing came */
	const char *said = src->first_failure[0] ? src->first_failure : src->recent_failure;
	r->reason = !src->available ? src->reason
	            : r->measured   ? NULL
	            : said[0]       ? said
	                            : "the plugin emitted no energy, power or CPU-time readings";
}

int em_source_result_build(const struct em_monitor *mon, const struct em_source *src, struct em_source_result *out)
{
	memset(out, 0, sizeof(*out));
	out->src = src;
	out->available = src->available;
	size_t nrules = 0;
	while (em_key_rules[nrules].key)
		nrules++;
	out->metrics = calloc(nrules + 1 + src->nseries, sizeof(*out->metrics));
	if (!out->metrics)
		return -ENOMEM;
	for (size_t i = 0; src->available && i < nrules; i++)
		own_key(out, &em_key_rules[i]);
	if (src->available)
		cpu_share(out);
	for (size_t i = 0; src->available && i < src->nseries; i++)
		if (src->series[i].declared && src->series[i].key[0])
			declared_metric(out, &src->series[i]);
	status(mon, out);
	em_baseline_fill(mon->baseline, src->name, out->metrics, out->nmetrics);
	return 0;
}

void em_source_result_free(struct em_source_result *r)
{
	free(r->metrics);
	r->metrics = NULL;
	r->nmetrics = 0;
}
