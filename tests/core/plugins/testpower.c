/*
 * Test plugin with a known truth: constant power `testpower_watts` (system),
 * and a package energy counter advancing at `testpower_counter_watts` that
 * wraps at `testpower_counter_max` J. Samples between `testpower_fail_from`
 * and `testpower_fail_to` seconds after start fail, to make a gap, with
 * the errno testpower_fail_errno names (EIO unless told).
 * With testpower_silent it measures nothing at all (placeholder results);
 * testpower_warning is logged as a warning. With testpower_no_package the
 * package counter it declares is never read (like a RAPL domain that is
 * found dead).
 * Built against ABI 1.3 its power readings say how good they are:
 * testpower_resolution (W), testpower_lag_s, and testpower_range_w (a
 * RANGE up to watts + this over the span since the previous reading); all
 * 0 (not said) unless set. Built against an older header it cannot say
 * anything, and proves the host reads nothing past its struct_size.
 */
#include "energy_plugin.h"
#include "test_plugin_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tp {
	const struct energy_host *host;
	double watts, counter_watts, counter_max, fail_from, fail_to;
	int silent, no_package, fail_stop, fail_errno;
	int64_t t0;
	double resolution, lag_s, range_w; /* ABI 1.3 */
	int64_t last_power_ns;
};

static const struct energy_config_key keys[] = {
	{"testpower_watts", ENERGY_CONFIG_NUMBER, 0, "100", "constant system power, W"},
	{"testpower_counter_watts", ENERGY_CONFIG_NUMBER, 0, "50", "package counter rate, W"},
	{"testpower_counter_max", ENERGY_CONFIG_NUMBER, 0, "0", "wrap point of the counter, J (0: none)"},
	{"testpower_fail_from", ENERGY_CONFIG_NUMBER, 0, "-1", "samples fail from this many s after start"},
	{"testpower_fail_to", ENERGY_CONFIG_NUMBER, 0, "-1", "... until this many s"},
	{"testpower_fail_errno", ENERGY_CONFIG_STRING, 0, "EIO",
	 "what failed samples return: EIO, ETIMEDOUT, EACCES, ECONNREFUSED or EPROTO"},
	{"testpower_silent", ENERGY_CONFIG_BOOL, 0, "false", "emit nothing"},
	{"testpower_secret", ENERGY_CONFIG_STRING, 1, "", "a secret the host must never show"},
	{"testpower_warning", ENERGY_CONFIG_STRING, 0, "", "logged as a warning at create"},
	{"testpower_no_package", ENERGY_CONFIG_BOOL, 0, "false", "never emit the package counter"},
	{"testpower_fail_stop", ENERGY_CONFIG_BOOL, 0, "false", "stop() fails with a reason"},
#if ENERGY_PLUGIN_ABI_MINOR >= 3
	{"testpower_resolution", ENERGY_CONFIG_NUMBER, 0, "0", "power readings' resolution, W (0: not said)"},
	{"testpower_lag_s", ENERGY_CONFIG_NUMBER, 0, "0", "power readings' lag_s (0: not said)"},
	{"testpower_range_w", ENERGY_CONFIG_NUMBER, 0, "0",
	 "power readings' RANGE: up to watts + this since the previous reading (0: none)"},
#endif
	{NULL, 0, 0, NULL, NULL},
};

static int errno_named(const char *name)
{
	static const struct { const char *name; int code; } known[] = {
		{"EIO", EIO}, {"ETIMEDOUT", ETIMEDOUT}, {"EACCES", EACCES}, {"ECONNREFUSED", ECONNREFUSED},
		{"EPROTO", EPROTO},
	};
	for (size_t i = 0; name && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].name, name))
			return known[i].code;
	return 0;
}

static int tp_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	/* a value of the right type that the plugin refuses: a configuration
	 * error (-EINVAL), which the host must not take for "cannot run here" */
	if (number(host, "testpower_watts", 100) < 0) {
		snprintf(why, len, "testpower_watts: %g is negative; expected watts >= 0",
		         number(host, "testpower_watts", 100));
		return -EINVAL;
	}
	struct energy_config_value v;
	const char *fail_errno = host->config_get(host->ctx, "testpower_fail_errno", &v) == 0 ? v.string : "EIO";
	if (!errno_named(fail_errno)) {
		snprintf(why, len, "testpower_fail_errno: '%s' is not one of EIO, ETIMEDOUT, EACCES, ECONNREFUSED, "
		         "EPROTO", fail_errno ? fail_errno : "");
		return -EINVAL;
	}
	struct tp *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fail_errno = errno_named(fail_errno);
	t->host = host;
	t->watts = number(host, "testpower_watts", 100);
	t->counter_watts = number(host, "testpower_counter_watts", 50);
	t->counter_max = number(host, "testpower_counter_max", 0);
	t->fail_from = number(host, "testpower_fail_from", -1);
	t->fail_to = number(host, "testpower_fail_to", -1);
	t->silent = host->config_get(host->ctx, "testpower_silent", &v) == 0 && v.boolean;
	t->no_package = host->config_get(host->ctx, "testpower_no_package", &v) == 0 && v.boolean;
	t->fail_stop = host->config_get(host->ctx, "testpower_fail_stop", &v) == 0 && v.boolean;
	if (host->config_get(host->ctx, "testpower_warning", &v) == 0 && v.string && *v.string)
		host->log(host->ctx, ENERGY_LOG_WARN, "%s", v.string);
#if ENERGY_PLUGIN_ABI_MINOR >= 3
	t->resolution = number(host, "testpower_resolution", 0);
	t->lag_s = number(host, "testpower_lag_s", 0);
	t->range_w = number(host, "testpower_range_w", 0);
#endif
	if (t->counter_max > 0)
		host->require_interval(host->ctx, 0.5 * t->counter_max / t->counter_watts);
	*inst = t;
	return 0;
}

static int emit(struct tp *t, uint32_t q, uint32_t scope, const char *sensor, double value, double max, int64_t mono);

/* start() and stop() emit too, unstamped: the host must stamp them with
 * the start and stop times (as perf-like plugins rely on). */
static int tp_start(void *inst)
{
	struct tp *t = inst;
	t->t0 = now_ns();
	t->host->note_string(t->host->ctx, "truth", "constant power");
	return t->silent ? 0 : emit(t, ENERGY_Q_POWER_W, ENERGY_SCOPE_SYSTEM, "test", t->watts, 0, 0);
}

#if ENERGY_PLUGIN_ABI_MINOR < 3
/* A plugin built against an older header owns only struct_size bytes of
 * its reading; what follows them in its memory is not a reading's. Here it
 * is what a 1.3 host would take for a resolution of 7 W, a lag of 3 s and
 * a range up to 1 MW, so the ABI tests (tests/abi) see that the host never
 * reads past struct_size. The flag bits 1.3 gave a meaning (undefined
 * before: RANGE, LOOKAHEAD) are set too, and must mean nothing. */
struct reading_and_more {
	struct energy_reading r;
	double after[6];
};
#endif

static int emit(struct tp *t, uint32_t q, uint32_t scope, const char *sensor, double value, double max, int64_t mono)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = q, .scope = scope, .value = value,
	                           .counter_max = max, .mono_ns = mono};
	strncpy(r.sensor, sensor, sizeof(r.sensor) - 1);
#if ENERGY_PLUGIN_ABI_MINOR >= 3
	if (q == ENERGY_Q_POWER_W) {
		int64_t now = mono ? mono : now_ns();
		r.resolution = t->resolution;
		r.lag_s = t->lag_s;
		if (t->range_w > 0 && t->last_power_ns) {
			r.flags |= ENERGY_READING_RANGE;
			r.range_low = value;
			r.range_high = value + t->range_w;
			r.range_s = (double)(now - t->last_power_ns) / 1e9;
		}
		t->last_power_ns = now;
	}
	return t->host->emit(t->host->ctx, &r);
#else
	struct reading_and_more b = {.r = r, .after = {7, 3, 0, 0, 1e6, 10}};
	if (!(b.r.flags & ENERGY_READING_FINAL))
		b.r.flags |= 0x4u | 0x10u;
	return t->host->emit(t->host->ctx, &b.r);
#endif
}

static int tp_sample(void *inst)
{
	struct tp *t = inst;
	int64_t mono = now_ns();
	double s = (double)(mono - t->t0) / 1e9;
	if (s >= t->fail_from && s < t->fail_to) {
		t->host->set_error(t->host->ctx, "simulated failure at %.2f s", s);
		return -t->fail_errno;
	}
	if (t->silent)
		return 0;
	emit(t, ENERGY_Q_POWER_W, ENERGY_SCOPE_SYSTEM, "test", t->watts, 0, mono);
	double counter = t->counter_watts * s;
	if (t->counter_max > 0)
		counter = fmod(counter, t->counter_max);
	if (!t->no_package)
		emit(t, ENERGY_Q_ENERGY_J, ENERGY_SCOPE_CPU_PACKAGE, "package-0", counter, t->counter_max, mono);
	emit(t, ENERGY_Q_TEMPERATURE_C, ENERGY_SCOPE_SENSOR, "CPU Temp", 42.5, 0, mono);
	return 0;
}

static int tp_stop(void *inst)
{
	struct tp *t = inst;
	if (t->fail_stop) {
		t->host->set_error(t->host->ctx, "simulated stop failure: nothing left to measure");
		return -ENODEV;
	}
	return t->silent ? 0 : emit(t, ENERGY_Q_POWER_W, ENERGY_SCOPE_SYSTEM, "test", t->watts, 0, 0);
}

/* A final total far above the counter: if the host fed it into the series
 * the package energy would jump by a megajoule. */
static int tp_get_data(void *inst)
{
	struct tp *t = inst;
	if (t->no_package)
		return 0;
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_ENERGY_J,
	                           .scope = ENERGY_SCOPE_CPU_PACKAGE, .flags = ENERGY_READING_FINAL,
	                           .sensor = "package-0", .value = 1e6};
	return t->host->emit(t->host->ctx, &r);
}

static void tp_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM) | ENERGY_MEASURES(ENERGY_SCOPE_CPU_PACKAGE),
	.name = "testpower",
	.version = "1.0.0",
	.description = "test plugin with known constant power",
	.min_interval_s = 0.001,
	.config_keys = keys,
	.create = tp_create,
	.start = tp_start,
	.sample = tp_sample,
	.stop = tp_stop,
	.get_data = tp_get_data,
	.destroy = tp_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
