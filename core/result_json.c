/*
 * One source's result as JSON, written from its typed result: what it
 * measured (energy by scope and every declared metric, each with its unit),
 * how (series, notes, metrics), how well it kept time, and when it could
 * not measure, why. A missing number is null with a reason, never zero.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

json_t *em_real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static const char *kind_label(uint32_t kind)
{
	return em_kind_name(kind) ? em_kind_name(kind) : "unknown";
}

static double seconds_of(int64_t ns)
{
	return (double)ns / 1e9;
}

/* A 1.0 series is described by its quantity; a declared one by its key,
 * kind and unit. Counters give their delta, watt gauges their energy. */
static json_t *series_json(const struct em_series *s)
{
	const char *quantity = em_quantity_name(s->quantity);
	json_t *o = json_pack("{s:o,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "quantity",
	                      quantity ? json_string(quantity) : json_null(), "unit",
	                      quantity ? em_quantity_unit(s->quantity) : "", "scope", em_scope_label(s->scope),
	                      "sensor", s->sensor, "readings", (json_int_t)s->readings, "min",
	                      em_real_or_null(s->readings ? s->min : NAN), "max",
	                      em_real_or_null(s->readings ? s->max : NAN), "mean",
	                      em_real_or_null(s->readings ? s->mean : NAN), "std_dev",
	                      em_real_or_null(em_series_std_dev(s)));
	if (!o)
		return NULL;
	uint32_t kind = em_series_kind(s), unit = em_series_unit_id(s);
	if (s->declared) {
		json_object_set_new(o, "key", json_string(s->key));
		json_object_set_new(o, "kind", json_string(kind_label(kind)));
		json_object_set_new(o, "unit", json_string(em_series_unit(s)));
		json_object_set_new(o, "index", json_integer(s->index));
	}
	bool watts = kind == ENERGY_KIND_GAUGE && unit == ENERGY_UNIT_WATT;
	if (watts || kind == ENERGY_KIND_COUNTER || kind == ENERGY_KIND_SECONDS || s->declared) {
		if (watts || kind != ENERGY_KIND_GAUGE)
			json_object_set_new(o, watts ? "energy_j" : "delta",
			                    s->readings > 1 ? json_real(s->total) : json_null());
		json_object_set_new(o, "covered_s", json_real(s->covered_s));
	}
	if (watts && s->readings)
		/* how far between readings the truth may wander: the report
		 * shades it (docs/uncertainty.md) */
		json_object_set_new(o, "bound", json_pack("{s:f,s:f}", "look_s", s->look_s, "resolution", s->resolution));
	if (s->gaps) {
		json_t *gaps = json_array();
		size_t slots = sizeof(s->gap_list) / sizeof(s->gap_list[0]);
		for (size_t i = 0; i < s->gaps && i < slots; i++)
			json_array_append_new(gaps, json_pack("{s:f,s:f,s:s}", "from", seconds_of(s->gap_list[i].from_wall),
			                                      "to", seconds_of(s->gap_list[i].to_wall), "reason",
			                                      em_gap_reason(s->gap_list[i].why)));
		json_object_set_new(o, "gaps", gaps);
		json_object_set_new(o, "gap_count", json_integer((json_int_t)s->gaps));
		json_object_set_new(o, "gap_s", json_real(s->gap_s));
	}
	if (s->wraps)
		json_object_set_new(o, "wraps", json_integer((json_int_t)s->wraps));
	if (s->dropped)
		json_object_set_new(o, "dropped_out_of_order", json_integer((json_int_t)s->dropped));
	json_t *pts = json_array();
	for (size_t i = 0; i < s->npoints; i++) { /* [t, v] by hand, not json_pack: up to 4096 of them */
		json_t *p = json_array();
		json_array_append_new(p, json_real(seconds_of(s->points[i].wall_ns)));
		json_array_append_new(p, json_real(s->points[i].value));
		json_array_append_new(pts, p);
	}
	json_object_set_new(o, "points", pts);
	json_object_set_new(o, "points_keep_every", json_integer((json_int_t)s->keep_every));
	return o;
}

static json_t *sampling_json(const struct em_monitor *mon, const struct em_source *src)
{
	double requested = src->interval_requested_s > 0 ? src->interval_requested_s : mon->cfg->interval_s;
	json_t *o = json_pack("{s:f,s:f,s:I,s:I,s:I,s:o,s:o,s:o}", "interval_requested_s", requested,
	                      "interval_used_s", src->interval_s, "samples", (json_int_t)src->samples,
	                      "failed_samples", (json_int_t)src->failed_samples, "missed_deadlines",
	                      (json_int_t)src->missed_deadlines, "interval_median_s",
	                      em_real_or_null(em_interval_quantile(&src->intervals, 0.5)), "interval_p95_s",
	                      em_real_or_null(em_interval_quantile(&src->intervals, 0.95)), "interval_max_s",
	                      src->intervals.count ? json_real(src->intervals.max_s) : json_null());
	if (o && src->first_failure[0])
		json_object_set_new(o, "first_failure", json_string(src->first_failure));
	if (o && src->recent_failure[0])
		json_object_set_new(o, "last_failure", json_string(src->recent_failure));
	if (o && src->abandoned)
		json_object_set_new(o, "stalled", json_true());
	return o;
}

/* "energy": every metric's value (null when it has none) and its unit. */
static void energy_json(const struct em_source_result *r, json_t *energy, json_t *units, json_t *bounds)
{
	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct em_metric_result *m = &r->metrics[i];
		json_object_set_new(energy, m->key, em_real_or_null(m->value));
		json_object_set_new(units, m->key, json_string(m->unit_symbol));
		if (m->bound.method)
			json_object_set_new(bounds, m->key, em_bound_json(&m->bound));
	}
}

/* {value, low, high, half_width, unit, method, terms}: every term named
 * (docs/uncertainty.md), in joules; null when the figure has no bound. */
json_t *em_bound_json(const struct em_bound *b)
{
	if (!b->method)
		return json_null();
	json_t *terms = json_pack("{s:f,s:f,s:f,s:f}", "resolution_j", b->resolution, "integration_j", b->integration,
	                          "burst_ceiling_j", b->burst, "gap_s", b->gap_s);
	return json_pack("{s:f,s:f,s:f,s:f,s:s,s:s,s:o}", "value", b->value, "low", b->low, "high", b->high,
	                 "half_width", b->half_width, "unit", "J", "method", b->method, "terms", terms);
}

/* "metrics": how a reader learns a source it has never heard of. */
static json_t *metrics_json(const struct em_metric_result *m, size_t n)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++, m++) {
		json_t *o = json_pack("{s:s,s:b,s:s,s:s,s:s,s:I,s:b,s:o,s:o,s:I,s:o,s:o}", "key", m->key, "declared",
		                      m->declared, "kind", kind_label(m->kind), "unit", m->unit_symbol, "scope",
		                      em_scope_label(m->scope), "index", (json_int_t)m->index, "attributable",
		                      m->attributable, "value", em_real_or_null(m->value), "reason",
		                      m->reason ? json_string(m->reason) : json_null(), "readings",
		                      (json_int_t)m->readings, "covered_s", em_real_or_null(m->covered_s),
		                      "uncertainty", em_bound_json(&m->bound));
		if (o && !isnan(m->energy_j))
			json_object_set_new(o, "energy_j", json_real(m->energy_j));
		if (o) /* the source id, so that the composite's list says whose each is */
			json_object_set_new(o, "source", json_string(m->source));
		json_array_append_new(list, o);
	}
	return list;
}

json_t *em_source_result_json(const struct em_monitor *mon, const struct em_source_result *r)
{
	const struct em_source *src = r->src;
	json_t *energy = json_object(), *units = json_object(), *series = json_array(), *bounds = json_object();
	energy_json(r, energy, units, bounds);
	for (size_t i = 0; i < src->nseries; i++)
		json_array_append_new(series, series_json(&src->series[i]));
	json_t *o = json_pack("{s:s,s:b,s:b,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "source", src->name, "available",
	                      src->available, "placeholder", !r->measured, "complete", r->complete, "timestamp",
	                      em_real_or_null(r->timestamp), "duration", em_real_or_null(r->duration), "energy",
	                      energy, "units", units, "series", series, "notes",
	                      src->notes ? json_incref(src->notes) : json_object(), "reason",
	                      r->reason ? json_string(r->reason) : json_null(), "covered_s",
	                      em_real_or_null(r->covered_s));
	if (!o)
		return NULL;
	json_object_set_new(o, "metrics", metrics_json(r->metrics, r->nmetrics));
	json_object_set_new(o, "uncertainty", bounds);
	json_t *baseline = em_baseline_json(mon->baseline, r->metrics, r->nmetrics);
	if (baseline)
		json_object_set_new(o, "baseline", baseline);
	if (src->instance_name[0])
		json_object_set_new(o, "instance", json_string(src->instance_name));
	if (src->plugin_abi[0]) /* the library was loaded (em_source_open), here or where the state came from */
		json_object_set_new(o, "plugin", json_pack("{s:s,s:s,s:s,s:s}", "name", src->plugin, "version",
		                                           src->plugin_version, "file", src->lib.path, "abi",
		                                           src->plugin_abi));
	if (src->started)
		json_object_set_new(o, "sampling", sampling_json(mon, src));
	if (src->abandoned)
		json_object_set_new(o, "abandoned", json_pack("{s:s,s:s}", "call", src->in_call ? src->in_call : "none",
		                                              "reason", src->abandon_reason));
	if (src->dropped_readings) {
		char why[200];
		snprintf(why, sizeof(why), "the plugin emitted more than %zu distinct series (energy_max_series); "
		         "readings of the others were dropped", src->max_series);
		json_object_set_new(o, "dropped_readings", json_pack("{s:I,s:I,s:s}", "count",
		                                                     (json_int_t)src->dropped_readings, "series_limit",
		                                                     (json_int_t)src->max_series, "reason", why));
	}
	if (src->finals)
		json_object_set_new(o, "final_readings", json_incref(src->finals));
	if (src->log_lines && json_array_size(src->log_lines))
		json_object_set_new(o, "log", json_incref(src->log_lines));
	return o;
}
