/*
 * Where a source stands, taken under its lock at a window's begin: the
 * running totals of every series (and of the window root's own part of
 * each per-target metric) and the sampler's counters, which the window's
 * end subtracts. Totals are never thinned, so the differences are exact.
 */
#include "window_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void em_series_mark_of(const struct em_series *s, struct em_series_mark *m)
{
	*m = (struct em_series_mark){
		.have = true, .readings = s->readings, .dropped = s->dropped, .gaps = s->gaps, .wraps = s->wraps,
		.total = s->total, .covered_s = s->covered_s, .gap_s = s->gap_s, .mean = s->mean, .m2 = s->m2,
		.last_value = s->last_value, .last_mono = s->last_mono, .last_wall = s->last_wall,
	};
	em_unc_runs_now(s, &m->unc);
	m->edge = s->edge_last;
}

struct em_series *em_target_series_of(struct em_source *src, pid_t root, size_t metric)
{
	for (size_t i = 0; root > 0 && i < src->ntseries; i++) {
		struct em_target_series *t = &src->tseries[i];
		if (t->target == root && t->metric >= 0 && (size_t)t->metric == metric) {
			/* read as a continuous monitor's: the latest points and
			 * gaps (window_series.c counts on it) */
			t->s.recent_only = true;
			return &t->s;
		}
	}
	return NULL;
}

int em_source_mark_take(struct em_source *src, pid_t root, struct em_source_mark *m)
{
	memset(m, 0, sizeof(*m));
	m->src = src;
	m->mono = src->covered_mono;
	m->wall = src->covered_wall;
	m->samples = src->samples;
	m->failed_samples = src->failed_samples;
	m->missed_deadlines = src->missed_deadlines;
	m->dropped_readings = src->dropped_readings;
	m->thread_cpu_s = src->thread_cpu_s;
	m->nlog = src->log_lines ? json_array_size(src->log_lines) : 0;
	m->intervals = src->intervals;
	m->nseries = src->nseries;
	if (!m->nseries)
		return 0;
	m->own = calloc(m->nseries, sizeof(*m->own));
	m->target = calloc(m->nseries, sizeof(*m->target));
	if (!m->own || !m->target) {
		em_source_mark_free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->nseries; i++) {
		em_series_mark_of(&src->series[i], &m->own[i]);
		const struct em_series *t = src->series[i].metric_flags & ENERGY_METRIC_PER_TARGET
		                                    ? em_target_series_of(src, root, i)
		                                    : NULL;
		if (t)
			em_series_mark_of(t, &m->target[i]);
	}
	return 0;
}

void em_source_mark_free(struct em_source_mark *m)
{
	free(m->own);
	free(m->target);
	m->own = m->target = NULL;
	m->nseries = 0;
}
