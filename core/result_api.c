/*
 * The typed result for callers (energymon.h, "The result, typed"): the
 * monitor's typed model, copied into small size-prefixed structs so that
 * the library can add members without breaking a caller built before.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int em_fill_sized(void *out, const void *full, size_t full_size, size_t least)
{
	uint32_t size = *(const uint32_t *)out;
	if (size < least)
		return -EINVAL;
	memcpy((char *)out + sizeof(uint32_t), (const char *)full + sizeof(uint32_t),
	       (size < full_size ? size : full_size) - sizeof(uint32_t));
	return 0;
}

static const struct em_source_result *source_of(const struct em_monitor *mon, size_t i)
{
	return mon && mon->results && i < mon->results->nsources ? &mon->results->sources[i] : NULL;
}

int em_result_run(const struct em_monitor *mon, struct em_result_run *out)
{
	if (!mon || !mon->results || !out)
		return -EINVAL;
	const struct em_results *r = mon->results;
	struct em_result_run run = {
		.measured = r->measured, .complete = r->complete, .timestamp = r->timestamp,
		.duration_s = r->duration, .covered_s = r->covered_s, .cpu_share = r->cpu_share,
		.cpu_share_source = r->cpu_share_source, .monitor_cpu_s = mon->self_cpu_s,
		.measured_by = mon->agent_socket ? "agent" : "in-process", .agent_socket = mon->agent_socket,
	};
	return em_fill_sized(out, &run, sizeof(run), offsetof(struct em_result_run, timestamp));
}

/* The first series that bears energy (its JSON has covered_s) and has gaps. */
static const struct em_series *gapped_series(const struct em_source *src)
{
	for (size_t i = 0; i < src->nseries; i++) {
		const struct em_series *s = &src->series[i];
		uint32_t kind = em_series_kind(s);
		bool bearing = s->declared || kind != ENERGY_KIND_GAUGE || em_series_unit_id(s) == ENERGY_UNIT_WATT;
		if (bearing && s->gaps)
			return s;
	}
	return NULL;
}

int em_result_source(const struct em_monitor *mon, size_t i, struct em_result_source *out)
{
	if (!mon || !mon->results || !out)
		return -EINVAL;
	const struct em_source_result *r = source_of(mon, i);
	if (!r)
		return -ENOENT;
	const struct em_source *src = r->src;
	const struct em_series *gapped = gapped_series(src);
	const char *last = src->recent_failure[0] ? src->recent_failure : NULL;
	struct em_result_source one = {
		.id = src->name, .plugin = src->plugin[0] ? src->plugin : src->name, .instance = src->instance_name,
		.available = r->available, .measured = r->measured, .complete = r->complete,
		.timestamp = r->timestamp, .duration_s = r->duration, .covered_s = r->covered_s, .reason = r->reason,
		.started = src->started, .samples = src->samples, .failed_samples = src->failed_samples,
		.missed_deadlines = src->missed_deadlines,
		.interval_requested_s = src->interval_requested_s > 0 ? src->interval_requested_s : mon->cfg->interval_s,
		.interval_used_s = src->interval_s,
		.interval_median_s = em_interval_quantile(&src->intervals, 0.5),
		.interval_p95_s = em_interval_quantile(&src->intervals, 0.95),
		.last_failure = last,
		.abandoned = src->abandoned ? src->abandon_reason : NULL, .dropped_readings = src->dropped_readings,
		.series_limit = src->max_series, .gap_count = gapped ? gapped->gaps : 0,
	};
	return em_fill_sized(out, &one, sizeof(one), offsetof(struct em_result_source, available));
}

int em_result_metric(const struct em_monitor *mon, size_t source, size_t i, struct em_result_metric *out)
{
	if (!mon || !mon->results || !out)
		return -EINVAL;
	const struct em_source_result *r = source_of(mon, source);
	const struct em_metric_result *all = source == EM_RESULT_MERGED ? mon->results->merged : r ? r->metrics : NULL;
	size_t n = source == EM_RESULT_MERGED ? mon->results->nmerged : r ? r->nmetrics : 0;
	if (i >= n)
		return -ENOENT;
	const struct em_metric_result *m = &all[i];
	struct em_result_metric one = {
		.key = m->key, .unit = m->unit_symbol, .kind = em_kind_name(m->kind), .scope = em_scope_label(m->scope),
		.index = m->index, .declared = m->declared, .attributable = m->attributable, .value = m->value,
		.reason = m->reason, .readings = m->readings, .covered_s = m->covered_s, .source = m->source,
		.energy_j = m->bound.value, .energy_low_j = m->bound.low, .energy_high_j = m->bound.high,
		.bound_method = m->bound.method, .idle_w = m->idle_w, .idle_low_w = m->idle_low_w,
		.idle_high_w = m->idle_high_w, .dynamic_j = m->dynamic.value, .dynamic_low_j = m->dynamic.low,
		.dynamic_high_j = m->dynamic.high,
	};
	return em_fill_sized(out, &one, sizeof(one), offsetof(struct em_result_metric, index));
}

int em_result_gap(const struct em_monitor *mon, size_t source, size_t i, double *from, double *to)
{
	if (!mon || !mon->results || !from || !to)
		return -EINVAL;
	const struct em_source_result *r = source_of(mon, source);
	const struct em_series *s = r ? gapped_series(r->src) : NULL;
	size_t slots = s ? sizeof(s->gap_list) / sizeof(s->gap_list[0]) : 0;
	if (!s || i >= s->gaps || i >= slots)
		return -ENOENT;
	*from = (double)s->gap_list[i].from_wall / 1e9;
	*to = (double)s->gap_list[i].to_wall / 1e9;
	return 0;
}

int em_result_note(const struct em_monitor *mon, size_t source, size_t i, const char **key, const char **text)
{
	if (!mon || !mon->results || !key || !text)
		return -EINVAL;
	const struct em_source_result *r = source_of(mon, source);
	const char *k;
	json_t *v;
	size_t seen = 0;
	json_object_foreach(r ? r->src->notes : NULL, k, v) {
		if (!json_is_string(v) || seen++ != i)
			continue;
		*key = k;
		*text = json_string_value(v);
		return 0;
	}
	return -ENOENT;
}

int em_result_log(const struct em_monitor *mon, size_t source, size_t i, const char **level, const char **message)
{
	if (!mon || !mon->results || !level || !message)
		return -EINVAL;
	const struct em_source_result *r = source_of(mon, source);
	const json_t *line = r ? json_array_get(r->src->log_lines, i) : NULL;
	if (!line)
		return -ENOENT;
	*level = json_string_value(json_object_get(line, "level"));
	*message = json_string_value(json_object_get(line, "message"));
	return *level && *message ? 0 : -ENOENT;
}
