/*
 * Test plugin with hostile sensor names, as a BMC's SDR can have:
 *  - a 100 W system power series named with bytes that are not UTF-8
 *    ("PSU\xC3\x28 In\xFF": a broken two-byte sequence and a stray byte);
 *  - with `sensornames_new_per_call` N > 0, N readings under names never
 *    used before at start() and at every sample() (a plugin that makes up
 *    a name per reading), and the count made up, as the note `invented`.
 */
#include "energy_plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct names {
	const struct energy_host *host;
	double per_call;
	unsigned long invented;
};

static const struct energy_config_key keys[] = {
	{"sensornames_new_per_call", ENERGY_CONFIG_NUMBER, 0, "0", "new sensor names per start()/sample()"},
	{NULL, 0, 0, NULL, NULL},
};

static int names_create(const struct energy_host *host, void **out, char *why, size_t len)
{
	(void)why;
	(void)len;
	struct names *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->host = host;
	struct energy_config_value v;
	n->per_call = host->config_get(host->ctx, "sensornames_new_per_call", &v) == 0 ? v.number : 0;
	*out = n;
	return 0;
}

static int emit_all(void *p)
{
	struct names *n = p;
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "PSU\xC3\x28 In\xFF", .value = 100};
	int rc = n->host->emit(n->host->ctx, &r);
	for (double i = 0; i < n->per_call; i++) {
		struct energy_reading t = {.struct_size = sizeof(t), .quantity = ENERGY_Q_TEMPERATURE_C,
		                           .scope = ENERGY_SCOPE_SENSOR, .value = 40};
		snprintf(t.sensor, sizeof(t.sensor), "made-up %lu", n->invented++);
		n->host->emit(n->host->ctx, &t);
	}
	return rc;
}

static int names_stop(void *p)
{
	struct names *n = p;
	return n->host->note_number(n->host->ctx, "invented", (double)n->invented, "");
}

static void names_destroy(void *p)
{
	free(p);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "sensornames",
	.version = "0.0.1",
	.description = "sensor names that are not UTF-8, or new on every reading",
	.config_keys = keys,
	.create = names_create,
	.start = emit_all,
	.sample = emit_all,
	.stop = names_stop,
	.destroy = names_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
