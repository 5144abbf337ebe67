/*
 * The configuration services of struct energy_host: config_get (1.0) and
 * config_get_v2 (1.1) hand a plugin the values of the keys it declared, as
 * its source sees them (an instance's section laid over the top-level
 * keys), already checked against the declared types.
 */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool declared_key(const struct em_source *src, const char *key, struct em_key_decl *out)
{
	return em_plugin_key_find(src->lib.vt, key, out);
}

/* A list value must outlive the call, so its C array is kept per key. */
static const char *const *list_of(struct em_source *src, const char *key, const json_t *v, size_t *len)
{
	if (!src->list_cache && !(src->list_cache = json_object()))
		return NULL;
	json_t *cached = json_object_get(src->list_cache, key);
	if (!cached) {
		size_t n = json_is_array(v) ? json_array_size(v) : 1;
		const char **items = calloc(n + 1, sizeof(*items));
		if (!items)
			return NULL;
		for (size_t i = 0; i < n; i++)
			items[i] = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
		/* stored as an integer so jansson owns nothing it cannot free */
		cached = json_integer((json_int_t)(intptr_t)items);
		json_object_set_new(src->list_cache, key, cached);
	}
	*len = json_is_array(v) ? json_array_size(v) : 1;
	return (const char *const *)(intptr_t)json_integer_value(cached);
}

/* The value of a declared key, as a 1.1 value (the 1.0 one is its prefix
 * without struct_size). The source's configuration is the top level
 * overlaid with its instance's section (em_source_open). */
static int config_value(struct em_source *src, const char *key, struct energy_config_value_v2 *out)
{
	struct em_key_decl k;
	if (!key || !declared_key(src, key, &k))
		return -EINVAL;
	const json_t *v = src->cfg_section ? json_object_get(src->cfg_section, key) : NULL;
	if (!v)
		v = json_object_get(src->cfg_root, key);
	if (!v)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	out->type = k.type;
	switch (k.type) {
	case ENERGY_CONFIG_STRING: out->string = json_string_value(v); break;
	case ENERGY_CONFIG_NUMBER: out->number = json_number_value(v); break;
	case ENERGY_CONFIG_BOOL: out->boolean = json_is_true(v); break;
	case ENERGY_CONFIG_STRING_LIST:
		out->list = list_of(src, key, v, &out->list_len);
		if (!out->list)
			return -ENOMEM;
		break;
	default: return -EINVAL;
	}
	return 0;
}

static int host_config_get(void *ctx, const char *key, struct energy_config_value *out)
{
	struct energy_config_value_v2 v;
	int rc = config_value(ctx, key, &v);
	if (rc)
		return rc;
	*out = (struct energy_config_value){.type = v.type, .boolean = v.boolean, .number = v.number,
	                                    .string = v.string, .list = v.list, .list_len = v.list_len};
	return 0;
}

/* Fills no byte beyond out->struct_size: a plugin built with a shorter
 * struct (an older 1.x) keeps whatever follows it. */
static int host_config_get_v2(void *ctx, const char *key, struct energy_config_value_v2 *out)
{
	if (!out || !ENERGY_HAS_MEMBER(out, struct energy_config_value_v2, type))
		return -EINVAL;
	struct energy_config_value_v2 v;
	int rc = config_value(ctx, key, &v);
	if (rc)
		return rc;
	uint32_t size = out->struct_size < sizeof(v) ? out->struct_size : (uint32_t)sizeof(v);
	memcpy((char *)out + sizeof(out->struct_size), (const char *)&v + sizeof(v.struct_size),
	       size - sizeof(out->struct_size));
	return 0;
}

/* The library does not print: log lines go into the source's result
 * (bounded), and to stderr only when ENERGYMON_VERBOSE is set. */

void em_host_init_config(struct energy_host *h)
{
	h->config_get = host_config_get;
	h->config_get_v2 = host_config_get_v2;
}
