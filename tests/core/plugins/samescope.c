/*
 * Test plugin for the composite's strategy-order rule: constant system
 * power WATTS (a build-time constant, so two builds under two names measure
 * the same scope with different, known values). With WITH_PACKAGE it also
 * reports a package energy counter, a scope the other build lacks.
 */
#include "energy_plugin.h"
#include "test_plugin_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef NAME
#error "build with -DNAME=\"plugin name\" -DWATTS=<constant system power>"
#endif

#define PACKAGE_WATTS 10.0

struct samescope {
	const struct energy_host *host;
	int64_t t0_ns;
};

static int emit(struct samescope *s, uint32_t quantity, uint32_t scope, const char *sensor, double value,
                int64_t mono_ns)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = quantity, .scope = scope,
	                           .value = value, .mono_ns = mono_ns};
	strncpy(r.sensor, sensor, sizeof(r.sensor) - 1);
	return s->host->emit(s->host->ctx, &r);
}

static int ss_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	(void)why;
	(void)len;
	struct samescope *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host = host;
	*inst = s;
	return 0;
}

static int ss_start(void *inst)
{
	struct samescope *s = inst;
	s->t0_ns = now_ns();
	return 0;
}

static int ss_sample(void *inst)
{
	struct samescope *s = inst;
	int64_t mono = now_ns();
	int rc = emit(s, ENERGY_Q_POWER_W, ENERGY_SCOPE_SYSTEM, "system", WATTS, mono);
#ifdef WITH_PACKAGE
	if (rc == 0)
		rc = emit(s, ENERGY_Q_ENERGY_J, ENERGY_SCOPE_CPU_PACKAGE, "package-0",
		          PACKAGE_WATTS * (double)(mono - s->t0_ns) / 1e9, mono);
#endif
	return rc;
}

static int ss_stop(void *inst)
{
	(void)inst;
	return 0;
}

static int ss_get_data(void *inst)
{
	(void)inst;
	return 0;
}

static void ss_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
#ifdef WITH_PACKAGE
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM) | ENERGY_MEASURES(ENERGY_SCOPE_CPU_PACKAGE),
#else
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
#endif
	.name = NAME,
	.version = "1.0.0",
	.description = "test plugin: constant system power, for the composite's strategy order",
	.min_interval_s = 0.001,
	.create = ss_create,
	.start = ss_start,
	.sample = ss_sample,
	.stop = ss_stop,
	.get_data = ss_get_data,
	.destroy = ss_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
