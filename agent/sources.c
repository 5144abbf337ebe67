/*
 * The monitor's sources as clients see them. The public API tells a
 * source's identity and sampling counts only through a window's result, so
 * energymond keeps one window of its own open over every source, with no
 * tree (the ledger): at startup one window learns who the sources are
 * (hello), and each status request ends the ledger, adds its counts to the
 * totals and opens the next. The samples the ledger's own begins take are
 * the only ones the totals leave out.
 */
#include "agent.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct source_stats {
	uint64_t samples, failed_samples;
	double last_reading; /* unix s of its newest reading; NAN: none yet */
};

struct agent_sources {
	struct em_monitor *mon;
	char why[1024];        /* why there is no monitor or no source list */
	int code;              /* and its negative errno */
	json_t *list;          /* hello's "sources" */
	double interval_s;
	pthread_mutex_t lock;  /* the ledger and the stats */
	struct em_window *ledger;
	struct source_stats *stats; /* one per entry of list */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The time of the newest point of any series of source `id` in a result. */
static double newest_point(const json_t *result, const char *id)
{
	const json_t *series = json_object_get(json_object_get(json_object_get(result, "monitors"), id), "series");
	double newest = NAN;
	size_t i;
	const json_t *s;
	json_array_foreach(series, i, s) {
		const json_t *pts = json_object_get(s, "points");
		const json_t *t = json_array_get(json_array_get(pts, json_array_size(pts) - 1), 0);
		if (json_is_number(t) && (isnan(newest) || json_number_value(t) > newest))
			newest = json_number_value(t);
	}
	return newest;
}

/* Add a window's counts to the totals (first: also learn the sources). */
static void take_counts(struct agent_sources *s, struct em_monitor *result, bool first)
{
	char *text = em_monitor_result_json(result);
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	struct em_result_source one;
	for (size_t i = 0; (one.struct_size = sizeof(one), em_result_source(result, i, &one)) == 0; i++) {
		if (first) {
			json_array_append_new(s->list, json_pack("{s:s,s:s,s:s,s:b,s:o}", "id", one.id, "plugin", one.plugin,
			                                         "instance", one.instance, "available", one.available,
			                                         "reason", one.reason ? json_string(one.reason) : json_null()));
			s->interval_s = one.interval_requested_s;
		}
		if (i >= json_array_size(s->list))
			break;
		s->stats[i].samples += one.samples;
		s->stats[i].failed_samples += one.failed_samples;
		double t = newest_point(doc, one.id);
		if (!isnan(t))
			s->stats[i].last_reading = t;
	}
	json_decref(doc);
}

static int learn(struct agent_sources *s)
{
	struct em_error err = {0};
	struct em_window *w = NULL;
	struct em_monitor *result = NULL;
	int rc = em_window_begin(s->mon, 0, NULL, 0, &w, &err);
	if (!rc)
		rc = em_window_end(s->mon, w, &result, &err);
	if (rc) {
		snprintf(s->why, sizeof(s->why), "cannot learn the sources: %s", err.message);
		return rc;
	}
	struct em_result_source one = {.struct_size = sizeof(one)};
	size_t n = 0;
	while ((one.struct_size = sizeof(one), em_result_source(result, n, &one)) == 0)
		n++;
	s->stats = calloc(n ? n : 1, sizeof(*s->stats));
	for (size_t i = 0; s->stats && i < n; i++)
		s->stats[i].last_reading = NAN;
	if (s->stats)
		take_counts(s, result, true);
	em_monitor_destroy(result);
	if (!s->stats)
		return -1;
	rc = em_window_begin(s->mon, 0, NULL, 0, &s->ledger, &err);
	if (rc)
		agent_log("cannot open the window status counts come from: %s", err.message);
	return 0;
}

struct agent_sources *agent_sources_new(struct em_monitor *mon, int code, const char *why)
{
	struct agent_sources *s = calloc(1, sizeof(*s));
	if (!s || !(s->list = json_array())) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->interval_s = NAN;
	s->mon = mon;
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "");
	s->code = code;
	if (mon && (s->code = learn(s)) != 0)
		agent_log("%s", s->why);
	return s;
}

json_t *agent_sources_hello(const struct agent_sources *s)
{
	return json_deep_copy(s->list);
}

double agent_sources_interval(const struct agent_sources *s)
{
	return s->interval_s;
}

const char *agent_sources_monitor_error(const struct agent_sources *s)
{
	return s->mon && !s->why[0] ? NULL : s->why;
}

int agent_sources_monitor_errno(const struct agent_sources *s)
{
	return agent_sources_monitor_error(s) ? (s->code ? s->code : -EIO) : 0;
}

json_t *agent_sources_status(struct agent_sources *s)
{
	pthread_mutex_lock(&s->lock);
	struct em_error err = {0};
	if (s->ledger) {
		struct em_monitor *result = NULL;
		int rc = em_window_end(s->mon, s->ledger, &result, &err);
		s->ledger = NULL;
		if (!rc)
			take_counts(s, result, false);
		em_monitor_destroy(result);
	}
	/* (again after a failure: the counts go on from here) */
	if (s->mon && s->stats && em_window_begin(s->mon, 0, NULL, 0, &s->ledger, &err) != 0)
		agent_log("cannot open the window status counts come from: %s", err.message);
	json_t *out = json_array();
	double now = wall_now();
	size_t i;
	json_t *src;
	json_array_foreach(s->list, i, src) {
		const struct source_stats *st = &s->stats[i];
		json_t *one = json_pack("{s:O,s:I,s:I}", "id", json_object_get(src, "id"), "samples",
		                        (json_int_t)st->samples, "failed_samples", (json_int_t)st->failed_samples);
		if (isnan(st->last_reading)) {
			json_object_set_new(one, "last_sample_age_s", json_null());
			json_object_set_new(one, "reason", json_string("no reading from this source yet"));
		} else {
			json_object_set_new(one, "last_sample_age_s", json_real(now > st->last_reading ? now - st->last_reading : 0));
		}
		json_array_append_new(out, one);
	}
	pthread_mutex_unlock(&s->lock);
	return out;
}

void agent_sources_free(struct agent_sources *s)
{
	if (!s)
		return;
	if (s->ledger)
		em_window_free(s->mon, s->ledger);
	json_decref(s->list);
	free(s->stats);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
