/*
 * ABI 1.2 per-target readings: host->emit_target and the set of trees a
 * source follows now. One plugin (ebpf) follows many trees at once for a
 * continuous monitor; each tree's own part of a PER_TARGET metric is kept
 * here as a running total per (metric, target), apart from src->series so
 * that metric ids (indices there) never move and a monitor's result, built
 * from src->series, shows the union's total only. Windows (window.c) read
 * their tree's total with em_source_target_series().
 *
 * The current targets are what the plugin accepted: host->target_pid at
 * first, then the pids of each set_targets() that returned 0. A total of a
 * target that left the set is freed (its slot reused): a pid the kernel
 * recycles into a new tree must start from nothing.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_pid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool is_target(const struct em_source *src, int64_t pid)
{
	return pid > 0 && src->ncur_targets &&
	       bsearch(&pid, src->cur_targets, src->ncur_targets, sizeof(pid), cmp_pid) != NULL;
}

static void free_slot(struct em_target_series *t)
{
	em_series_free(&t->s);
	memset(t, 0, sizeof(*t));
}

void em_source_targets_applied(struct em_source *src, const int64_t *pids, size_t n, int rc)
{
	if (rc != 0)
		return; /* refused: the plugin still follows the earlier set */
	int64_t *set = NULL;
	size_t kept = 0;
	if (n && (set = malloc(n * sizeof(*set)))) {
		memcpy(set, pids, n * sizeof(*set));
		qsort(set, n, sizeof(*set), cmp_pid);
		for (size_t i = 0; i < n; i++) /* unique and positive */
			if (set[i] > 0 && (!kept || set[kept - 1] != set[i]))
				set[kept++] = set[i];
	}
	/* Out of memory: an empty set, so emit_target refuses every pid rather
	 * than crediting a tree that may have left. */
	free(src->cur_targets);
	src->cur_targets = set;
	src->ncur_targets = kept;
	for (size_t i = 0; i < src->ntseries; i++)
		if (src->tseries[i].target && !is_target(src, src->tseries[i].target))
			free_slot(&src->tseries[i]);
}

static struct em_target_series *find(struct em_source *src, int metric, int64_t target)
{
	size_t n = src->ntseries;
	for (size_t k = 0; k < n; k++) {
		size_t i = (src->tseries_hint + k) % n;
		struct em_target_series *t = &src->tseries[i];
		if (t->target == target && t->metric == metric) {
			src->tseries_hint = i + 1;
			return t;
		}
	}
	return NULL;
}

const struct em_series *em_source_target_series(const struct em_source *src, int metric, int64_t target)
{
	for (size_t i = 0; i < src->ntseries; i++)
		if (src->tseries[i].target == target && target && src->tseries[i].metric == metric)
			return &src->tseries[i].s;
	return NULL;
}

/* A free slot (target 0) or a new one; NULL at the cap or out of memory. */
static struct em_target_series *new_slot(struct em_source *src)
{
	for (size_t i = 0; i < src->ntseries; i++)
		if (!src->tseries[i].target)
			return &src->tseries[i];
	if (src->ntseries >= EM_TSERIES_MAX)
		return NULL;
	if (src->ntseries == src->tseries_alloc) {
		size_t want = src->tseries_alloc ? 2 * src->tseries_alloc : 16;
		if (want > EM_TSERIES_MAX)
			want = EM_TSERIES_MAX;
		struct em_target_series *grown = realloc(src->tseries, want * sizeof(*grown));
		if (!grown)
			return NULL;
		src->tseries = grown;
		src->tseries_alloc = want;
	}
	struct em_target_series *t = &src->tseries[src->ntseries++];
	memset(t, 0, sizeof(*t));
	return t;
}

/* The running total of `decl` for one target: what the declared series is,
 * with nothing counted yet. It keeps no points: windows need the totals
 * only, and 16384 point lists of 64 KiB each would be a gigabyte. */
static void init_total(struct em_source *src, struct em_target_series *t, int metric, int64_t target)
{
	const struct em_series *decl = &src->series[metric];
	struct em_series *s = &t->s;
	memset(t, 0, sizeof(*t));
	t->target = target;
	t->metric = metric;
	s->quantity = decl->quantity;
	s->scope = decl->scope;
	memcpy(s->sensor, decl->sensor, sizeof(s->sensor));
	s->kind = decl->kind;
	s->unit = decl->unit;
	s->index = decl->index;
	s->metric_flags = decl->metric_flags;
	s->declared = true;
	memcpy(s->key, decl->key, sizeof(s->key));
	memcpy(s->unit_name, decl->unit_name, sizeof(s->unit_name));
	s->counter_max = decl->counter_max;
	s->resolution = decl->resolution; /* each part is read as the whole is */
	s->wrap_safe_s = decl->wrap_safe_s;
	s->failure_epoch = src->failure_epoch;
	s->recent_only = decl->recent_only;
	s->keep_every = SIZE_MAX; /* never reached: no point is kept */
}

int em_host_emit_target(void *ctx, int metric, int64_t target, double value, int64_t mono_ns, int64_t wall_ns)
{
	struct em_source *src = ctx;
	if (!isfinite(value))
		return -EINVAL;
	if (!em_source_lock_live(src))
		return -ECANCELED;
	int rc = 0;
	struct em_target_series *t = NULL;
	if (!src->call_mono)
		rc = -EBUSY; /* from create(): the measurement begins with start() */
	else if (metric < 0 || (size_t)metric >= src->nseries || !src->series[metric].declared ||
	         !(src->series[metric].metric_flags & ENERGY_METRIC_PER_TARGET))
		rc = -EINVAL;
	else if (!is_target(src, target))
		rc = -ESRCH;
	else if (!(t = find(src, metric, target))) {
		if ((t = new_slot(src)))
			init_total(src, t, metric, target);
		else
			rc = -ENOSPC;
	}
	if (t)
		em_series_push(&t->s, mono_ns ? mono_ns : src->call_mono, wall_ns ? wall_ns : src->call_wall, value,
		               src->failure_epoch);
	em_source_unlock(src);
	return rc;
}

void em_source_targets_free(struct em_source *src)
{
	for (size_t i = 0; i < src->ntseries; i++)
		em_series_free(&src->tseries[i].s);
	free(src->tseries);
	src->tseries = NULL;
	src->ntseries = src->tseries_alloc = 0;
	free(src->cur_targets);
	src->cur_targets = NULL;
	src->ncur_targets = 0;
}
