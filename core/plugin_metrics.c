/*
 * The ABI 1.1 metric services of struct energy_host: declare_metric (from
 * create() only, so a source's metrics are known before it measures and a
 * key clash is found before anything runs), emit_metric (the cheap path: an
 * index and a number, no strings) and metric_reason. The 1.2 emit_target
 * is in plugin_targets.c.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The declared series `metric` names, or NULL; the lock must be held. */
static struct em_series *declared(struct em_source *src, int metric)
{
	if (metric < 0 || (size_t)metric >= src->nseries || !src->series[metric].declared)
		return NULL;
	return &src->series[metric];
}

static int refuse(struct em_source *src, int code, const char *why)
{
	/* the plugin may ignore the code; its result says what went wrong */
	src->host.log(src, ENERGY_LOG_WARN, "declare_metric refused: %s", why);
	return code;
}

static int host_declare_metric(void *ctx, const struct energy_metric *m)
{
	struct em_source *src = ctx;
	struct em_series decl;
	char why[ENERGY_REASON_MAX];
	if (!src->declaring)
		return refuse(src, -EBUSY, "metrics are declared in create(), before the source measures");
	int rc = em_metric_series(m, &decl, why, sizeof(why));
	if (rc)
		return refuse(src, rc, why);
	if (!em_source_lock_live(src))
		return -ECANCELED;
	for (size_t i = 0; i < src->nseries; i++) {
		const struct em_series *o = &src->series[i];
		bool same = o->declared && (decl.key[0] ? !strcmp(o->key, decl.key)
		                                        : !o->key[0] && o->quantity == decl.quantity &&
		                                              o->scope == decl.scope && !strcmp(o->sensor, decl.sensor));
		if (same) {
			em_source_unlock(src);
			snprintf(why, sizeof(why), "metric '%s' (%s scope, index %u) is declared twice",
			         decl.key[0] ? decl.key : "(energymon's own)", em_scope_name(decl.scope), decl.index);
			return refuse(src, -EEXIST, why);
		}
	}
	struct em_series *s = em_source_new_series(src);
	if (s) {
		*s = decl;
		s->failure_epoch = src->failure_epoch;
		s->wrap_safe_s = src->required_max_s;
		rc = (int)(s - src->series);
	}
	em_source_unlock(src);
	if (!s) {
		snprintf(why, sizeof(why), "the source already has %zu series (energy_max_series)", src->max_series);
		return refuse(src, -ENOSPC, why);
	}
	return rc;
}

static int host_emit_metric(void *ctx, int metric, double value, int64_t mono_ns, int64_t wall_ns)
{
	struct em_source *src = ctx;
	if (!isfinite(value))
		return -EINVAL;
	if (!em_source_lock_live(src))
		return -ECANCELED;
	if (!src->call_mono) {
		/* from create(): stamped 0, it made the run as long as the uptime */
		em_source_unlock(src);
		return -EBUSY;
	}
	struct em_series *s = declared(src, metric);
	if (s)
		em_series_push(s, mono_ns ? mono_ns : src->call_mono, wall_ns ? wall_ns : src->call_wall, value,
		               src->failure_epoch);
	em_source_unlock(src);
	return s ? 0 : -EINVAL;
}

static int host_metric_reason(void *ctx, int metric, const char *fmt, ...)
{
	struct em_source *src = ctx;
	char text[ENERGY_REASON_MAX] = ""; /* NULL, like "", takes the verdict back */
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		em_plugin_text(text, sizeof(text), fmt, ap);
		va_end(ap);
	}
	if (!em_source_lock_live(src))
		return -ECANCELED;
	struct em_series *s = declared(src, metric);
	if (s)
		memcpy(s->reason, text, sizeof(text));
	em_source_unlock(src);
	return s ? 0 : -EINVAL;
}

void em_host_init_metrics(struct energy_host *h)
{
	h->declare_metric = host_declare_metric;
	h->emit_metric = host_emit_metric;
	h->metric_reason = host_metric_reason;
	/* 1.2: flags stay 0 unless the monitor says otherwise (a continuous
	 * monitor sets ENERGY_HOST_TARGETS_LATER) */
	h->emit_target = em_host_emit_target;
}
