/*
 * The monitor state document (what energymond sends a client, and what the
 * client rebuilds a stopped monitor from): which struct members it carries,
 * in one table per struct that both the writer (state_write.c) and the
 * reader (state_read.c, state_check.c) follow, and the helpers their
 * messages share ("state document: sources[1].series[3].total: ...").
 * The document carries the result model's inputs, never the
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
	SRC(EM_F_REAL_NONNEG, interval_requested_s),
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
	SER(EM_F_REAL_NONNEG, resolution),
	SER(EM_F_REAL_NONNEG, look_s),
	SER(EM_F_BOOL, unc_seen),
	SER(EM_F_REAL, unc_seen_lo),
	SER(EM_F_REAL, unc_seen_hi),
	SER(EM_F_BOOL, edge_open.have),
	SER(EM_F_REAL_NONNEG, edge_open.w),
	SER(EM_F_REAL, edge_open.a),
	SER(EM_F_REAL, edge_open.lo),
	SER(EM_F_REAL, edge_open.hi),
	SER(EM_F_BOOL, edge_last.have),
	SER(EM_F_REAL_NONNEG, edge_last.w),
	SER(EM_F_REAL, edge_last.a),
	SER(EM_F_REAL, edge_last.lo),
	SER(EM_F_REAL, edge_last.hi),
	SER(EM_F_REAL, unc.lo_j),
	SER(EM_F_REAL, unc.hi_j),
	SER(EM_F_REAL, unc.mid_j),
	SER(EM_F_REAL_NONNEG, unc.var_j2),
	SER(EM_F_REAL, unc.burst_lo_j),
	SER(EM_F_REAL_NONNEG, unc.burst_hi_j),
	SER(EM_F_REAL_NONNEG, unc.res_j),
	SER(EM_F_REAL_NONNEG, unc.res_var_j2),
	SER(EM_F_REAL_NONNEG, unc.ranged_s),
	SER(EM_F_U64, unc.spans),
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

/* -EPROTO naming at.member ("sources[1].series[3]" "points_wall_ns[7]"). */
int em_state_bad_in(struct em_error *err, const char *at, const char *member, const char *fmt, ...)
{
	char path[160], what[640];
	snprintf(path, sizeof(path), "%s%s%s", at, at[0] ? "." : "", member);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return em_state_bad(err, path, "%s", what);
}

/* An array member of at most `max` elements. */
const json_t *em_state_array(const json_t *obj, const char *name, size_t max, const char *what, const char *at,
                              int *rc, struct em_error *err)
{
	char path[128];
	snprintf(path, sizeof(path), "%s%s%s", at, at[0] ? "." : "", name);
	const json_t *v = json_object_get(obj, name);
	if (!json_is_array(v))
		*rc = em_state_bad(err, path, v ? "expected an array, found %s" : "missing%s",
		                   v ? em_state_type_name(v) : "");
	else if (json_array_size(v) > max)
		*rc = em_state_bad(err, path, "%zu %s, more than %zu", json_array_size(v), what, max);
	return *rc ? NULL : v;
}
