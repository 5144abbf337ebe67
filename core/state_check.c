/*
 * Checks of a state document's members that are not plain struct fields
 * (state_read.c reads those by the tables of monitor_state.c): who a
 * source is, the interval histogram, and what a plugin wrote freely
 * (notes, log lines, final readings), bounded in members, depth and
 * string length.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The source's id, as a strategy entry must be (config_strategy.c), and
 * the identity em_source_open derives from it: the file tag is never
 * taken from the document, only checked against the id. */
int em_state_check_identity(const struct em_source *src, const char *at, struct em_error *err)
{
	struct em_config *scratch = NULL;
	struct em_error why = {0};
	int rc = em_config_new(&scratch, &why);
	if (!rc && (strchr(src->name, ',') || (rc = em_config_set_strategy(scratch, src->name, &why)) ||
	            scratch->nstrategy != 1 || strcmp(scratch->strategy[0], src->name)))
		rc = em_state_bad_in(err, at, "name", "'%s' is not a source id: %s", src->name,
		                     why.message[0] ? why.message : "one plugin or plugin:instance");
	else if (rc)
		rc = em_fail(err, rc, "%s", why.message);
	em_config_free(scratch);
	if (rc)
		return rc;
	const char *colon = strchr(src->name, ':');
	char plugin[ENERGY_NAME_MAX], tag[ENERGY_NAME_MAX];
	snprintf(plugin, sizeof(plugin), "%.*s", colon ? (int)(colon - src->name) : (int)strlen(src->name), src->name);
	snprintf(tag, sizeof(tag), "%s%s%s", plugin, colon ? "-" : "", colon ? colon + 1 : "");
	const char *wrong = strcmp(src->plugin, plugin)                              ? "plugin"
	                    : strcmp(src->instance_name, colon ? colon + 1 : "")     ? "instance_name"
	                    : strcmp(src->file_tag, tag)                             ? "file_tag"
	                                                                              : NULL;
	if (wrong)
		return em_state_bad_in(err, at, wrong, "does not go with source id '%s' (plugin '%s', file tag '%s')",
		                       src->name, plugin, tag);
	bool abi_ok = !src->plugin_abi[0] || strspn(src->plugin_abi, "0123456789.") == strlen(src->plugin_abi);
	return abi_ok ? 0 : em_state_bad_in(err, at, "plugin_abi", "'%s' is not major.minor", src->plugin_abi);
}

/* A series is what the host could have made: a 1.0 reading's, with the
 * kind and unit of its quantity and no key, or a declaration the host
 * accepts (metric_decl.c, the same check declare_metric makes) with what
 * that declaration makes of it. */
int em_state_check_series_kind(const struct em_series *s, const char *at, struct em_error *err)
{
	if (!s->declared) {
		uint32_t kind, unit;
		em_quantity_kind_unit(s->quantity, &kind, &unit);
		if (!kind || kind != s->kind || unit != s->unit || s->key[0] || s->unit_name[0])
			return em_state_bad_in(err, at, "quantity",
			                       "a reading's series of quantity %u is a %s in %s with no key or unit_name", s->quantity, kind ? em_kind_name(kind) : "(none)",
			                       kind ? em_unit_symbol(unit) : "(none)");
		return 0;
	}
	struct energy_metric m = {.struct_size = sizeof(m), .kind = s->kind, .unit = s->unit, .scope = s->scope,
	                          .index = s->index, .flags = s->metric_flags, .counter_max = s->counter_max};
	memcpy(m.key, s->key, sizeof(m.key));
	memcpy(m.unit_name, s->unit_name, sizeof(m.unit_name));
	struct em_series made;
	char why[ENERGY_REASON_MAX];
	if (em_metric_series(&m, &made, why, sizeof(why)))
		return em_state_bad_in(err, at, "key", "not a declaration the host accepts: %s", why);
	if (made.quantity != s->quantity || strcmp(made.sensor, s->sensor) || strcmp(made.unit_name, s->unit_name))
		return em_state_bad_in(err, at, "quantity", "does not go with its declaration (quantity %u, sensor '%s', "
		                       "unit_name '%s')", made.quantity, made.sensor, made.unit_name);
	return 0;
}

/* {"count", "max_s", "buckets": [[index, n], ...]}, indices increasing,
 * the counts adding up to count. */
int em_state_read_intervals(const json_t *obj, struct em_interval_stats *st, const char *at, struct em_error *err)
{
	char path[112];
	snprintf(path, sizeof(path), "%s.intervals", at);
	const json_t *o = json_object_get(obj, "intervals"), *count = json_object_get(o, "count");
	const json_t *max_s = json_object_get(o, "max_s");
	if (!json_is_integer(count) || json_integer_value(count) < 0 || !json_is_number(max_s) ||
	    !(json_number_value(max_s) >= 0) || !isfinite(json_number_value(max_s)))
		return em_state_bad(err, path, "not {\"count\": n >= 0, \"max_s\": s >= 0, \"buckets\": [...]}");
	int rc = 0;
	const json_t *buckets = em_state_array(o, "buckets", EM_INTERVAL_BUCKETS, "buckets", path, &rc, err);
	if (rc)
		return rc;
	uint64_t sum = 0;
	json_int_t last = -1;
	for (size_t i = 0; i < json_array_size(buckets); i++) {
		const json_t *b = json_array_get(buckets, i);
		json_int_t index = json_integer_value(json_array_get(b, 0)), n = json_integer_value(json_array_get(b, 1));
		if (json_array_size(b) != 2 || !json_is_integer(json_array_get(b, 0)) ||
		    !json_is_integer(json_array_get(b, 1)) || index <= last || index >= EM_INTERVAL_BUCKETS || n < 1 ||
		    n > UINT32_MAX)
			return em_state_bad_in(err, path, "buckets",
			                       "entry %zu is not [index, n] with index increasing, below %d, and 1 <= n <= %u",
			                       i, EM_INTERVAL_BUCKETS, UINT32_MAX);
		st->buckets[index] = (uint32_t)n;
		sum += (uint64_t)n;
		last = index;
	}
	if (sum != (uint64_t)json_integer_value(count))
		return em_state_bad(err, path, "count %lld, but the buckets hold %llu", (long long)json_integer_value(count),
		                    (unsigned long long)sum);
	st->count = sum;
	st->max_s = json_number_value(max_s);
	return 0;
}

/* Bounds of what plugins write freely; generous next to what plugin_host.c
 * lets a plugin write, small next to memory. */
#define NOTES_MAX 1024
#define FREE_DEPTH_MAX 4
#define FREE_STRING_MAX 65536
#define FREE_MEMBERS_MAX 64
#define LOG_LINES_MAX 64   /* plugin_host.c keeps 64 */
#define LOG_LINE_MAX 1024  /* ... of at most 1023 bytes */
#define FINALS_MAX 256     /* ... and 256 final readings */

/* A JSON value no deeper than `depth` levels of objects and arrays, with
 * few members and short strings. */
static int bounded(const json_t *v, int depth, const char *path, struct em_error *err)
{
	if (json_is_string(v) && json_string_length(v) > FREE_STRING_MAX)
		return em_state_bad(err, path, "a string of %zu bytes, more than %d", json_string_length(v),
		                    FREE_STRING_MAX);
	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (depth <= 0)
		return em_state_bad(err, path, "nested deeper than %d levels", FREE_DEPTH_MAX);
	size_t n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
	if (n > FREE_MEMBERS_MAX)
		return em_state_bad(err, path, "%zu members, more than %d", n, FREE_MEMBERS_MAX);
	const char *key;
	const json_t *m;
	size_t i;
	int rc;
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if ((rc = bounded(m, depth - 1, path, err)))
				return rc;
		return 0;
	}
	json_object_foreach((json_t *)v, key, m) {
		if (strlen(key) > FREE_STRING_MAX)
			return em_state_bad(err, path, "a member name longer than %d bytes", FREE_STRING_MAX);
		if ((rc = bounded(m, depth - 1, path, err)))
			return rc;
	}
	return 0;
}

int em_state_check_notes(const json_t *notes, const char *path, struct em_error *err)
{
	if (json_is_null(notes))
		return 0;
	if (!json_is_object(notes))
		return em_state_bad(err, path, "expected an object or null, found %s", em_state_type_name(notes));
	if (json_object_size(notes) > NOTES_MAX)
		return em_state_bad(err, path, "%zu notes, more than %d", json_object_size(notes), NOTES_MAX);
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)notes, key, v) {
		if (!key[0] || strlen(key) > FREE_STRING_MAX)
			return em_state_bad(err, path, "a note's name is empty or longer than %d bytes", FREE_STRING_MAX);
		int rc = bounded(v, FREE_DEPTH_MAX - 1, path, err);
		if (rc)
			return rc;
	}
	return 0;
}

int em_state_check_log(const json_t *log, const char *path, struct em_error *err)
{
	static const char *const levels[] = {"error", "warning", "info", "debug", "log"};
	if (json_is_null(log))
		return 0;
	if (!json_is_array(log))
		return em_state_bad(err, path, "expected an array or null, found %s", em_state_type_name(log));
	if (json_array_size(log) > LOG_LINES_MAX)
		return em_state_bad(err, path, "%zu lines, more than %d", json_array_size(log), LOG_LINES_MAX);
	size_t i;
	const json_t *line;
	json_array_foreach(log, i, line) {
		const char *level = json_string_value(json_object_get(line, "level"));
		const json_t *message = json_object_get(line, "message");
		bool known = false;
		for (size_t k = 0; level && k < sizeof(levels) / sizeof(levels[0]); k++)
			known |= !strcmp(level, levels[k]);
		if (!json_is_object(line) || json_object_size(line) != 2 || !known || !json_is_string(message))
			return em_state_bad(err, path, "line %zu is not {\"level\": error|warning|info|debug, "
			                    "\"message\": text}", i);
		if (json_string_length(message) >= LOG_LINE_MAX)
			return em_state_bad(err, path, "line %zu: %zu bytes, more than %d", i, json_string_length(message),
			                    LOG_LINE_MAX - 1);
	}
	return 0;
}

int em_state_check_finals(const json_t *finals, const char *path, struct em_error *err)
{
	if (json_is_null(finals))
		return 0;
	if (!json_is_array(finals))
		return em_state_bad(err, path, "expected an array or null, found %s", em_state_type_name(finals));
	if (json_array_size(finals) > FINALS_MAX)
		return em_state_bad(err, path, "%zu readings, more than %d", json_array_size(finals), FINALS_MAX);
	size_t i;
	const json_t *one;
	json_array_foreach(finals, i, one) {
		if (!json_is_object(one))
			return em_state_bad(err, path, "reading %zu is %s, not an object", i, em_state_type_name(one));
		int rc = bounded(one, 1, path, err);
		if (rc)
			return rc;
	}
	return 0;
}
