/*
 * The composite result, merged from the sources' typed results (never by
 * reading JSON back, never by plugin name): every source's own result, and
 * one merged `energy` object. Energymon's keys name scopes that nest
 * (system > pkg > cores), so the merge never adds or averages two keys:
 * each is taken from the first source in strategy order that measured it,
 * and `energy_sources` says which. Declared metrics are kept per source.
 * Attribution to the monitored process tree multiplies by its CPU share.
 */
#include "agent.h"
#include "internal.h"
#include "result_keys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define ATTRIBUTION_RULE                                                                                  \
	"attributed_X = X x cpu_share, where cpu_share = (CPU time of the monitored process tree) / "       \
	"(busy CPU time of the whole machine) over the same interval, both measured by %s; idle power "   \
	"is shared in the same proportion"

/* Energymon's own keys: each from the first source in strategy order that
 * measured it; the power statistics go with the key they describe
 * ("avg_power" with "system"), from the same source. */
static void merge_own(struct em_results *res, const struct em_source_result *r)
{
	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct em_metric_result *m = &r->metrics[i];
		if (m->declared || isnan(m->value) || em_result_metric_find(res->merged, res->nmerged, m->key))
			continue;
		if (m->row->role == EM_ROLE_POWER_STAT) {
			const struct em_result_key *of = em_result_key_of_metric(m->kind, m->unit, m->scope);
			const struct em_metric_result *taken =
				of ? em_result_metric_find(res->merged, res->nmerged, of->key) : NULL;
			if (!taken || taken->source != m->source)
				continue;
		}
		res->merged[res->nmerged++] = *m;
	}
}

/* Declared metrics never collide: a source with an instance name qualifies
 * them with its id ("gpu0_energy@mygpu:a"). So does one whose key is taken
 * already, which em_monitor_create refuses between plugins: a result
 * never loses a metric to another's. */
static void merge_declared(struct em_results *res, const struct em_source_result *r)
{
	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct em_metric_result *m = &r->metrics[i];
		if (!m->declared)
			continue;
		bool taken = em_result_metric_find(res->merged, res->nmerged, m->key) != NULL;
		struct em_metric_result *out = &res->merged[res->nmerged++];
		*out = *m;
		if (r->src->instance_name[0] || taken)
			snprintf(out->key, sizeof(out->key), "%s@%s", m->key, r->src->name);
	}
}

/* The CPU share's timing error (docs/uncertainty.md, attribution): the
 * CPU times are read at the process-level source's samples, the energy at
 * its own; over the mismatch at either end (and each CPU time's own
 * resolution) every CPU may have run or not, so the tree's and the
 * machine's CPU seconds are each known to +- e. */
static void share_bounds(const struct em_series *energy, const struct em_series *cpu, double tree_s, double busy_s,
                         double *lo, double *hi)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* plugins stamp the readings: each int64, so no signed difference */
	double skew = fabs((double)energy->first_mono - (double)cpu->first_mono) / 1e9 +
	              fabs((double)energy->last_mono - (double)cpu->last_mono) / 1e9;
	double e = (double)(ncpu > 0 ? ncpu : 1) * skew + 2 * cpu->resolution;
	*lo = fmax(0, (tree_s - e) / (busy_s + e));
	*hi = busy_s - e > 0 ? fmin(1, (tree_s + e) / (busy_s - e)) : 1;
}

/* An attributed energy's bound: the energy's, times the share's. It covers
 * the inputs' error only, not whether energy follows CPU time. */
static void attributed_bound(struct em_metric_result *a, const struct em_metric_result *m,
                             const struct em_metric_result *share, const struct em_metric_result *tree,
                             const struct em_metric_result *busy)
{
	em_bound_none(&a->bound);
	em_bound_none(&a->dynamic);
	a->idle_w = a->idle_low_w = a->idle_high_w = NAN;
	if (!m->bound.method || !m->series || !tree || !busy || !tree->series)
		return;
	double lo, hi;
	share_bounds(m->series, tree->series, tree->value, busy->value, &lo, &hi);
	a->bound = m->bound;
	a->bound.value = a->value;
	/* a product of two ranges has its extremes at the corners: an energy
	 * whose bound reaches below zero (or a negative one) flips the share's */
	double c[4] = {m->bound.low * lo, m->bound.low * hi, m->bound.high * lo, m->bound.high * hi};
	a->bound.low = fmin(fmin(c[0], c[1]), fmin(c[2], c[3]));
	a->bound.high = fmax(fmax(c[0], c[1]), fmax(c[2], c[3]));
	a->bound.half_width = fmax(a->bound.high - a->bound.value, a->bound.value - a->bound.low);
	a->bound.method = "the energy's 95 % bound times the CPU share's timing bound (CPU times read at other "
	                  "instants than the energy); not whether energy follows CPU time";
	(void)share;
}

/* attributed_X = X x cpu_share, for the table's attributed keys and every
 * attributable declared metric. */
static void attribute(struct em_results *res)
{
	const struct em_result_key *ratio = em_result_keys;
	while (ratio->key && ratio->role != EM_ROLE_RATIO)
		ratio++;
	const struct em_metric_result *share = em_result_metric_find(res->merged, res->nmerged, ratio->key);
	res->cpu_share = share ? share->value : NAN;
	if (!share || isnan(share->value))
		return;
	res->cpu_share_source = share->source;
	size_t n = res->nmerged;
	const struct em_result_key *tree_key = em_result_key_of_metric(ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND,
	                                                               ENERGY_SCOPE_PROCESS);
	const struct em_result_key *busy_key = em_result_key_of_metric(ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND,
	                                                               ENERGY_SCOPE_SYSTEM);
	for (size_t i = 0; i < n; i++) {
		const struct em_metric_result *m = &res->merged[i];
		if (!m->attributable || isnan(m->value))
			continue;
		struct em_metric_result *a = &res->merged[res->nmerged];
		char key[EM_RESULT_KEY_MAX];
		snprintf(key, sizeof(key), EM_ATTRIBUTED_PREFIX "%s", m->key);
		*a = *m;
		memcpy(a->key, key, sizeof(key));
		a->row = m->declared ? NULL : em_result_key_find(a->key);
		if (!m->declared && !a->row)
			continue;
		a->value = m->value * share->value;
		attributed_bound(a, m, share, em_result_metric_find(res->merged, n, tree_key->key),
		                 em_result_metric_find(res->merged, n, busy_key->key));
		a->scope = ENERGY_SCOPE_PROCESS;
		a->energy_j = NAN;
		a->attributable = false;
		a->attributed_by = share->source;
		res->nmerged++;
	}
}

/* A composite is complete when every source that measured is, and covers
 * what the least of them covers. */
static void completeness(struct em_results *res)
{
	bool all = true;
	res->covered_s = NAN;
	for (size_t i = 0; i < res->nsources; i++) {
		const struct em_source_result *r = &res->sources[i];
		if (!r->measured)
			continue;
		res->measured = true;
		all &= r->complete;
		if (!isnan(r->covered_s) && !(r->covered_s >= res->covered_s))
			res->covered_s = r->covered_s;
	}
	res->complete = res->measured && all;
}

struct em_results *em_results_build(const struct em_monitor *mon)
{
	struct em_results *res = calloc(1, sizeof(*res));
	if (!res || !(res->sources = calloc(mon->nsources + 1, sizeof(*res->sources))))
		goto oom;
	size_t room = 0;
	for (size_t i = 0; i < mon->nsources; i++, res->nsources++) {
		if (em_source_result_build(mon, mon->sources[i], &res->sources[i]))
			goto oom;
		room += 2 * res->sources[i].nmetrics; /* each metric, and its attribution */
	}
	if (!(res->merged = calloc(room + 1, sizeof(*res->merged))))
		goto oom;
	for (size_t i = 0; i < res->nsources; i++)
		if (res->sources[i].measured)
			merge_own(res, &res->sources[i]);
	for (size_t i = 0; i < res->nsources; i++)
		merge_declared(res, &res->sources[i]);
	attribute(res);
	completeness(res);
	res->timestamp = (double)mon->start_wall / 1e9;
	res->duration = (double)(mon->stop_mono - mon->start_mono) / 1e9;
	return res;
oom:
	em_results_free(res);
	return NULL;
}

void em_results_free(struct em_results *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nsources; i++)
		em_source_result_free(&res->sources[i]);
	free(res->sources);
	free(res->merged);
	free(res);
}

static json_t *cost_json(const struct em_monitor *mon, double duration)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return json_pack("{s:f,s:o,s:I,s:s}", "cpu_time_s", mon->self_cpu_s, "cpu_fraction",
	                 em_real_or_null(duration > 0 ? mon->self_cpu_s / duration : NAN), "peak_rss_kib",
	                 (json_int_t)ru.ru_maxrss, "peak_rss_scope", "the whole process that hosts the monitor");
}

static json_t *attribution_json(const struct em_results *res)
{
	if (isnan(res->cpu_share))
		return json_pack("{s:n,s:s}", "rule", "reason",
		                 "no process-level source measured the tree's CPU share, so no energy is "
		                 "attributed to the process tree");
	json_t *done = json_array();
	for (size_t i = 0; i < res->nmerged; i++)
		if (res->merged[i].attributed_by)
			json_array_append_new(done, json_string(res->merged[i].key));
	char rule[512];
	snprintf(rule, sizeof(rule), ATTRIBUTION_RULE, res->cpu_share_source);
	return json_pack("{s:s,s:f,s:o}", "rule", rule, "cpu_share", res->cpu_share, "attributed", done);
}

/* Who measured: "agent" (energymond, at its socket, in its version) or
 * "in-process"; and when an agent's socket existed but did not serve, why
 * it was not used. In the composite and in each source's result, so the
 * per-call files carry it too. */
static void measured_by_json(const struct em_monitor *mon, json_t *o)
{
	const struct em_agent_conn *c = mon->agent;
	json_object_set_new(o, "measured_by", json_string(mon->agent_socket ? "agent" : "in-process"));
	if (mon->agent_socket)
		json_object_set_new(o, "agent", json_pack("{s:s,s:s}", "socket", mon->agent_socket, "version",
		                                          c ? c->version : ""));
	else if (c && c->not_used[0])
		json_object_set_new(o, "agent_not_used", json_pack("{s:s,s:s}", "socket", c->path, "reason",
		                                                   c->not_used));
}

static json_t *composite_json(struct em_monitor *mon, const struct em_results *res)
{
	json_t *energy = json_object(), *units = json_object(), *sources = json_object();
	json_t *per_source = json_object(), *unavailable = json_object(), *strategy = json_array();
	json_t *metrics = json_array(), *bounds = json_object();
	for (size_t i = 0; i < res->nmerged; i++) {
		const struct em_metric_result *m = &res->merged[i];
		if (m->bound.method)
			json_object_set_new(bounds, m->key, em_bound_json(&m->bound));
		json_object_set_new(energy, m->key, em_real_or_null(m->value));
		json_object_set_new(units, m->key, json_string(m->unit_symbol));
		json_object_set_new(sources, m->key, m->attributed_by ? json_sprintf("%s x %s", m->source, m->attributed_by)
		                                                      : json_string(m->source));
	}
	for (size_t i = 0; i < res->nsources; i++) {
		const struct em_source_result *r = &res->sources[i];
		json_t *one = em_source_result_json(mon, r);
		if (!one)
			goto oom;
		measured_by_json(mon, one);
		json_array_append_new(strategy, json_string(r->src->name));
		if (!r->available || !r->measured)
			json_object_set_new(unavailable, r->src->name, r->reason ? json_string(r->reason) : json_null());
		json_object_set_new(per_source, r->src->name, one);
		json_array_extend(metrics, json_object_get(one, "metrics")); /* each entry names its source */
	}
	json_t *top = json_pack("{s:s,s:f,s:f,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:o,s:o,s:o}", "source",
	                        "composite", "timestamp", res->timestamp, "duration", res->duration, "target_pid",
	                        (json_int_t)mon->target_pid, "energy", energy, "units", units, "energy_sources",
	                        sources, "strategy", strategy, "monitors", per_source, "unavailable", unavailable,
	                        "monitor_cost", cost_json(mon, res->duration), "placeholder", !res->measured,
	                        "complete", res->complete, "covered_s", em_real_or_null(res->covered_s),
	                        "attribution", attribution_json(res), "metrics", metrics);
	if (top) {
		measured_by_json(mon, top);
		json_object_set_new(top, "uncertainty", bounds);
	} else {
		json_decref(bounds);
	}
	return top;
oom:
	json_decref(bounds);
	json_decref(energy);
	json_decref(units);
	json_decref(sources);
	json_decref(per_source);
	json_decref(unavailable);
	json_decref(strategy);
	json_decref(metrics);
	return NULL;
}

json_t *em_composite_result(struct em_monitor *mon)
{
	em_results_free(mon->results);
	mon->results = em_results_build(mon);
	return mon->results ? composite_json(mon, mon->results) : NULL;
}
