/*
 * A window's source: a detached source (no plugin, no thread) holding what
 * one real source measured between the window's two samples, built under
 * the real source's lock at the end. Identity, availability and notes are
 * the source's; counters are differences; series come from
 * window_series.c. A per-target metric (ENERGY_METRIC_PER_TARGET) is the
 * window root's own part, filed as the metric itself, so ebpf's tree CPU
 * time is the window's tree's.
 */
#include "window_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_identity(struct em_source *dst, const struct em_source *src)
{
	memcpy(dst->name, src->name, sizeof(dst->name));
	memcpy(dst->plugin, src->plugin, sizeof(dst->plugin));
	memcpy(dst->instance_name, src->instance_name, sizeof(dst->instance_name));
	memcpy(dst->file_tag, src->file_tag, sizeof(dst->file_tag));
	memcpy(dst->lib.path, src->lib.path, sizeof(dst->lib.path));
	memcpy(dst->plugin_version, src->plugin_version, sizeof(dst->plugin_version));
	memcpy(dst->plugin_abi, src->plugin_abi, sizeof(dst->plugin_abi));
	dst->plugin_measures = src->plugin_measures;
	const struct energy_plugin *vt = src->lib.vt;
	if (vt && !dst->plugin_version[0]) /* not filled at load in this build: from the plugin itself */
		snprintf(dst->plugin_version, sizeof(dst->plugin_version), "%s", vt->version ? vt->version : "");
	if (vt && !dst->plugin_abi[0])
		snprintf(dst->plugin_abi, sizeof(dst->plugin_abi), "%u.%u", vt->abi_major, vt->abi_minor);
	if (vt && !dst->plugin_measures)
		dst->plugin_measures = vt->measures;
	dst->available = src->available;
	dst->started = src->started;
	memcpy(dst->reason, src->reason, sizeof(dst->reason));
	dst->interval_s = src->interval_s;
	dst->interval_requested_s = src->interval_requested_s;
	dst->required_max_s = src->required_max_s;
	dst->max_series = src->max_series;
}

static void copy_counters(struct em_source *dst, const struct em_source *now, const struct em_source_mark *b)
{
	dst->start_mono = b->mono;
	dst->start_wall = b->wall;
	dst->stop_mono = dst->covered_mono = now->covered_mono;
	dst->stop_wall = dst->covered_wall = now->covered_wall;
	/* the sample the window begins at is one of its own, as its reading is
	 * (window_series.c): a window of two samples says 2 */
	dst->samples = now->samples - b->samples + (b->samples > 0);
	dst->failed_samples = now->failed_samples - b->failed_samples;
	dst->missed_deadlines = now->missed_deadlines - b->missed_deadlines;
	dst->dropped_readings = now->dropped_readings - b->dropped_readings;
	dst->thread_cpu_s = now->thread_cpu_s - b->thread_cpu_s;
	em_interval_since(&now->intervals, &b->intervals, &dst->intervals);
	/* a failure since the window began is its to report */
	if (dst->failed_samples)
		memcpy(dst->recent_failure, now->recent_failure, sizeof(dst->recent_failure));
}

static int note(struct em_source *dst, const char *key, const char *fmt, double arg, const char *what)
{
	if (!dst->notes && !(dst->notes = json_object()))
		return -ENOMEM;
	char text[ENERGY_REASON_MAX];
	snprintf(text, sizeof(text), fmt, arg, what);
	return json_object_set_new(dst->notes, key, json_string(text)) ? -ENOMEM : 0;
}

/* The log lines logged since the window began (the source keeps its first
 * 64: once full, a window can tell of none). */
static int copy_log(struct em_source *dst, const struct em_source *now, size_t from)
{
	size_t n = now->log_lines ? json_array_size(now->log_lines) : 0;
	if (from >= n)
		return 0;
	if (!(dst->log_lines = json_array()))
		return -ENOMEM;
	for (size_t i = from; i < n; i++)
		if (json_array_append_new(dst->log_lines, json_deep_copy(json_array_get(now->log_lines, i))))
			return -ENOMEM;
	return 0;
}

/* A per-target metric with no part for this window: no value, a reason. */
static void no_target(struct em_series *out, const struct em_series *meta, pid_t root)
{
	static const struct em_series_mark none;
	struct em_series empty = *meta;
	empty.readings = empty.dropped = empty.gaps = empty.wraps = 0;
	empty.total = empty.covered_s = empty.gap_s = 0;
	empty.points = NULL;
	empty.npoints = 0;
	bool partial = false;
	em_window_series(out, meta, &empty, &none, &partial);
	if (!out->reason[0] && root > 0)
		snprintf(out->reason, sizeof(out->reason), "no per-target readings for pid %ld", (long)root);
	else if (!out->reason[0])
		snprintf(out->reason, sizeof(out->reason), "the window follows no process tree");
}

static int copy_series(struct em_source *dst, struct em_source *now, const struct em_source_mark *b, pid_t root)
{
	if (!now->nseries)
		return 0;
	if (!(dst->series = calloc(now->nseries, sizeof(*dst->series))))
		return -ENOMEM;
	dst->series_alloc = now->nseries;
	const char *partial_of = NULL;
	for (size_t i = 0; i < now->nseries; i++, dst->nseries++) {
		const struct em_series *meta = &now->series[i];
		struct em_series *out = &dst->series[i];
		bool partial = false;
		int rc = 0;
		if (meta->metric_flags & ENERGY_METRIC_PER_TARGET) {
			const struct em_series *mine = em_target_series_of(now, root, i);
			if (mine)
				rc = em_window_series(out, meta, mine, i < b->nseries ? &b->target[i] : NULL, &partial);
			else
				no_target(out, meta, root);
		} else {
			rc = em_window_series(out, meta, meta, i < b->nseries ? &b->own[i] : NULL, &partial);
		}
		if (rc)
			return rc;
		if (partial && !partial_of)
			partial_of = meta->key[0] ? meta->key : meta->sensor;
	}
	if (partial_of)
		return note(dst, "window_points_partial", "the window has more readings than a continuous monitor keeps "
		            "(%.0f per series at most): min and max of '%s' and others are of the kept ones, mean and "
		            "std_dev of all", EM_SERIES_POINTS_MAX, partial_of);
	return 0;
}

int em_window_source(struct em_monitor *res, struct em_source *now, const struct em_source_mark *begin, pid_t root,
                     bool late_end)
{
	struct em_source *dst = em_source_new_detached(res);
	if (!dst)
		return -ENOMEM;
	copy_identity(dst, now);
	if (!now->started)
		return 0; /* a placeholder: available and reason say why */
	copy_counters(dst, now, begin);
	if (now->notes && !(dst->notes = json_deep_copy(now->notes)))
		return -ENOMEM;
	int rc = copy_log(dst, now, begin->nlog);
	if (!rc)
		rc = copy_series(dst, now, begin, root);
	const char *late = "the source did not answer a sample request within %.1f s at the window's %s; it is "
	                   "taken as it stood at its last sample";
	if (!rc && (begin->late || late_end))
		rc = note(dst, "window_sample_late", late, EM_WINDOW_SAMPLE_WAIT_S,
		          begin->late && late_end ? "begin and end" : begin->late ? "begin" : "end");
	return rc;
}
