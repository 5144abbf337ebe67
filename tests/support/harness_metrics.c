/*
 * harness_metrics.c — the ABI 1.1 metric callbacks of the recording host:
 * declare_metric (create() only, as in the real host), emit_metric (kept as
 * an energy_reading under the metric's sensor, so the tests read declared
 * metrics and 1.0 readings alike) and metric_reason.
 */
#include "plugin_harness.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *scope_name(unsigned scope)
{
	static const char *const names[] = { "?", "system", "cpu_package", "cpu_cores", "cpu_uncore",
					     "dram", "process", "sensor", "accelerator", "other" };
	return scope < sizeof(names) / sizeof(names[0]) ? names[scope] : "?";
}

static int h_declare_metric(void *ctx, const struct energy_metric *m)
{
	struct harness *h = ctx;
	if (!h->declaring)
		return -EBUSY;
	if (!m || m->struct_size < sizeof(*m) || !m->kind || !m->unit || !m->scope)
		return -EINVAL;
	if (h->nmetrics == HARNESS_MAX_METRICS)
		return -ENOSPC;
	if (harness_metric(h, m->key, m->scope, m->index))
		return -EEXIST;
	struct harness_metric *hm = &h->metrics[h->nmetrics];
	memset(hm, 0, sizeof(*hm));
	hm->decl = *m;
	snprintf(hm->sensor, sizeof(hm->sensor), "%.40s#%u", m->key[0] ? m->key : scope_name(m->scope),
		 m->index);
	return (int)h->nmetrics++;
}

static unsigned quantity_of(const struct energy_metric *m)
{
	if (m->kind == ENERGY_KIND_COUNTER && m->unit == ENERGY_UNIT_JOULE)
		return ENERGY_Q_ENERGY_J;
	if (m->kind == ENERGY_KIND_SECONDS)
		return ENERGY_Q_CPU_TIME_S;
	if (m->kind == ENERGY_KIND_GAUGE && m->unit == ENERGY_UNIT_WATT)
		return ENERGY_Q_POWER_W;
	return ENERGY_Q_COUNT;
}

static int h_emit_metric(void *ctx, int metric, double value, int64_t mono_ns, int64_t wall_ns)
{
	struct harness *h = ctx;
	if (metric < 0 || (size_t)metric >= h->nmetrics || !isfinite(value))
		return -EINVAL;
	const struct harness_metric *hm = &h->metrics[metric];
	struct energy_reading r;
	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	r.quantity = quantity_of(&hm->decl);
	r.scope = hm->decl.scope;
	snprintf(r.sensor, sizeof(r.sensor), "%s", hm->sensor);
	r.value = value;
	r.counter_max = hm->decl.counter_max;
	r.mono_ns = mono_ns;
	r.wall_ns = wall_ns;
	return h->host.emit(h, &r);
}

static int h_metric_reason(void *ctx, int metric, const char *fmt, ...)
{
	struct harness *h = ctx;
	if (metric < 0 || (size_t)metric >= h->nmetrics)
		return -EINVAL;
	struct harness_metric *hm = &h->metrics[metric];
	hm->reason[0] = '\0';
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(hm->reason, sizeof(hm->reason), fmt, ap);
		va_end(ap);
	}
	hm->reason_calls++;
	return 0;
}

const struct harness_metric *harness_metric(const struct harness *h, const char *key, unsigned scope,
					    unsigned index)
{
	for (size_t i = 0; i < h->nmetrics; i++) {
		const struct energy_metric *d = &h->metrics[i].decl;
		if (strcmp(d->key, key) == 0 && d->scope == scope && d->index == index)
			return &h->metrics[i];
	}
	return NULL;
}

void harness_init_metrics(struct harness *h)
{
	h->host.declare_metric = h_declare_metric;
	h->host.emit_metric = h_emit_metric;
	h->host.metric_reason = h_metric_reason;
}
