/*
 * The monitor state document (what energymond sends a client, and what the
 * client rebuilds a stopped monitor from): which struct members it carries,
 * in one table per struct that both the writer (state_write.c) and the
 * reader (state_read.c) follow, and the bounds of the free-form members a
 * plugin fills. The document carries the result model's inputs, never the
 * result: the reader runs the same result code on the same numbers.
 *
 * {"state_version": 1, "target_pid", "start_mono", ..., "interval_requested_s",
 *  "peak_rss_kib", "sources": [{"name", ..., "in_call", "notes", "log_lines",
 *  "finals", "intervals": {"count", "max_s", "buckets": [[index, n], ...]},
 *  "series": [{"quantity", ..., "points_wall_ns": [...], "points_value": [...],
 *  "gap_list": [[from_wall_ns, to_wall_ns, why], ...]}]}]}
 * Times are int64 nanoseconds (JSON integers), reals are finite.
 */
#include "internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define FIELD(st, type, member, name) {name, type, offsetof(st, member), sizeof(((st *)0)->member)}
#define MON(type, member) FIELD(struct em_monitor, type, member, #member)
#define SRC(type, member) FIELD(struct em_source, type, member, #member)
#define SER(type, member) FIELD(struct em_series, type, member, #member)

const struct em_state_field em_state_monitor_fields[] = {
	MON(EM_F_PID, target_pid),
	MON(EM_F_I64, start_mono),
	MON(EM_F_I64, start_wall),
	MON(EM_F_I64, stop_mono),
	MON(EM_F_I64, stop_wall),
	MON(EM_F_REAL_NONNEG, self_cpu_s),
	{NULL, 0, 0, 0},
};

const struct em_state_field em_state_source_fields[] = {
	SRC(EM_F_TEXT, name),
	SRC(EM_F_TEXT, plugin),
	SRC(EM_F_TEXT, instance_name),
	SRC(EM_F_TEXT, file_tag),
	FIELD(struct em_source, EM_F_TEXT, lib.path, "plugin_file"),
	SRC(EM_F_TEXT, plugin_version),
	SRC(EM_F_TEXT, plugin_abi),
	SRC(EM_F_U32, plugin_measures),
	SRC(EM_F_BOOL, available),
	SRC(EM_F_BOOL, started),
	SRC(EM_F_TEXT, reason),
	SRC(EM_F_TEXT, last_error),
	SRC(EM_F_TEXT, first_failure),
	SRC(EM_F_TEXT, recent_failure),
	SRC(EM_F_U64, dropped_readings),
	SRC(EM_F_SIZE, max_series),
	SRC(EM_F_UINT, failure_epoch),
	SRC(EM_F_REAL_NONNEG, interval_s),
	SRC(EM_F_REAL_NONNEG, required_max_s),
	SRC(EM_F_BOOL, abandoned),
	SRC(EM_F_TEXT, abandon_reason),
	SRC(EM_F_I64, covered_mono),
	SRC(EM_F_I64, covered_wall),
	SRC(EM_F_I64, start_mono),
	SRC(EM_F_I64, start_wall),
	SRC(EM_F_I64, stop_mono),
	SRC(EM_F_I64, stop_wall),
	SRC(EM_F_U64, samples),
	SRC(EM_F_U64, failed_samples),
	SRC(EM_F_U64, missed_deadlines),
	SRC(EM_F_REAL_NONNEG, thread_cpu_s),
	{NULL, 0, 0, 0},
};

const struct em_state_field em_state_series_fields[] = {
	SER(EM_F_U32, quantity),
	SER(EM_F_U32, scope),
	SER(EM_F_TEXT, sensor),
	SER(EM_F_U32, kind),
	SER(EM_F_U32, unit),
	SER(EM_F_U32, index),
	SER(EM_F_U32, metric_flags),
	SER(EM_F_BOOL, declared),
	SER(EM_F_TEXT, key),
	SER(EM_F_TEXT, unit_name),
	SER(EM_F_TEXT, reason),
	SER(EM_F_U64, readings),
	SER(EM_F_U64, dropped),
	SER(EM_F_I64, first_mono),
	SER(EM_F_I64, last_mono),
	SER(EM_F_I64, last_wall),
	SER(EM_F_REAL, last_value),
	SER(EM_F_REAL, min),
	SER(EM_F_REAL, max),
	SER(EM_F_REAL, mean),
	SER(EM_F_REAL_NONNEG, m2),
	SER(EM_F_REAL, total),
	SER(EM_F_REAL_NONNEG, covered_s),
	SER(EM_F_REAL_NONNEG, gap_s),
	SER(EM_F_U64, gaps),
	SER(EM_F_U64, wraps),
	SER(EM_F_UINT, failure_epoch),
	SER(EM_F_REAL_NONNEG, counter_max),
	SER(EM_F_REAL_NONNEG, wrap_safe_s),
	SER(EM_F_SIZE, keep_every),
	SER(EM_F_SIZE, since_kept),
	SER(EM_F_BOOL, recent_only),
	{NULL, 0, 0, 0},
};

const char *em_state_call_name(const char *name)
{
	static const char *const calls[] = {"probe", "create", "start", "sample", "set_targets", "stop", "get_data",
	                                    "destroy"};
	for (size_t i = 0; name && i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(name, calls[i]))
			return calls[i];
	return NULL;
}

int em_state_bad(struct em_error *err, const char *path, const char *fmt, ...)
{
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return em_fail(err, -EPROTO, "state document: %s%s%s", path, path[0] ? ": " : "", what);
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

const char *em_state_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

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
