/*
 * Windows on a continuous monitor (energymond's clients): em_window_begin
 * has each source the window names take a sample now and marks where it
 * stands (window_marks.c); em_window_end has them sample again and builds
 * a stopped monitor of the differences (window_result.c), read like any
 * other. The window's root joins the counted union of trees the plugins
 * follow (window_roots.c) for as long as the window is open.
 *
 * Several threads may open and close windows at once: each source's lock
 * guards its marks, the samples asked for are shared (sampler_requests.c),
 * and the roots have their own lock. Sources are asked for their samples
 * all at once and waited for together, so a window costs the slowest
 * source's sample, not their sum.
 */
#include "window_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct em_window {
	pid_t root;
	size_t n;
	struct em_source_mark *begin; /* one per source, in the window's order */
	int64_t begin_mono, begin_wall; /* when em_window_begin was called */
};

/* The sources `ids` names, in its order: -ENOENT for an unknown one (the
 * message lists the monitor's), -EINVAL for one named twice. */
static int pick_sources(struct em_monitor *mon, const char *const *ids, size_t nids, struct em_source **out,
                        size_t *n, struct em_error *err)
{
	*n = 0;
	if (!ids || !nids) {
		memcpy(out, mon->sources, mon->nsources * sizeof(*out));
		*n = mon->nsources;
		return 0;
	}
	for (size_t i = 0; i < nids; i++) {
		struct em_source *found = NULL;
		for (size_t j = 0; ids[i] && j < mon->nsources && !found; j++)
			if (!strcmp(mon->sources[j]->name, ids[i]))
				found = mon->sources[j];
		for (size_t j = 0; found && j < *n; j++)
			if (out[j] == found)
				return em_fail(err, -EINVAL, "em_window_begin: source '%s' is named twice", ids[i]);
		if (!found) {
			char known[1024] = "";
			size_t used = 0;
			for (size_t j = 0; j < mon->nsources && used < sizeof(known); j++)
				used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", j ? ", " : "",
				                         mon->sources[j]->name);
			return em_fail(err, -ENOENT, "em_window_begin: no source '%.*s' in this monitor; its sources: %s",
			               ids[i] ? 64 : 6, ids[i] ? ids[i] : "(null)", known);
		}
		out[(*n)++] = found;
	}
	return 0;
}

static int64_t sample_deadline(void)
{
	return em_now_ns(CLOCK_MONOTONIC) + (int64_t)(EM_WINDOW_SAMPLE_WAIT_S * 1e9);
}

/* Ask every source for a sample now; tickets[i] is 0 where none runs. */
static void poke_all(struct em_source_mark *marks, size_t n, uint64_t *tickets)
{
	for (size_t i = 0; i < n; i++)
		tickets[i] = em_sampler_poke(marks[i].src);
}

void em_window_free(struct em_monitor *mon, struct em_window *w)
{
	if (!w)
		return;
	if (w->root > 0)
		em_window_root_drop(mon, w->root);
	for (size_t i = 0; i < w->n; i++)
		em_source_mark_free(&w->begin[i]);
	free(w->begin);
	free(w);
}

int em_window_begin(struct em_monitor *mon, pid_t root, const char *const *ids, size_t nids, struct em_window **out,
                    struct em_error *err)
{
	*out = NULL;
	if (!mon || !mon->continuous || !mon->started || mon->stopped)
		return em_fail(err, -EINVAL, "em_window_begin: the monitor is not a started continuous monitor "
		               "(em_monitor_create_continuous, em_monitor_start, not yet stopped)");
	if (root < 0)
		return em_fail(err, -EINVAL, "em_window_begin: root %ld is not a process id; accepted: a pid > 0, or 0 "
		               "for no process tree", (long)root);
	struct em_window *w = calloc(1, sizeof(*w));
	struct em_source **picked = calloc(mon->nsources + 1, sizeof(*picked));
	uint64_t *tickets = calloc(mon->nsources + 1, sizeof(*tickets));
	int rc = 0;
	if (!w || !picked || !tickets || !(w->begin = calloc(mon->nsources + 1, sizeof(*w->begin)))) {
		rc = em_fail(err, -ENOMEM, "out of memory");
		goto out;
	}
	w->begin_mono = em_now_ns(CLOCK_MONOTONIC);
	w->begin_wall = em_now_ns(CLOCK_REALTIME);
	if ((rc = pick_sources(mon, ids, nids, picked, &w->n, err)))
		goto out;
	if (root > 0 && (rc = em_window_root_add(mon, root, err)))
		goto out;
	w->root = root; /* from here em_window_free drops it */
	for (size_t i = 0; i < w->n; i++)
		w->begin[i].src = picked[i];
	poke_all(w->begin, w->n, tickets);
	int64_t deadline = sample_deadline();
	for (size_t i = 0; i < w->n && !rc; i++) {
		struct em_source *src = picked[i];
		pthread_mutex_lock(&src->lock);
		bool late = tickets[i] && !em_sampler_poke_wait_locked(src, tickets[i], deadline);
		rc = em_source_mark_take(src, root, &w->begin[i]);
		w->begin[i].late = late;
		pthread_mutex_unlock(&src->lock);
		if (rc)
			rc = em_fail(err, rc, "out of memory");
	}
out:
	free(picked);
	free(tickets);
	if (rc)
		em_window_free(mon, w);
	else
		*out = w;
	return rc;
}

/* The result monitor's own times: from the earliest source's begin sample
 * to the latest one's end sample; the calls' times when no source ran. */
static void window_times(struct em_monitor *res, const struct em_window *w)
{
	res->start_mono = w->begin_mono;
	res->start_wall = w->begin_wall;
	res->stop_mono = em_now_ns(CLOCK_MONOTONIC);
	res->stop_wall = em_now_ns(CLOCK_REALTIME);
	bool any = false;
	for (size_t i = 0; i < res->nsources; i++) {
		const struct em_source *s = res->sources[i];
		if (!s->started)
			continue;
		if (!any || s->start_mono < res->start_mono) {
			res->start_mono = s->start_mono;
			res->start_wall = s->start_wall;
		}
		if (!any || s->stop_mono > res->stop_mono) {
			res->stop_mono = s->stop_mono;
			res->stop_wall = s->stop_wall;
		}
		any = true;
		res->self_cpu_s += s->thread_cpu_s;
	}
}

int em_window_end(struct em_monitor *mon, struct em_window *w, struct em_monitor **result, struct em_error *err)
{
	*result = NULL;
	if (!w)
		return em_fail(err, -EINVAL, "em_window_end: no window");
	if (!mon || !mon->continuous || mon->stopped) {
		em_window_free(mon, w);
		return em_fail(err, -EINVAL, "em_window_end: the monitor is not a running continuous monitor");
	}
	int rc = 0;
	struct em_monitor *res = em_monitor_new_stopped(mon->cfg);
	uint64_t *tickets = calloc(w->n + 1, sizeof(*tickets));
	if (!res || !tickets) {
		rc = em_fail(err, -ENOMEM, "out of memory");
		goto out;
	}
	res->target_pid = w->root;
	poke_all(w->begin, w->n, tickets);
	int64_t deadline = sample_deadline();
	for (size_t i = 0; i < w->n && !rc; i++) {
		struct em_source *src = w->begin[i].src;
		pthread_mutex_lock(&src->lock);
		bool late = tickets[i] && !em_sampler_poke_wait_locked(src, tickets[i], deadline);
		rc = em_window_source(res, src, &w->begin[i], w->root, late);
		pthread_mutex_unlock(&src->lock);
	}
	if (!rc) {
		window_times(res, w);
		rc = em_monitor_finish_stopped(res);
	}
	if (rc)
		rc = em_fail(err, rc, "out of memory building the window's result");
out:
	free(tickets);
	em_window_free(mon, w); /* the root leaves the union after the last sample */
	if (rc)
		em_monitor_destroy(res);
	else
		*result = res;
	return rc;
}
