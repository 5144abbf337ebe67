#include "bench_host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int config_get(void *ctx, const char *key, struct energy_config_value *out)
{
	struct bench_host *b = ctx;
	memset(out, 0, sizeof(*out));
	out->type = ENERGY_CONFIG_STRING;
	if (strcmp(key, "perf_sysfs_root") == 0)
		out->string = b->sysfs_root;
	else if (strcmp(key, "perf_backend") == 0)
		out->string = b->backend;
	else
		return -ENOENT;
	return 0;
}

static void log_line(void *ctx, int level, const char *fmt, ...)
{
	(void)ctx, (void)level, (void)fmt;
}

static int emit(void *ctx, const struct energy_reading *r)
{
	(void)r;
	((struct bench_host *)ctx)->emitted++;
	return 0;
}

static void set_error(void *ctx, const char *fmt, ...)
{
	struct bench_host *b = ctx;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
}

static int note_string(void *ctx, const char *key, const char *value)
{
	(void)ctx, (void)key, (void)value;
	return 0;
}

static int note_number(void *ctx, const char *key, double value, const char *unit)
{
	(void)ctx, (void)key, (void)value, (void)unit;
	return 0;
}

static int require_interval(void *ctx, double s)
{
	(void)ctx;
	return s > 0 ? 0 : -EINVAL;
}

/* ABI 1.1: perf declares one metric per counter and emits through it. */
static int declare_metric(void *ctx, const struct energy_metric *m)
{
	(void)m;
	struct bench_host *b = ctx;
	return (int)b->declared++;
}

static int emit_metric(void *ctx, int metric, double value, int64_t mono_ns, int64_t wall_ns)
{
	(void)metric, (void)value, (void)mono_ns, (void)wall_ns;
	((struct bench_host *)ctx)->emitted++;
	return 0;
}

static int metric_reason(void *ctx, int metric, const char *fmt, ...)
{
	(void)ctx, (void)metric, (void)fmt;
	return 0;
}

void bench_host_init(struct bench_host *b, const char *sysfs_root, const char *backend)
{
	memset(b, 0, sizeof(*b));
	b->sysfs_root = sysfs_root;
	b->backend = backend;
	b->host = (struct energy_host){
		.struct_size = sizeof(struct energy_host),
		.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
		.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
		.ctx = b,
		.interval_s = 1.0,
		.config_get = config_get,
		.log = log_line,
		.emit = emit,
		.set_error = set_error,
		.note_string = note_string,
		.note_number = note_number,
		.require_interval = require_interval,
		.declare_metric = declare_metric,
		.emit_metric = emit_metric,
		.metric_reason = metric_reason,
	};
}
