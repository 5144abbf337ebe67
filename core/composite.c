/*
 * The composite result: every monitor's own result, and one merged `energy`
 * object. Keys name scopes that nest (system > pkg > cores), so the merge
 * never adds or averages two keys: each key is taken from the first monitor
 * in strategy order that measured it, and `energy_sources` says which.
 * Attribution to the monitored process tree multiplies by its CPU share.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define ATTRIBUTION_RULE                                                                                  \
	"attributed_X = X x cpu_share, where cpu_share = (CPU time of the monitored process tree) / "       \
	"(busy CPU time of the whole machine) over the same interval, both measured by %s; idle power "   \
	"is shared in the same proportion"

/* Keys that belong with `system` and come from the same monitor. */
static bool follows_system(const char *key)
{
	return !strcmp(key, "avg_power") || !strcmp(key, "min_power") || !strcmp(key, "max_power") ||
	       !strcmp(key, "power_std_dev");
}

static void merge_energy(json_t *merged, json_t *units, json_t *sources, const char *name, const json_t *res)
{
	const json_t *energy = json_object_get(res, "energy");
	const json_t *their_units = json_object_get(res, "units");
	bool took_system = false;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)energy, key, v) {
		if (!json_is_number(v))
			continue;
		if (follows_system(key) ? !took_system : json_object_get(merged, key) != NULL)
			continue;
		if (!strcmp(key, "system"))
			took_system = true;
		json_object_set(merged, key, v);
		json_object_set(units, key, json_object_get(their_units, key));
		json_object_set_new(sources, key, json_string(name));
	}
}

static void attribute(json_t *top, json_t *merged, json_t *units, json_t *sources)
{
	const json_t *share = json_object_get(merged, "cpu_share");
	if (!share || !json_is_number(share)) {
		json_object_set_new(top, "attribution",
		                    json_pack("{s:n,s:s}", "rule", "reason",
		                              "no process-level source (ebpf) measured the tree's CPU share, so "
		                              "no energy is attributed to the process tree"));
		return;
	}
	double r = json_number_value(share);
	const char *by = json_string_value(json_object_get(sources, "cpu_share"));
	static const char *const targets[] = {"system", "pkg", "psys", "dram", NULL};
	json_t *done = json_array();
	for (size_t i = 0; targets[i]; i++) {
		const json_t *e = json_object_get(merged, targets[i]);
		if (!e || !json_is_number(e))
			continue;
		char key[48];
		snprintf(key, sizeof(key), "attributed_%s", targets[i]);
		json_object_set_new(merged, key, json_real(json_number_value(e) * r));
		json_object_set_new(units, key, json_string("J"));
		json_object_set_new(sources, key, json_sprintf("%s x %s", json_string_value(json_object_get(sources, targets[i])), by));
		json_array_append_new(done, json_string(key));
	}
	char rule[512];
	snprintf(rule, sizeof(rule), ATTRIBUTION_RULE, by ? by : "?");
	json_object_set_new(top, "attribution",
	                    json_pack("{s:s,s:f,s:o}", "rule", rule, "cpu_share", r, "attributed", done));
}

static json_t *cost_json(const struct em_monitor *mon, double duration)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return json_pack("{s:f,s:o,s:I,s:s}", "cpu_time_s", mon->self_cpu_s, "cpu_fraction",
	                 em_real_or_null(duration > 0 ? mon->self_cpu_s / duration : NAN), "peak_rss_kib",
	                 (json_int_t)ru.ru_maxrss, "peak_rss_scope", "the whole process that hosts the monitor");
}

/* A composite is complete when every monitor that measured is, and covers
 * what the least of them covers. */
static void add_completeness(json_t *top, const json_t *monitors)
{
	bool all = true, any = false;
	double least = NAN;
	const char *name;
	json_t *m;
	json_object_foreach((json_t *)monitors, name, m) {
		if (json_is_true(json_object_get(m, "placeholder")))
			continue;
		any = true;
		all &= json_is_true(json_object_get(m, "complete"));
		const json_t *c = json_object_get(m, "covered_s");
		if (json_is_number(c) && !(json_number_value(c) >= least))
			least = json_number_value(c);
	}
	json_object_set_new(top, "complete", json_boolean(any && all));
	json_object_set_new(top, "covered_s", em_real_or_null(least));
}

json_t *em_composite_result(struct em_monitor *mon)
{
	double duration = (double)(mon->stop_mono - mon->start_mono) / 1e9;
	json_t *merged = json_object(), *units = json_object(), *sources = json_object();
	json_t *monitors = json_object(), *unavailable = json_object();
	json_t *strategy = json_array();
	for (size_t i = 0; i < mon->nsources; i++) {
		const struct em_source *src = mon->sources[i];
		json_t *res = em_source_result(mon, src);
		if (!res)
			goto oom;
		json_array_append_new(strategy, json_string(src->name));
		merge_energy(merged, units, sources, src->name, res);
		if (!src->available || json_is_true(json_object_get(res, "placeholder")))
			json_object_set(unavailable, src->name, json_object_get(res, "reason"));
		json_object_set_new(monitors, src->name, res);
	}
	json_t *top = json_pack("{s:s,s:f,s:f,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "source", "composite",
	                        "timestamp", (double)mon->start_wall / 1e9, "duration", duration, "target_pid",
	                        (json_int_t)mon->target_pid, "energy", merged, "units", units, "energy_sources",
	                        sources, "strategy", strategy, "monitors", monitors, "unavailable", unavailable,
	                        "monitor_cost", cost_json(mon, duration), "placeholder",
	                        json_object_size(merged) == 0);
	if (!top)
		return NULL;
	add_completeness(top, monitors);
	attribute(top, merged, units, sources);
	return top;
oom:
	json_decref(merged);
	json_decref(units);
	json_decref(sources);
	json_decref(monitors);
	json_decref(unavailable);
	json_decref(strategy);
	return NULL;
}
