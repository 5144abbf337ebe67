/*
 * Test plugin of ABI 1.1 that declares its keys only through
 * config_keys_v2 (config_keys is NULL) and reads them only through
 * host->config_get_v2. It reports constant system power `testv2_watts` and
 * notes what it read, so tests can see every value arrive typed:
 * "label" (testv2_label), "tags" (how many testv2_tags, "count"),
 * "first_tag", "enabled" (testv2_enabled as "true"/"false"), "instance"
 * (host->instance, or "none") and "short_struct" ("untouched" when the host
 * filled no byte beyond a value struct whose struct_size covers only the
 * first members, as a plugin built against a shorter struct would pass).
 * Built a second time as "testv2short" with -DSHORT_ENTRY: one entry's
 * struct_size is smaller than ABI 1.1's, which the host must refuse.
 */
#include "energy_plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NAME
#define NAME "testv2"
#endif
#ifdef SHORT_ENTRY
#define ENTRY_SIZE 8
#else
#define ENTRY_SIZE sizeof(struct energy_config_key_v2)
#endif

static const struct energy_config_key_v2 k_watts = {sizeof(k_watts), ENERGY_CONFIG_NUMBER, 0, 0,
                                                    NAME "_watts", "10", "constant system power, W"};
static const struct energy_config_key_v2 k_label = {ENTRY_SIZE, ENERGY_CONFIG_STRING, 0, 0,
                                                    NAME "_label", "", "noted as 'label'"};
static const struct energy_config_key_v2 k_tags = {sizeof(k_tags), ENERGY_CONFIG_STRING_LIST, 0, 0,
                                                   NAME "_tags", "[]", "their count is noted as 'tags'"};
static const struct energy_config_key_v2 k_enabled = {sizeof(k_enabled), ENERGY_CONFIG_BOOL, 0, 0,
                                                      NAME "_enabled", "false", "noted as 'enabled'"};
static const struct energy_config_key_v2 k_secret = {sizeof(k_secret), ENERGY_CONFIG_STRING, 1, 0,
                                                     NAME "_secret", "", "a secret, never shown"};
static const struct energy_config_key_v2 *const keys[] = {&k_watts, &k_label, &k_tags, &k_enabled, &k_secret,
                                                          NULL};

struct v2 {
	const struct energy_host *host;
	double watts;
};

static int get(const struct energy_host *h, const char *key, struct energy_config_value_v2 *v)
{
	memset(v, 0, sizeof(*v));
	v->struct_size = sizeof(*v);
	return h->config_get_v2(h->ctx, key, v);
}

/* A value struct that ends after `type`: the bytes after it must stay. */
static const char *short_struct(const struct energy_host *h)
{
	struct energy_config_value_v2 v;
	memset(&v, 0xab, sizeof(v));
	v.struct_size = offsetof(struct energy_config_value_v2, boolean);
	if (h->config_get_v2(h->ctx, NAME "_watts", &v) != 0)
		return "not set";
	const unsigned char *p = (const unsigned char *)&v;
	for (size_t i = offsetof(struct energy_config_value_v2, boolean); i < sizeof(v); i++)
		if (p[i] != 0xab)
			return "overwritten";
	return v.type == ENERGY_CONFIG_NUMBER ? "untouched" : "wrong type";
}

static int v2_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	if (!ENERGY_HAS_MEMBER(host, struct energy_host, config_get_v2)) {
		snprintf(why, len, "this host has no config_get_v2 (ABI 1.0)");
		return -ENODEV;
	}
	struct v2 *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	t->watts = 10;
	struct energy_config_value_v2 v;
	if (get(host, NAME "_watts", &v) == 0)
		t->watts = v.number;
	if (get(host, NAME "_label", &v) == 0)
		host->note_string(host->ctx, "label", v.string);
	if (get(host, NAME "_tags", &v) == 0) {
		host->note_number(host->ctx, "tags", (double)v.list_len, "count");
		if (v.list_len)
			host->note_string(host->ctx, "first_tag", v.list[0]);
	}
	if (get(host, NAME "_enabled", &v) == 0)
		host->note_string(host->ctx, "enabled", v.boolean ? "true" : "false");
	host->note_string(host->ctx, "instance", host->instance ? host->instance : "none");
	host->note_string(host->ctx, "short_struct", short_struct(host));
	*inst = t;
	return 0;
}

static int v2_emit(struct v2 *t)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "v2", .value = t->watts};
	return t->host->emit(t->host->ctx, &r);
}

static int v2_start(void *inst)
{
	return v2_emit(inst);
}

static int v2_sample(void *inst)
{
	return v2_emit(inst);
}

static int v2_stop(void *inst)
{
	return v2_emit(inst);
}

static void v2_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = NAME,
	.version = "1.1.0",
	.description = "test plugin declaring its keys with config_keys_v2",
	.min_interval_s = 0.001,
	.config_keys = NULL,
	.create = v2_create,
	.start = v2_start,
	.sample = v2_sample,
	.stop = v2_stop,
	.destroy = v2_destroy,
	.config_keys_v2 = keys,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
