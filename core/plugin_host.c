/*
 * The services the host offers each plugin instance (struct energy_host).
 * Callbacks run on the thread that is calling into the plugin (calls are
 * serialised per instance). Each one that records something takes the
 * source's lock and records nothing once the source was abandoned, so a
 * plugin that returns late never writes into a result being read. Text from
 * plugins (sensor names from a BMC's SDR, messages) is made valid UTF-8
 * here, so it can always be written as JSON.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t em_now_ns(int clock_id)
{
	struct timespec ts;
	clock_gettime((clockid_t)clock_id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Take the source's lock; false, with the lock released, once the source
 * was abandoned or its sampling thread finished (after get_data(): a
 * plugin's own thread calling in then would change a result being built
 * and read). (Sources built for a plugin listing have no lock and no
 * thread.) */
bool em_source_lock_live(struct em_source *src)
{
	if (src->sync_ready)
		pthread_mutex_lock(&src->lock);
	if (!src->abandoned && !src->thread_done)
		return true;
	if (src->sync_ready)
		pthread_mutex_unlock(&src->lock);
	return false;
}

void em_source_unlock(struct em_source *src)
{
	if (src->sync_ready)
		pthread_mutex_unlock(&src->lock);
}

static void vlog(struct em_source *src, int level, const char *fmt, va_list ap)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	const char *lname = level >= 0 && level <= 3 ? names[level] : "log";
	char line[1024];
	em_plugin_text(line, sizeof(line), fmt, ap);
	if (getenv("ENERGYMON_VERBOSE"))
		fprintf(stderr, "energymon: %s: %s: %s\n", src->name, lname, line);
	if (level > ENERGY_LOG_INFO || !em_source_lock_live(src))
		return;
	if (!src->log_lines)
		src->log_lines = json_array();
	if (src->log_lines && json_array_size(src->log_lines) < 64)
		json_array_append_new(src->log_lines, json_pack("{s:s,s:s}", "level", lname, "message", line));
	em_source_unlock(src);
}

static void host_log(void *ctx, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(ctx, level, fmt, ap);
	va_end(ap);
}

struct em_series *em_source_find_series(struct em_source *src, uint32_t q, uint32_t scope, const char *sensor)
{
	for (size_t i = 0; i < src->nseries; i++) {
		struct em_series *s = &src->series[i];
		if (s->quantity == q && s->scope == scope && strcmp(s->sensor, sensor) == 0)
			return s;
	}
	return NULL;
}

/* A final reading summarises the run (a total, a last state); it is kept
 * as reported, never fed into a series, where it would look like one more
 * counter value or one more power sample. */
static int keep_final(struct em_source *src, const struct energy_reading *r)
{
	if (!src->finals && !(src->finals = json_array()))
		return -ENOMEM;
	if (json_array_size(src->finals) >= 256)
		return -ENOSPC;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:f,s:f}", "quantity", em_quantity_name(r->quantity), "unit",
	                      em_quantity_unit(r->quantity), "scope", em_scope_name(r->scope), "sensor", r->sensor,
	                      "value", r->value, "timestamp", (double)r->wall_ns / 1e9);
	return o && json_array_append_new(src->finals, o) == 0 ? 0 : -ENOMEM;
}

/* A new series, unless the source already has its cap of them: a plugin
 * inventing a sensor name per sample must not grow memory without bound. */
struct em_series *em_source_new_series(struct em_source *src)
{
	if (src->nseries >= src->max_series)
		return NULL;
	if (src->nseries == src->series_alloc) {
		size_t want = src->series_alloc ? 2 * src->series_alloc : 8;
		if (want > src->max_series)
			want = src->max_series;
		struct em_series *grown = realloc(src->series, want * sizeof(*grown));
		if (!grown)
			return NULL;
		src->series = grown;
		src->series_alloc = want;
	}
	return &src->series[src->nseries++];
}

static struct em_series *new_series(struct em_source *src, const struct energy_reading *r)
{
	struct em_series *s = em_source_new_series(src);
	if (!s)
		return NULL;
	em_series_init(s, r);
	s->failure_epoch = src->failure_epoch;
	s->wrap_safe_s = src->required_max_s;
	s->recent_only = src->host.flags & ENERGY_HOST_TARGETS_LATER; /* a continuous monitor's (series.c) */
	return s;
}

static int host_emit(void *ctx, const struct energy_reading *in)
{
	struct em_source *src = ctx;
	struct energy_reading r;
	memset(&r, 0, sizeof(r));
	if (!in || in->struct_size < offsetof(struct energy_reading, wall_ns) + sizeof(r.wall_ns))
		return -EINVAL;
	memcpy(&r, in, sizeof(r) < in->struct_size ? sizeof(r) : in->struct_size);
	/* The 1.3 flags describe 1.3 members: a shorter reading cannot mean
	 * them (its bits were undefined), and the members they name are 0. */
	if (!ENERGY_HAS_MEMBER(in, struct energy_reading, range_s))
		r.flags &= ~(ENERGY_READING_AVERAGE | ENERGY_READING_RANGE | ENERGY_READING_STALE |
		             ENERGY_READING_LOOKAHEAD);
	r.sensor[sizeof(r.sensor) - 1] = '\0';
	em_utf8_sanitize(r.sensor);
	/* The 1.1 scopes have no energymon key a 1.0 reading could be filed
	 * under: accepted, 14 J of a GPU showed as "no measurement". They are
	 * for declared metrics. */
	bool scope_1_0 = em_scope_name(r.scope) && r.scope != ENERGY_SCOPE_ACCELERATOR && r.scope != ENERGY_SCOPE_OTHER;
	if (!em_quantity_name(r.quantity) || !scope_1_0 || !isfinite(r.value) || !isfinite(r.counter_max) ||
	    r.counter_max < 0)
		return -EINVAL;
	if (!em_source_lock_live(src))
		return -ECANCELED;
	if (!src->call_mono) {
		/* from probe() or create(): the measurement begins with start() */
		em_source_unlock(src);
		return -EBUSY;
	}
	if (!r.mono_ns)
		r.mono_ns = src->call_mono;
	if (!r.wall_ns)
		r.wall_ns = src->call_wall;
	int rc = 0;
	if (r.flags & ENERGY_READING_FINAL) {
		rc = keep_final(src, &r);
	} else {
		struct em_series *s = em_source_find_series(src, r.quantity, r.scope, r.sensor);
		if (s && s->declared) {
			/* a metric declared with an empty key looks like this 1.0
			 * series; fed by both, its counter would jump between two
			 * streams (each drop taken for a reset) */
			rc = -EEXIST;
		} else if (!s && !(s = new_series(src, &r))) {
			src->dropped_readings++;
			rc = -ENOSPC;
		} else {
			em_series_add(s, &r, src->failure_epoch);
		}
	}
	em_source_unlock(src);
	return rc;
}

static void host_set_error(void *ctx, const char *fmt, ...)
{
	struct em_source *src = ctx;
	char text[ENERGY_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	em_plugin_text(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!em_source_lock_live(src))
		return;
	memcpy(src->last_error, text, sizeof(text));
	em_source_unlock(src);
}

static int set_note(struct em_source *src, const char *key, json_t *v)
{
	if (!v)
		return -ENOMEM;
	char *k = key && *key ? strdup(key) : NULL;
	if (!k) {
		json_decref(v);
		return key && *key ? -ENOMEM : -EINVAL;
	}
	em_utf8_sanitize(k);
	int rc = -ECANCELED;
	if (em_source_lock_live(src)) {
		if (!src->notes)
			src->notes = json_object();
		rc = src->notes && json_object_set(src->notes, k, v) == 0 ? 0 : -ENOMEM;
		em_source_unlock(src);
	}
	json_decref(v);
	free(k);
	return rc;
}

static json_t *utf8_string(const char *value)
{
	char *copy = strdup(value ? value : "");
	if (!copy)
		return NULL;
	em_utf8_sanitize(copy);
	json_t *v = json_string(copy);
	free(copy);
	return v;
}

static int host_note_string(void *ctx, const char *key, const char *value)
{
	return set_note(ctx, key, utf8_string(value));
}

static int host_note_number(void *ctx, const char *key, double value, const char *unit)
{
	if (!isfinite(value))
		return -EINVAL;
	json_t *u = utf8_string(unit);
	return set_note(ctx, key, u ? json_pack("{s:f,s:o}", "value", value, "unit", u) : NULL);
}

static int host_require_interval(void *ctx, double max_interval_s)
{
	struct em_source *src = ctx;
	if (!isfinite(max_interval_s) || max_interval_s <= 0)
		return -EINVAL;
	if (!src->required_max_s || max_interval_s < src->required_max_s)
		src->required_max_s = max_interval_s;
	return 0;
}

void em_host_init(struct em_source *src, pid_t target_pid, double interval_s)
{
	struct energy_host *h = &src->host;
	memset(h, 0, sizeof(*h));
	h->struct_size = sizeof(*h);
	h->abi_major = ENERGY_PLUGIN_ABI_MAJOR;
	h->abi_minor = ENERGY_PLUGIN_ABI_MINOR;
	h->ctx = src;
	h->target_pid = target_pid;
	h->interval_s = interval_s;
	h->log = host_log;
	h->emit = host_emit;
	h->set_error = host_set_error;
	h->note_string = host_note_string;
	h->note_number = host_note_number;
	h->require_interval = host_require_interval;
	em_host_init_config(h);
	em_host_init_metrics(h);
	/* the tree of create() is the first target of emit_target (1.2) */
	int64_t first = target_pid;
	em_source_targets_applied(src, &first, target_pid > 0 ? 1 : 0, 0);
}
