/*
 * One source's result: what it measured (energy by scope, each with its
 * unit), how (series, notes), how well it kept time, and when it could not
 * measure, why. A missing number is null with a reason, never zero.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

json_t *em_real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static double seconds_of(int64_t ns)
{
	return (double)ns / 1e9;
}

static json_t *series_json(const struct em_series *s)
{
	double sd = s->readings > 1 ? sqrt(s->m2 / (double)(s->readings - 1)) : NAN;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "quantity", em_quantity_name(s->quantity),
	                      "unit", em_quantity_unit(s->quantity), "scope", em_scope_name(s->scope), "sensor",
	                      s->sensor, "readings", (json_int_t)s->readings, "min", em_real_or_null(s->min), "max",
	                      em_real_or_null(s->max), "mean", em_real_or_null(s->mean), "std_dev",
	                      em_real_or_null(sd));
	if (!o)
		return NULL;
	if (s->quantity == ENERGY_Q_POWER_W || s->quantity == ENERGY_Q_ENERGY_J || s->quantity == ENERGY_Q_CPU_TIME_S ||
	    s->quantity == ENERGY_Q_COUNT) {
		const char *key = s->quantity == ENERGY_Q_POWER_W ? "energy_j" : "delta";
		json_object_set_new(o, key, s->readings > 1 ? json_real(s->total) : json_null());
		json_object_set_new(o, "covered_s", json_real(s->covered_s));
	}
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
	for (size_t i = 0; i < s->npoints; i++)
		json_array_append_new(pts, json_pack("[f,f]", seconds_of(s->points[i].wall_ns), s->points[i].value));
	json_object_set_new(o, "points", pts);
	json_object_set_new(o, "points_keep_every", json_integer((json_int_t)s->keep_every));
	return o;
}

/* Energy keys by what was measured; nested scopes get separate keys. */
static const char *energy_key(const struct em_series *s)
{
	if (s->quantity == ENERGY_Q_POWER_W && s->scope == ENERGY_SCOPE_SYSTEM)
		return "system";
	if (s->quantity != ENERGY_Q_ENERGY_J)
		return NULL;
	switch (s->scope) {
	case ENERGY_SCOPE_SYSTEM: return "psys";
	case ENERGY_SCOPE_CPU_PACKAGE: return "pkg";
	case ENERGY_SCOPE_CPU_CORES: return "cores";
	case ENERGY_SCOPE_CPU_UNCORE: return "uncore";
	case ENERGY_SCOPE_DRAM: return "dram";
	default: return NULL;
	}
}

static void add_number(json_t *energy, json_t *units, const char *key, double v, const char *unit)
{
	json_t *old = json_object_get(energy, key);
	if (old && isfinite(v) && json_is_number(old))
		v += json_number_value(old); /* same scope from several sensors: e.g. two packages */
	json_object_set_new(energy, key, em_real_or_null(v));
	json_object_set_new(units, key, json_string(unit));
}

static void power_stats(json_t *energy, json_t *units, const struct em_series *s)
{
	double sd = s->readings > 1 ? sqrt(s->m2 / (double)(s->readings - 1)) : NAN;
	add_number(energy, units, "avg_power", s->covered_s > 0 ? s->total / s->covered_s : NAN, "W");
	add_number(energy, units, "min_power", s->min, "W");
	add_number(energy, units, "max_power", s->max, "W");
	add_number(energy, units, "power_std_dev", sd, "W");
}

static const struct em_series *find(const struct em_source *src, uint32_t q, uint32_t scope, const char *sensor)
{
	for (size_t i = 0; i < src->nseries; i++) {
		const struct em_series *s = &src->series[i];
		if (s->quantity == q && s->scope == scope && (!sensor || strcmp(s->sensor, sensor) == 0))
			return s;
	}
	return NULL;
}

/* Fills energy/units; returns true when at least one quantity was measured. */
static bool energy_of(const struct em_source *src, json_t *energy, json_t *units)
{
	bool measured = false;
	for (size_t i = 0; i < src->nseries; i++) {
		const struct em_series *s = &src->series[i];
		const char *key = energy_key(s);
		if (!key || s->readings < 2)
			continue;
		add_number(energy, units, key, s->total, "J");
		if (s->quantity == ENERGY_Q_POWER_W && !json_object_get(energy, "avg_power"))
			power_stats(energy, units, s);
		measured = true;
	}
	const struct em_series *tree = find(src, ENERGY_Q_CPU_TIME_S, ENERGY_SCOPE_PROCESS, NULL);
	const struct em_series *busy = find(src, ENERGY_Q_CPU_TIME_S, ENERGY_SCOPE_SYSTEM, "busy");
	if (tree && tree->readings > 1) {
		add_number(energy, units, "cpu_time", tree->total, "s");
		measured = true;
	}
	if (busy && busy->readings > 1) {
		add_number(energy, units, "machine_busy_time", busy->total, "s");
		measured = true;
		if (tree && tree->readings > 1)
			add_number(energy, units, "cpu_share", busy->total > 0 ? tree->total / busy->total : NAN, "ratio");
	}
	return measured;
}

/* The time the source's energy covers: the least any energy-bearing series
 * covers, null when nothing was measured. */
static json_t *covered_json(const struct em_source *src, bool measured)
{
	double least = NAN;
	for (size_t i = 0; measured && i < src->nseries; i++) {
		const struct em_series *s = &src->series[i];
		bool energy = s->quantity == ENERGY_Q_POWER_W || s->quantity == ENERGY_Q_ENERGY_J ||
		              s->quantity == ENERGY_Q_CPU_TIME_S;
		if (energy && s->readings > 1 && !(s->covered_s >= least))
			least = s->covered_s;
	}
	return em_real_or_null(least);
}

static json_t *sampling_json(const struct em_monitor *mon, const struct em_source *src)
{
	json_t *o = json_pack("{s:f,s:f,s:I,s:I,s:I,s:o,s:o,s:o}", "interval_requested_s", mon->cfg->interval_s,
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

json_t *em_source_result(const struct em_monitor *mon, const struct em_source *src)
{
	const struct energy_plugin *vt = src->lib.vt;
	json_t *energy = json_object(), *units = json_object(), *series = json_array();
	bool measured = src->available && energy_of(src, energy, units);
	bool gaps = false;
	for (size_t i = 0; i < src->nseries; i++) {
		json_array_append_new(series, series_json(&src->series[i]));
		gaps |= src->series[i].gaps > 0;
	}
	/* An abandoned source covered the run up to its last sample that returned. */
	int64_t end_mono = src->abandoned ? src->covered_mono : src->stop_mono;
	double duration = src->started ? seconds_of(end_mono - src->start_mono) : NAN;
	bool complete = measured && !gaps && !src->abandoned && !src->dropped_readings;
	json_t *o = json_pack("{s:s,s:b,s:b,s:b,s:o,s:o,s:o,s:o,s:o,s:o}", "source", src->name, "available",
	                      src->available, "placeholder", !measured, "complete", complete, "timestamp",
	                      src->started ? json_real(seconds_of(src->start_wall)) : json_null(), "duration",
	                      em_real_or_null(duration), "energy", energy, "units", units, "series", series,
	                      "notes", src->notes ? json_incref(src->notes) : json_object());
	if (!o)
		return NULL;
	/* what the plugin said when it failed (a sample, or stop: a RAPL counter
	 * still dead at the end) beats the bare fact that nothing came */
	const char *said = src->first_failure[0] ? src->first_failure : src->recent_failure;
	const char *reason = !src->available ? src->reason
	                     : !measured     ? (said[0] ? said
	                                                : "the plugin emitted no energy, power or CPU-time readings")
	                                     : NULL;
	json_object_set_new(o, "reason", reason ? json_string(reason) : json_null());
	if (!src->started && mon->stopped) {
		/* a placeholder still says when the measurement it stands for ran */
		json_object_set_new(o, "timestamp", json_real(seconds_of(mon->start_wall)));
		json_object_set_new(o, "duration", json_real(seconds_of(mon->stop_mono - mon->start_mono)));
	}
	json_object_set_new(o, "covered_s", covered_json(src, measured));
	if (vt) {
		char abi[32];
		snprintf(abi, sizeof(abi), "%u.%u", vt->abi_major, vt->abi_minor);
		json_object_set_new(o, "plugin", json_pack("{s:s,s:s,s:s,s:s}", "name", vt->name, "version",
		                                           vt->version ? vt->version : "", "file", src->lib.path,
		                                           "abi", abi));
	}
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
