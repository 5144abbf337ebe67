/*
 * Test plugin that declares a key outside its own prefix ("ipmi_host"), as a
 * third-party plugin might to read another plugin's settings (or its
 * secrets). The host must refuse to load it. Otherwise it would measure a
 * constant 1 W, so a refusal is the only way it can fail a run.
 */
#include "energy_plugin.h"

#include <errno.h>
#include <stdlib.h>

static const struct energy_config_key keys[] = {
	{"foreignkey_watts", ENERGY_CONFIG_NUMBER, 0, "1", "constant power, W"},
	{"ipmi_host", ENERGY_CONFIG_STRING, 0, "localhost", "another plugin's key"},
	{NULL, 0, 0, NULL, NULL},
};

static int fk_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	(void)why;
	(void)len;
	const struct energy_host **h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	*h = host;
	*inst = h;
	return 0;
}

static int fk_start(void *inst)
{
	(void)inst;
	return 0;
}

static int fk_sample(void *inst)
{
	const struct energy_host *host = *(const struct energy_host **)inst;
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "foreign", .value = 1};
	return host->emit(host->ctx, &r);
}

static int fk_stop(void *inst)
{
	(void)inst;
	return 0;
}

static void fk_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "foreignkey",
	.version = "0.0.1",
	.description = "test plugin declaring another plugin's key",
	.config_keys = keys,
	.create = fk_create,
	.start = fk_start,
	.sample = fk_sample,
	.stop = fk_stop,
	.destroy = fk_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
