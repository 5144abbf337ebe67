/*
 * A plugin that crashes its host: sample() dereferences NULL (after
 * `crashplug_after` good samples), so that energymond's crash log can be
 * seen to name it. Nothing else in the tree should ever load it.
 */
#include "energy_plugin.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct crashplug {
	const struct energy_host *host;
	int samples_left;
};

static const struct energy_config_key keys[] = {
	{"crashplug_after", ENERGY_CONFIG_NUMBER, 0, "2", "good samples before the crash"},
	{NULL, 0, 0, NULL, NULL},
};

static int cp_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	(void)why, (void)len;
	struct crashplug *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->host = host;
	struct energy_config_value v;
	c->samples_left = host->config_get(host->ctx, "crashplug_after", &v) == 0 ? (int)v.number : 2;
	*inst = c;
	return 0;
}

static int cp_start(void *inst)
{
	(void)inst;
	return 0;
}

static int cp_sample(void *inst)
{
	struct crashplug *c = inst;
	if (c->samples_left-- <= 0) {
		/* SIGSEGV on purpose: an unmapped address that is not NULL, so
		 * that UBSan's null check lets the fault itself happen */
		volatile uintptr_t nowhere = 64;
		*(volatile int *)nowhere = 1;
	}
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .value = 10};
	strcpy(r.sensor, "crash");
	return c->host->emit(c->host->ctx, &r);
}

static int cp_stop(void *inst)
{
	(void)inst;
	return 0;
}

static void cp_destroy(void *inst)
{
	free(inst);
}

static int cp_probe(const struct energy_host *host, char *why, size_t len)
{
	(void)host, (void)why, (void)len;
	return 0;
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.name = "crashplug",
	.version = "1.0",
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.description = "crashes its host in sample(), for energymond's crash log",
	.min_interval_s = 0.001,
	.config_keys = keys,
	.probe = cp_probe,
	.create = cp_create,
	.start = cp_start,
	.sample = cp_sample,
	.stop = cp_stop,
	.destroy = cp_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
