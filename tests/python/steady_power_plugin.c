/*
 * steady_power_plugin.c — a test plugin that reports a constant system
 * power of `steadypower_watts` W on every sample. It lets the Python tests
 * drive real monitors through the real host library with a known power
 * truth, without hardware. With steadypower_cpu_watts > 0 it also emits
 * package and cores energy counters, as perf does; with
 * steadypower_unavailable it cannot run here, as a machine without the
 * hardware would say. A negative power is
 * refused with -EINVAL (a config error that a plugin's create() finds).
 * Never installed; found through
 * ENERGYMON_PLUGIN_PATH set by tests/python/meson.build.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "energy_plugin.h"

struct steady_power {
	const struct energy_host *host;
	double watts;
	double cpu_watts;       /* 0: no CPU counters */
	struct timespec since;  /* when the CPU counters were 0 J */
};

static const struct energy_config_key steady_keys[] = {
	{"steadypower_watts", ENERGY_CONFIG_NUMBER, 0, "100", "the power to report, W"},
	{"steadypower_cpu_watts", ENERGY_CONFIG_NUMBER, 0, "0",
	 "above 0: also package and cores energy counters (J) at this power and half of it, W"},
	{"steadypower_unavailable", ENERGY_CONFIG_STRING, 0, "",
	 "not empty: create() says the plugin cannot run here, with this reason"},
	{NULL, 0, 0, NULL, NULL},
};

static int steady_create(const struct energy_host *host, void **instance, char *why, size_t why_len)
{
	struct steady_power *self = calloc(1, sizeof *self);
	if (self == NULL) {
		strncpy(why, "out of memory", why_len - 1);
		return -ENOMEM;
	}
	self->host = host;
	self->watts = 100.0;
	struct energy_config_value value;
	if (host->config_get(host->ctx, "steadypower_watts", &value) == 0)
		self->watts = value.number;
	if (host->config_get(host->ctx, "steadypower_cpu_watts", &value) == 0)
		self->cpu_watts = value.number;
	clock_gettime(CLOCK_MONOTONIC, &self->since);
	if (host->config_get(host->ctx, "steadypower_unavailable", &value) == 0 && value.string[0]) {
		snprintf(why, why_len, "%s", value.string);
		free(self);
		return -ENODEV;
	}
	if (self->watts < 0) {
		/* a value no power meter gives: a config error, not "unavailable" */
		snprintf(why, why_len, "steadypower_watts %g: expected a power >= 0 W", self->watts);
		free(self);
		return -EINVAL;
	}
	*instance = self;
	return 0;
}

static int steady_start(void *instance)
{
	(void)instance;
	return 0;
}

static int emit_cpu_counter(struct steady_power *self, uint32_t scope, const char *sensor, double joules)
{
	struct energy_reading reading = {
		.struct_size = sizeof reading,
		.quantity = ENERGY_Q_ENERGY_J,
		.scope = scope,
		.value = joules,
	};
	snprintf(reading.sensor, sizeof reading.sensor, "%s", sensor);
	return self->host->emit(self->host->ctx, &reading);
}

static int steady_sample(void *instance)
{
	struct steady_power *self = instance;
	struct energy_reading reading = {
		.struct_size = sizeof reading,
		.quantity = ENERGY_Q_POWER_W,
		.scope = ENERGY_SCOPE_SYSTEM,
		.sensor = "steady",
		.value = self->watts,
	};
	int rc = self->host->emit(self->host->ctx, &reading);
	if (rc < 0 || self->cpu_watts <= 0)
		return rc;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double seconds = (double)(now.tv_sec - self->since.tv_sec) + (double)(now.tv_nsec - self->since.tv_nsec) / 1e9;
	rc = emit_cpu_counter(self, ENERGY_SCOPE_CPU_PACKAGE, "package-0", self->cpu_watts * seconds);
	if (rc >= 0)
		rc = emit_cpu_counter(self, ENERGY_SCOPE_CPU_CORES, "cores-0", self->cpu_watts / 2 * seconds);
	return rc;
}

static int steady_stop(void *instance)
{
	/* A last reading at stop, so even a short run has two to integrate. */
	return steady_sample(instance);
}

static void steady_destroy(void *instance)
{
	free(instance);
}

static const struct energy_plugin steady_plugin = {
	.struct_size = sizeof steady_plugin,
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "steadypower",
	.version = "1.0.0",
	.description = "test plugin: a constant system power",
	.min_interval_s = 0.001,
	.config_keys = steady_keys,
	.create = steady_create,
	.start = steady_start,
	.sample = steady_sample,
	.stop = steady_stop,
	.destroy = steady_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &steady_plugin;
}
