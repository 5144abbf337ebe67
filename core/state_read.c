/*
 * A stopped monitor from a state document (monitor_state.c describes it).
 * The document comes from another process over a socket: every member is
 * checked before it is used (type, range, length, UTF-8, counts against
 * the same caps the host keeps), names must be source ids whose file tags
 * are safe in a file name, and anything wrong is -EPROTO naming the member.
 * Nothing is truncated or repaired: a document the writer could not have
 * made is refused whole.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LEN 96

static int field_read(const json_t *obj, const struct em_state_field *f, void *base, const char *at,
                      struct em_error *err)
{
	char path[PATH_LEN + ENERGY_NAME_MAX];
	snprintf(path, sizeof(path), "%s%s%s", at, at[0] ? "." : "", f->name);
	const json_t *v = json_object_get(obj, f->name);
	char *p = (char *)base + f->offset;
	if (!v)
		return em_state_bad(err, path, "missing");
	if (f->type == EM_F_BOOL) {
		if (!json_is_boolean(v))
			return em_state_bad(err, path, "expected true or false, found %s", em_state_type_name(v));
		*(bool *)p = json_is_true(v);
		return 0;
	}
	if (f->type == EM_F_REAL || f->type == EM_F_REAL_NONNEG) {
		double d = json_number_value(v);
		if (!json_is_number(v) || !isfinite(d))
			return em_state_bad(err, path, "expected a finite number, found %s", em_state_type_name(v));
		if (f->type == EM_F_REAL_NONNEG && d < 0)
			return em_state_bad(err, path, "%g is negative", d);
		*(double *)p = d;
		return 0;
	}
	if (f->type == EM_F_TEXT) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (!s)
			return em_state_bad(err, path, "expected a string, found %s", em_state_type_name(v));
		if (n >= f->size)
			return em_state_bad(err, path, "%zu bytes, more than %zu", n, f->size - 1);
		long bad = em_utf8_invalid_at(s);
		if (strlen(s) != n || bad >= 0)
			return em_state_bad(err, path, "not UTF-8 text (byte %ld)", bad >= 0 ? bad : (long)strlen(s));
		memcpy(p, s, n + 1);
		return 0;
	}
	if (!json_is_integer(v))
		return em_state_bad(err, path, "expected an integer, found %s", em_state_type_name(v));
	json_int_t x = json_integer_value(v);
	json_int_t max = f->type == EM_F_PID ? INT32_MAX : f->type == EM_F_U32 || f->type == EM_F_UINT ? UINT32_MAX
	                                                                                                 : INT64_MAX;
	if (f->type != EM_F_I64 && (x < 0 || x > max))
		return em_state_bad(err, path, "%lld is out of range (0 to %lld)", (long long)x, (long long)max);
	switch (f->type) {
	case EM_F_PID: *(pid_t *)p = (pid_t)x; break;
	case EM_F_U32: *(uint32_t *)p = (uint32_t)x; break;
	case EM_F_UINT: *(unsigned *)p = (unsigned)x; break;
	case EM_F_U64: *(uint64_t *)p = (uint64_t)x; break;
	case EM_F_SIZE: *(size_t *)p = (size_t)x; break;
	default: *(int64_t *)p = (int64_t)x; break;
	}
	return 0;
}

static int fields_read(const json_t *obj, const struct em_state_field *table, void *base, const char *at,
                       struct em_error *err)
{
	if (!json_is_object(obj))
		return em_state_bad(err, at, "expected an object, found %s", em_state_type_name(obj));
	int rc = 0;
	for (const struct em_state_field *f = table; !rc && f->name; f++)
		rc = field_read(obj, f, base, at, err);
	return rc;
}

/* [[from_wall_ns, to_wall_ns, why], ...]: as many as the series kept. */
static int gaps_read(const json_t *obj, struct em_series *s, const char *at, struct em_error *err)
{
	size_t slots = sizeof(s->gap_list) / sizeof(s->gap_list[0]);
	size_t want = s->gaps < slots ? (size_t)s->gaps : slots;
	int rc = 0;
	const json_t *list = em_state_array(obj, "gap_list", slots, "gaps", at, &rc, err);
	if (rc)
		return rc;
	if (json_array_size(list) != want)
		return em_state_bad_in(err, at, "gap_list", "%zu gaps where gaps = %llu keeps %zu", json_array_size(list),
		                       (unsigned long long)s->gaps, want);
	for (size_t i = 0; i < want; i++) {
		const json_t *g = json_array_get(list, i);
		json_int_t why = json_integer_value(json_array_get(g, 2));
		if (!json_is_array(g) || json_array_size(g) != 3 || !json_is_integer(json_array_get(g, 0)) ||
		    !json_is_integer(json_array_get(g, 1)) || !json_is_integer(json_array_get(g, 2)) || why < 0 ||
		    why > EM_GAP_ABANDONED)
			return em_state_bad_in(err, at, "gap_list", "entry %zu is not [from_wall_ns, to_wall_ns, 0..%d]", i,
			                       EM_GAP_ABANDONED);
		s->gap_list[i].from_wall = json_integer_value(json_array_get(g, 0));
		s->gap_list[i].to_wall = json_integer_value(json_array_get(g, 1));
		s->gap_list[i].why = (uint32_t)why;
	}
	return 0;
}

/* The kept points: two arrays of one length, times never going back. */
static int points_read(const json_t *obj, struct em_series *s, const char *at, struct em_error *err)
{
	int rc = 0;
	const json_t *walls = em_state_array(obj, "points_wall_ns", EM_SERIES_POINTS_MAX, "points", at, &rc, err);
	const json_t *values =
		rc ? NULL : em_state_array(obj, "points_value", EM_SERIES_POINTS_MAX, "points", at, &rc, err);
	if (rc)
		return rc;
	size_t n = json_array_size(walls);
	if (json_array_size(values) != n)
		return em_state_bad_in(err, at, "points_value", "%zu values for %zu times", json_array_size(values), n);
	if (n && !(s->points = malloc(n * sizeof(*s->points)))) /* never grown: the monitor is stopped */
		return em_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *t = json_array_get(walls, i), *v = json_array_get(values, i);
		if (!json_is_integer(t))
			return em_state_bad_in(err, at, "points_wall_ns", "point %zu: expected an integer, found %s", i,
			                       em_state_type_name(t));
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return em_state_bad_in(err, at, "points_value", "point %zu: expected a finite number, found %s", i,
			                       em_state_type_name(v));
		s->points[i].wall_ns = json_integer_value(t);
		s->points[i].value = json_number_value(v);
		if (i && s->points[i].wall_ns < s->points[i - 1].wall_ns)
			return em_state_bad_in(err, at, "points_wall_ns", "point %zu is earlier than the one before it",
			                       i);
		s->npoints = i + 1;
	}
	return 0;
}

static int series_read(const json_t *obj, struct em_series *s, const char *at, struct em_error *err)
{
	int rc = fields_read(obj, em_state_series_fields, s, at, err);
	if (rc)
		return rc;
	const char *wrong = s->quantity && !em_quantity_name(s->quantity) ? "quantity"
	                    : !em_scope_name(s->scope)                    ? "scope"
	                    : !em_kind_name(s->kind)                      ? "kind"
	                    : !em_unit_symbol(s->unit)                    ? "unit"
	                    : s->keep_every < 1                           ? "keep_every"
	                    : s->readings && s->first_mono > s->last_mono ? "first_mono"
	                                                                  : NULL;
	if (wrong)
		return em_state_bad_in(err, at, wrong, "out of range");
	/* how far below a range lets the truth go: never above 0 (uncertainty.c
	 * and em_unc_sub keep it there); a positive one narrowed the bound
	 * until its low passed its high */
	if (s->unc.burst_lo_j > 0)
		return em_state_bad_in(err, at, "unc.burst_lo_j", "%g is positive", s->unc.burst_lo_j);
	if ((rc = em_state_check_series_kind(s, at, err)) || (rc = points_read(obj, s, at, err)))
		return rc;
	return gaps_read(obj, s, at, err);
}

/* The members that are not plain struct fields. */
static int source_extras(const json_t *obj, struct em_source *src, const char *at, struct em_error *err)
{
	char path[PATH_LEN + 16];
	const json_t *call = json_object_get(obj, "in_call");
	snprintf(path, sizeof(path), "%s.in_call", at);
	if (!call || (!json_is_null(call) && !(src->in_call = em_state_call_name(json_string_value(call)))))
		return em_state_bad(err, path, "expected null or a plugin method's name");
	static const struct {
		const char *name;
		int (*check)(const json_t *, const char *, struct em_error *);
		size_t offset;
	} free_form[] = {
		{"notes", em_state_check_notes, offsetof(struct em_source, notes)},
		{"log_lines", em_state_check_log, offsetof(struct em_source, log_lines)},
		{"finals", em_state_check_finals, offsetof(struct em_source, finals)},
	};
	for (size_t i = 0; i < sizeof(free_form) / sizeof(free_form[0]); i++) {
		const json_t *v = json_object_get(obj, free_form[i].name);
		snprintf(path, sizeof(path), "%s.%s", at, free_form[i].name);
		int rc = v ? free_form[i].check(v, path, err) : em_state_bad(err, path, "missing");
		if (rc)
			return rc;
		if (!json_is_null(v))
			*(json_t **)((char *)src + free_form[i].offset) = json_incref((json_t *)v);
	}
	return em_state_read_intervals(obj, &src->intervals, at, err);
}

static int source_read(const json_t *obj, struct em_source *src, const char *at, struct em_error *err)
{
	int rc = fields_read(obj, em_state_source_fields, src, at, err);
	if (!rc)
		rc = em_state_check_identity(src, at, err);
	if (!rc && (src->max_series < 1 || src->max_series > EM_STATE_SERIES_MAX))
		rc = em_state_bad_in(err, at, "max_series", "%zu is out of range (1 to %d)", src->max_series,
		                     EM_STATE_SERIES_MAX);
	if (!rc)
		rc = source_extras(obj, src, at, err);
	const json_t *series =
		rc ? NULL : em_state_array(obj, "series", src->max_series, "series (max_series)", at, &rc, err);
	if (rc)
		return rc;
	size_t n = json_array_size(series);
	if (n && !(src->series = calloc(n, sizeof(*src->series))))
		return em_fail(err, -ENOMEM, "out of memory");
	src->series_alloc = n;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_LEN];
		snprintf(path, sizeof(path), "%s.series[%zu]", at, i);
		src->nseries = i + 1; /* freed with the source from here on */
		if ((rc = series_read(json_array_get(series, i), &src->series[i], path, err)))
			return rc;
	}
	return 0;
}

static int monitor_read(const json_t *doc, struct em_monitor *mon, struct em_error *err)
{
	const json_t *version = json_object_get(doc, "state_version");
	if (!json_is_object(doc))
		return em_state_bad(err, "", "expected an object, found %s", em_state_type_name(doc));
	if (!json_is_integer(version) || json_integer_value(version) != EM_STATE_VERSION)
		return em_state_bad(err, "state_version", "%s; this reader knows version %d",
		                    version ? "unknown version" : "missing", EM_STATE_VERSION);
	int rc = fields_read(doc, em_state_monitor_fields, mon, "", err);
	if (!rc && mon->stop_mono < mon->start_mono)
		rc = em_state_bad(err, "stop_mono", "before start_mono");
	const json_t *interval = json_object_get(doc, "interval_requested_s"), *rss = json_object_get(doc, "peak_rss_kib");
	if (!rc && (!json_is_number(interval) || !(json_number_value(interval) >= 0) ||
	            !isfinite(json_number_value(interval))))
		rc = em_state_bad(err, "interval_requested_s", "expected a finite number >= 0");
	if (!rc && (!json_is_integer(rss) || json_integer_value(rss) < 0))
		rc = em_state_bad(err, "peak_rss_kib", "expected an integer >= 0");
	const json_t *sources = rc ? NULL : em_state_array(doc, "sources", EM_STATE_SOURCES_MAX, "sources", "", &rc, err);
	if (!rc && !json_array_size(sources))
		rc = em_state_bad(err, "sources", "empty: a monitor has at least one source");
	if (rc)
		return rc;
	mon->cfg->interval_s = json_number_value(interval);
	for (size_t i = 0; i < json_array_size(sources); i++) {
		char at[PATH_LEN];
		snprintf(at, sizeof(at), "sources[%zu]", i);
		struct em_source *src = em_source_new_detached(mon);
		if (!src)
			return em_fail(err, -ENOMEM, "out of memory");
		if ((rc = source_read(json_array_get(sources, i), src, at, err)))
			return rc;
		struct em_error why = {0};
		if (em_check_file_tags(mon->sources, mon->nsources, &why))
			return em_state_bad(err, at, "%s", why.message);
	}
	return 0;
}

int em_monitor_from_state_doc(const json_t *doc, const struct em_config *cfg, struct em_monitor **out,
                              struct em_error *err)
{
	if (!out || !doc)
		return em_fail(err, -EINVAL, "em_monitor_from_state: no document or no place for the monitor");
	*out = NULL;
	struct em_config *defaults = NULL;
	struct em_monitor *mon = NULL;
	int rc = cfg ? 0 : em_config_new(&defaults, err);
	if (!rc && !(mon = em_monitor_new_stopped(cfg ? cfg : defaults)))
		rc = em_fail(err, -ENOMEM, "out of memory");
	if (!rc)
		rc = monitor_read(doc, mon, err);
	if (!rc && (rc = em_monitor_finish_stopped(mon)))
		em_fail(err, rc, "out of memory building the result");
	/* the measuring process's peak RSS, not this one's */
	json_t *cost = rc ? NULL : json_object_get(mon->result, "monitor_cost");
	if (cost && json_object_set_new(cost, "peak_rss_kib", json_integer(json_integer_value(
	                                                           json_object_get(doc, "peak_rss_kib")))))
		rc = em_fail(err, -ENOMEM, "out of memory");
	em_config_free(defaults);
	if (rc) {
		em_monitor_destroy(mon);
		return rc;
	}
	*out = mon;
	return 0;
}

int em_monitor_from_state(const char *json, size_t len, const struct em_config *cfg, struct em_monitor **out,
                          struct em_error *err)
{
	if (!out || !json)
		return em_fail(err, -EINVAL, "em_monitor_from_state: no document or no place for the monitor");
	*out = NULL;
	if (len > EM_STATE_MAX_BYTES)
		return em_state_bad(err, "", "%zu bytes, more than %zu (64 MiB)", len, EM_STATE_MAX_BYTES);
	json_error_t jerr;
	json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return em_state_bad(err, "", "not JSON: %s (line %d, column %d, byte %d)", jerr.text, jerr.line,
		                    jerr.column, jerr.position);
	int rc = em_monitor_from_state_doc(doc, cfg, out, err);
	json_decref(doc);
	return rc;
}
