/*
 * `--list-plugins`: every plugin on the search path, whether it loads, its
 * ABI, and whether it can run here (its own probe, with its reason), like a
 * component listing that says why a component is disabled.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list_ctx {
	const struct em_config *cfg;
	json_t *out;
};

static const char *type_name(uint32_t t)
{
	switch (t) {
	case ENERGY_CONFIG_STRING: return "string";
	case ENERGY_CONFIG_NUMBER: return "number";
	case ENERGY_CONFIG_BOOL: return "bool";
	case ENERGY_CONFIG_STRING_LIST: return "string list";
	default: return "?";
	}
}

static json_t *keys_json(const struct energy_plugin *vt)
{
	json_t *keys = json_array();
	struct em_key_decl k;
	for (size_t i = 0; em_plugin_key_at(vt, i, &k) > 0; i++)
		json_array_append_new(keys, json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", k.name, "type", type_name(k.type),
		                                      "default", k.default_doc ? k.default_doc : "",
		                                      "help", k.help ? k.help : "", "secret", k.secret));
	return keys;
}

static json_t *measures_json(uint32_t bits)
{
	json_t *a = json_array();
	for (uint32_t s = ENERGY_SCOPE_SYSTEM; s <= ENERGY_SCOPE_OTHER; s++)
		if ((bits & ENERGY_MEASURES(s)) && em_scope_name(s))
			json_array_append_new(a, json_string(em_scope_name(s)));
	return a;
}

static void describe(const char *name, const char *path, void *arg)
{
	struct list_ctx *ctx = arg;
	struct em_error err = {0};
	struct em_source *src = calloc(1, sizeof(*src));
	json_t *o = json_pack("{s:s,s:s}", "name", name, "file", path);
	if (!src || !o) {
		free(src);
		json_decref(o);
		return;
	}
	if (em_plugin_open(path, &src->lib, &err) != 0) {
		json_object_set_new(o, "loads", json_false());
		json_object_set_new(o, "available", json_false());
		json_object_set_new(o, "reason", json_string(err.message));
	} else {
		const struct energy_plugin *vt = src->lib.vt;
		char abi[32], why[ENERGY_REASON_MAX] = "";
		snprintf(abi, sizeof(abi), "%u.%u", vt->abi_major, vt->abi_minor);
		snprintf(src->name, sizeof(src->name), "%s", name);
		snprintf(src->plugin, sizeof(src->plugin), "%s", name);
		src->cfg_root = json_incref(ctx->cfg->root);
		/* no process to follow: probe() only says whether it could run */
		em_host_init(src, 0, ctx->cfg->interval_s);
		/* a plugin that would be refused at load is not offered as available */
		int rc = em_plugin_check_declared_keys(vt, &err);
		if (rc < 0)
			snprintf(why, sizeof(why), "%s", err.message);
		else if (vt->probe)
			rc = vt->probe(&src->host, why, sizeof(why));
		if (rc < 0 && !why[0])
			snprintf(why, sizeof(why), "%s", strerror(-rc));
		json_object_set_new(o, "loads", json_true());
		json_object_set_new(o, "version", json_string(vt->version ? vt->version : ""));
		json_object_set_new(o, "abi", json_string(abi));
		json_object_set_new(o, "description", json_string(vt->description ? vt->description : ""));
		json_object_set_new(o, "measures", measures_json(vt->measures));
		json_object_set_new(o, "available", json_boolean(rc >= 0));
		json_object_set_new(o, "reason", rc < 0 ? json_string(why) : json_null());
		json_object_set_new(o, "config_keys", keys_json(vt));
	}
	em_source_free(src);
	json_array_append_new(ctx->out, o);
}

int em_plugins_list(const struct em_config *cfg, char **json_out, struct em_error *err)
{
	*json_out = NULL;
	struct em_config *own = NULL;
	int rc = cfg ? 0 : em_config_new(&own, err);
	if (rc)
		return rc;
	struct list_ctx ctx = {.cfg = cfg ? cfg : own, .out = json_array()};
	rc = ctx.out ? em_plugin_scan(describe, &ctx, err) : em_fail(err, -ENOMEM, "out of memory");
	if (!rc && !(*json_out = json_dumps(ctx.out, JSON_INDENT(1))))
		rc = em_fail(err, -ENOMEM, "out of memory");
	json_decref(ctx.out);
	em_config_free(own);
	return rc;
}

char *em_plugins_list_json(const struct em_config *cfg)
{
	char *text = NULL;
	em_plugins_list(cfg, &text, NULL);
	return text;
}
