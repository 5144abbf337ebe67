/*
 * A stopped monitor as a state document (monitor_state.c describes it):
 * every source and series member the result code reads, as the tables
 * list them, and the members that are not plain struct fields.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Text as JSON; bytes that are not UTF-8 (a plugin file's path may hold
 * any) become '?' rather than losing the whole document. */
static json_t *text_json(const char *s)
{
	json_t *v = json_string(s);
	if (v || em_utf8_invalid_at(s) < 0)
		return v;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	em_utf8_sanitize(copy);
	v = json_string(copy);
	free(copy);
	return v;
}

static json_t *field_json(const struct em_state_field *f, const void *base)
{
	const char *p = (const char *)base + f->offset;
	switch (f->type) {
	case EM_F_BOOL: return json_boolean(*(const bool *)p);
	case EM_F_PID: return json_integer(*(const pid_t *)p);
	case EM_F_U32: return json_integer(*(const uint32_t *)p);
	case EM_F_UINT: return json_integer(*(const unsigned *)p);
	case EM_F_U64: return json_integer((json_int_t)*(const uint64_t *)p);
	case EM_F_SIZE: return json_integer((json_int_t)*(const size_t *)p);
	case EM_F_I64: return json_integer((json_int_t)*(const int64_t *)p);
	case EM_F_REAL:
	case EM_F_REAL_NONNEG: return em_real_or_null(*(const double *)p); /* the reader refuses null */
	case EM_F_TEXT: return text_json(p);
	default: return NULL;
	}
}

/* An object of the table's members of `base`; NULL when out of memory. */
static json_t *fields_json(const struct em_state_field *table, const void *base)
{
	json_t *o = json_object();
	for (const struct em_state_field *f = table; o && f->name; f++)
		if (json_object_set_new(o, f->name, field_json(f, base))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* Members are added in order; the first that fails (no memory) makes
 * the object NULL, and every later call passes NULL on. */
static json_t *add(json_t *o, const char *key, json_t *v)
{
	if (o && !json_object_set_new(o, key, v))
		return o;
	if (!o)
		json_decref(v);
	json_decref(o);
	return NULL;
}

static json_t *series_json(const struct em_series *s)
{
	json_t *walls = json_array(), *values = json_array(), *gaps = json_array();
	for (size_t i = 0; walls && values && i < s->npoints; i++)
		if (json_array_append_new(walls, json_integer((json_int_t)s->points[i].wall_ns)) ||
		    json_array_append_new(values, em_real_or_null(s->points[i].value))) {
			json_decref(walls);
			walls = NULL;
		}
	size_t slots = sizeof(s->gap_list) / sizeof(s->gap_list[0]);
	for (size_t i = 0; gaps && i < s->gaps && i < slots; i++)
		if (json_array_append_new(gaps, json_pack("[I,I,i]", (json_int_t)s->gap_list[i].from_wall,
		                                          (json_int_t)s->gap_list[i].to_wall, (int)s->gap_list[i].why))) {
			json_decref(gaps);
			gaps = NULL;
		}
	/* the runs still waiting for their look-ahead travel bounded as they
	 * stand: the process that reads the state starts them afresh */
	struct em_series flushed = *s;
	em_unc_now(s, &flushed.unc);
	json_t *o = fields_json(em_state_series_fields, &flushed);
	o = add(o, "points_wall_ns", walls);
	o = add(o, "points_value", values);
	return add(o, "gap_list", gaps);
}

/* The interval histogram, sparse: [[bucket, count], ...] of the buckets used. */
static json_t *intervals_json(const struct em_interval_stats *st)
{
	json_t *buckets = json_array();
	for (int b = 0; buckets && b < EM_INTERVAL_BUCKETS; b++)
		if (st->buckets[b] && json_array_append_new(buckets, json_pack("[i,I]", b, (json_int_t)st->buckets[b]))) {
			json_decref(buckets);
			buckets = NULL;
		}
	json_t *o = json_pack("{s:I,s:o}", "count", (json_int_t)st->count, "max_s", em_real_or_null(st->max_s));
	return add(o, "buckets", buckets);
}

static json_t *or_null(json_t *v)
{
	return v ? json_incref(v) : json_null();
}

static json_t *source_json(const struct em_source *src)
{
	json_t *series = json_array();
	for (size_t i = 0; series && i < src->nseries; i++)
		if (json_array_append_new(series, series_json(&src->series[i]))) {
			json_decref(series);
			series = NULL;
		}
	json_t *o = fields_json(em_state_source_fields, src);
	o = add(o, "in_call", src->in_call ? json_string(src->in_call) : json_null());
	o = add(o, "notes", or_null(src->notes));
	o = add(o, "log_lines", or_null(src->log_lines));
	o = add(o, "finals", or_null(src->finals));
	o = add(o, "intervals", intervals_json(&src->intervals));
	return add(o, "series", series);
}

json_t *em_monitor_state_doc(const struct em_monitor *mon)
{
	if (!mon || !mon->stopped || !mon->results || !mon->result)
		return NULL;
	/* the peak RSS of the process that measured, as its result says: the
	 * reader's own would differ */
	const json_t *rss = json_object_get(json_object_get(mon->result, "monitor_cost"), "peak_rss_kib");
	json_t *doc = json_pack("{s:i}", "state_version", EM_STATE_VERSION);
	json_t *fields = fields_json(em_state_monitor_fields, mon);
	if (doc && fields && json_object_update(doc, fields))
		json_decref(doc), doc = NULL;
	json_decref(fields);
	if (!fields)
		json_decref(doc), doc = NULL;
	doc = add(doc, "interval_requested_s", em_real_or_null(mon->cfg->interval_s));
	doc = add(doc, "peak_rss_kib", json_integer(json_is_integer(rss) ? json_integer_value(rss) : 0));
	json_t *sources = json_array();
	for (size_t i = 0; sources && i < mon->nsources; i++)
		if (json_array_append_new(sources, source_json(mon->sources[i]))) {
			json_decref(sources);
			sources = NULL;
		}
	return add(doc, "sources", sources);
}

char *em_monitor_state_json(const struct em_monitor *mon)
{
	json_t *doc = em_monitor_state_doc(mon);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | EM_STATE_REALS) : NULL;
	json_decref(doc);
	return text;
}
