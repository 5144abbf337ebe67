/*
 * em_monitor_live(): a started monitor's latest readings, for scrapes.
 *
 * A scrape may come every second for every one of a thousand sources, so
 * the snapshot is one block: a header, the sources' records, the series'
 * records and a pool of their strings. A first pass counts each source's
 * series under its lock; the pool is sized by the arrays its strings come
 * from (names, reasons, units: each a fixed char array in the source or
 * series), so it cannot overflow and no string is measured twice. Records
 * hold pool offsets, not pointers; the accessors (live_read.c) turn them
 * into pointers. Only the sampling threads' own numbers are copied: no
 * plugin is called and nothing waits for a sample.
 */
#include "internal.h"
#include "live.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The texts a source's record takes (NULL for none). */
struct source_texts {
	const char *id, *plugin, *instance, *reason, *last_error;
};

/* Lock held. */
static struct source_texts texts_of(const struct em_source *src)
{
	struct source_texts t = {
		.id = src->name,
		.plugin = src->plugin[0] ? src->plugin : src->name,
		.instance = src->instance_name,
		.reason = src->available ? NULL : src->reason,
		.last_error = src->abandoned ? src->abandon_reason
		              : src->recent_failure[0] ? src->recent_failure
		                                       : NULL,
	};
	return t;
}

/* Lock held: the series a snapshot reports (none of an abandoned source:
 * its thread may still be inside the plugin and its series are not the
 * snapshot's to read as current). */
static size_t series_of(const struct em_source *src)
{
	return src->abandoned ? 0 : src->nseries;
}

/* The most pool bytes a source and n of its series can take: every
 * string is a NUL-terminated char array of the source or series, or a
 * short static name. */
static size_t pool_bound(size_t n)
{
	return 3 * ENERGY_NAME_MAX + 2 * ENERGY_REASON_MAX + n * (2 * ENERGY_NAME_MAX + ENERGY_UNIT_NAME_MAX);
}

static void lock(struct em_source *src)
{
	if (src->sync_ready)
		pthread_mutex_lock(&src->lock);
}

static void unlock(struct em_source *src)
{
	if (src->sync_ready)
		pthread_mutex_unlock(&src->lock);
}

/* Append s to the pool: its offset, or EM_LIVE_NO_TEXT for NULL. The
 * pool's bound (pool_bound) holds by construction; the check keeps a
 * future string that breaks it from writing past the block. */
static uint32_t put(struct em_live *l, const char *s)
{
	if (!s)
		return EM_LIVE_NO_TEXT;
	size_t n = strnlen(s, ENERGY_REASON_MAX - 1) + 1;
	if (n > l->pool_cap - l->pool_used)
		return EM_LIVE_NO_TEXT;
	uint32_t at = (uint32_t)l->pool_used;
	char *to = (char *)l + em_live_pool_at(l) + at;
	memcpy(to, s, n - 1);
	to[n - 1] = '\0';
	l->pool_used += n;
	return at;
}

static double seconds_or_nan(int64_t wall_ns)
{
	return wall_ns ? (double)wall_ns / 1e9 : NAN;
}

/* A counter's wrap-corrected sum or a watt gauge's trapezoid integral. */
static double energy_of(const struct em_series *s)
{
	uint32_t kind = em_series_kind(s), unit = em_series_unit_id(s);
	bool energy = (kind == ENERGY_KIND_COUNTER && unit == ENERGY_UNIT_JOULE) ||
	              (kind == ENERGY_KIND_GAUGE && unit == ENERGY_UNIT_WATT);
	return energy && s->readings ? s->total : NAN;
}

/* Lock held, pool room reserved. */
static void copy_series(struct em_live *l, struct em_live_series_rec *r, struct em_series *s)
{
	memset(r, 0, sizeof(*r));
	r->key = put(l, em_series_result_key_cached(s));
	r->sensor = put(l, s->sensor);
	r->unit = put(l, em_series_unit(s));
	struct em_live_series *p = &r->pub;
	const char *kind = em_kind_name(em_series_kind(s));
	p->kind = kind ? kind : "unknown";
	p->scope = em_scope_label(s->scope);
	p->index = s->index;
	p->readings = s->readings;
	p->value = s->readings ? s->last_value : NAN;
	p->value_s = s->readings ? (double)s->last_wall / 1e9 : NAN;
	p->energy_j = energy_of(s);
	p->covered_s = s->readings ? s->covered_s : NAN;
}

/* Lock held, pool room reserved. The last try is the sample running now,
 * if one is: a hung one shows by its age. */
static void copy_source(struct em_live *l, struct em_live_source_rec *r, const struct em_source *src)
{
	memset(r, 0, sizeof(*r));
	struct source_texts t = texts_of(src);
	r->id = put(l, t.id);
	r->plugin = put(l, t.plugin);
	r->instance = put(l, t.instance);
	r->reason = put(l, t.reason);
	r->last_error = put(l, t.last_error);
	struct em_live_source *p = &r->pub;
	p->available = src->available;
	p->up = src->started && !src->abandoned && src->last_ok;
	p->interval_s = src->interval_s;
	p->samples = src->samples;
	p->failed_samples = src->failed_samples;
	p->missed_deadlines = src->missed_deadlines;
	memcpy(p->errors, src->sample_errors, sizeof(p->errors));
	bool sampling_now = src->in_call && !strcmp(src->in_call, "sample");
	p->last_try_s = seconds_or_nan(sampling_now ? src->call_wall : src->last_try_wall);
	p->last_ok_s = seconds_or_nan(src->last_ok_wall);
	p->started_s = src->started ? (double)src->start_wall / 1e9 : NAN;
	p->thread_cpu_s = src->thread_cpu_s;
}

/* Second pass: copy each source (at most the series counted for it). */
static void copy_all(struct em_live *l, struct em_source *const *sources, const size_t *counted)
{
	size_t next = 0;
	for (size_t i = 0; i < l->nsources; i++) {
		struct em_source *src = sources[i];
		lock(src);
		size_t n = series_of(src) < counted[i] ? series_of(src) : counted[i];
		struct em_live_source_rec *r = em_live_sources(l) + i;
		copy_source(l, r, src);
		r->first_series = next;
		r->pub.nseries = n;
		for (size_t k = 0; k < n; k++)
			copy_series(l, em_live_series_recs(l) + next + k, &src->series[k]);
		unlock(src);
		next += n;
	}
	l->nseries = next;
}

int em_monitor_live(struct em_monitor *mon, struct em_live **out, struct em_error *err)
{
	if (out)
		*out = NULL;
	if (!mon || !out)
		return em_fail(err, -EINVAL, "em_monitor_live: %s is NULL", mon ? "out" : "the monitor");
	if (!mon->started || mon->stopped)
		return em_fail(err, -EINVAL, "em_monitor_live: the monitor is %s", mon->stopped ? "stopped" : "not started");
	if (mon->agent_socket)
		return em_fail(err, -EOPNOTSUPP, "em_monitor_live: energymond at %s measures this monitor; read its "
		               "live readings from energymond itself", mon->agent_socket);
	size_t *counted = calloc(mon->nsources ? mon->nsources : 1, sizeof(*counted));
	if (!counted)
		return em_fail(err, -ENOMEM, "em_monitor_live: out of memory");
	size_t nseries = 0, pool = 0;
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *src = mon->sources[i];
		lock(src);
		counted[i] = series_of(src);
		unlock(src);
		nseries += counted[i];
		pool += pool_bound(counted[i]);
	}
	struct em_live head = {.nsources = mon->nsources, .series_cap = nseries,
	                       .pool_cap = pool};
	struct em_live *l = malloc(em_live_pool_at(&head) + pool);
	if (l) {
		*l = head;
		copy_all(l, mon->sources, counted);
		/* stamped after the copy, so that every reading in it (a sample
		 * may have been booked while the copy ran) is no later than it */
		l->taken = (double)em_now_ns(CLOCK_REALTIME) / 1e9;
	}
	free(counted);
	if (!l)
		return em_fail(err, -ENOMEM, "em_monitor_live: out of memory for %zu sources and %zu series",
		               mon->nsources, nseries);
	*out = l;
	return 0;
}
