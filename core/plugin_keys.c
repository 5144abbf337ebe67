/*
 * A plugin's configuration keys, checked before the plugin sees them: every
 * key that starts with the plugin's name and "_" must be one it declared,
 * with the declared type, so a typo is an error naming the key instead of a
 * setting silently ignored. A plugin may declare keys under its own prefix
 * only, so a third-party plugin can never claim (and read) another's keys,
 * such as ipmi_host or ipmi_password. The same rules hold inside an
 * instance's section ({"ipmi:rack1": {"ipmi_host": ...}}), which takes only
 * the plugin's own keys.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A 1.1 plugin's config_keys_v2 replaces config_keys; a 1.0 plugin's
 * vtable ends before the member, so its struct_size decides. */
static const struct energy_config_key_v2 *const *keys_v2(const struct energy_plugin *vt)
{
	return ENERGY_HAS_MEMBER(vt, struct energy_plugin, config_keys_v2) ? vt->config_keys_v2 : NULL;
}

int em_plugin_key_at(const struct energy_plugin *vt, size_t i, struct em_key_decl *out)
{
	const struct energy_config_key_v2 *const *v2 = keys_v2(vt);
	if (v2) {
		for (size_t j = 0; j < i; j++)
			if (!v2[j])
				return 0;
		const struct energy_config_key_v2 *e = v2[i];
		if (!e)
			return 0;
		/* every member of the 1.1 entry is needed; a shorter one is not an entry */
		if (!ENERGY_HAS_MEMBER(e, struct energy_config_key_v2, help) || !e->name)
			return -EPROTO;
		*out = (struct em_key_decl){e->name, e->type, e->secret != 0, e->default_doc, e->help};
		return 1;
	}
	for (size_t j = 0; j < i; j++)
		if (!vt->config_keys || !vt->config_keys[j].name)
			return 0;
	const struct energy_config_key *k = vt->config_keys ? &vt->config_keys[i] : NULL;
	if (!k || !k->name)
		return 0;
	*out = (struct em_key_decl){k->name, k->type, k->secret != 0, k->default_doc, k->help};
	return 1;
}

bool em_plugin_key_find(const struct energy_plugin *vt, const char *name, struct em_key_decl *out)
{
	for (size_t i = 0; em_plugin_key_at(vt, i, out) > 0; i++)
		if (strcmp(out->name, name) == 0)
			return true;
	return false;
}

int em_plugin_check_declared_keys(const struct energy_plugin *vt, struct em_error *err)
{
	size_t plen = strlen(vt->name);
	struct em_key_decl k;
	int rc;
	for (size_t i = 0; (rc = em_plugin_key_at(vt, i, &k)) > 0; i++)
		if (strncmp(k.name, vt->name, plen) != 0 || k.name[plen] != '_' || !k.name[plen + 1])
			return em_fail(err, -EPROTO, "plugin '%s' declares the key '%s' outside its own prefix; "
			               "refusing to load it: a plugin may declare only keys that start with '%s_'",
			               vt->name, k.name, vt->name);
	if (rc < 0)
		return em_fail(err, -EPROTO, "plugin '%s': an entry of config_keys_v2 has no name or a struct_size "
		               "smaller than struct energy_config_key_v2 of ABI 1.1; refusing to load it", vt->name);
	return 0;
}

/* Declared keys match case-sensitively; a near miss in case is named.
 * `where` is "" at the top level, "ipmi:rack1." in a section. */
static int unknown_plugin_key(const struct energy_plugin *vt, const char *where, const char *key,
                              struct em_error *err)
{
	struct em_key_decl k;
	for (size_t i = 0; em_plugin_key_at(vt, i, &k) > 0; i++)
		if (strcasecmp(k.name, key) == 0)
			return em_fail(err, -EINVAL, "%s%s: unknown key for plugin '%s' (keys are case-sensitive: "
			               "did you mean %s%s?)", where, key, vt->name, where, k.name);
	char known[768] = "";
	for (size_t i = 0; em_plugin_key_at(vt, i, &k) > 0; i++) {
		size_t used = strlen(known);
		snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "", k.name);
	}
	return em_fail(err, -EINVAL, "%s%s: unknown key for plugin '%s'; it accepts: %s", where, key, vt->name,
	               known[0] ? known : "(no keys)");
}

static int check_type(const char *where, const char *key, const struct em_key_decl *k, const json_t *val,
                      struct em_error *err)
{
	bool ok;
	const char *want;
	switch (k->type) {
	case ENERGY_CONFIG_STRING: ok = json_is_string(val); want = "a string"; break;
	case ENERGY_CONFIG_NUMBER:
		ok = json_is_number(val) && isfinite(json_number_value(val));
		want = "a finite number";
		break;
	case ENERGY_CONFIG_BOOL: ok = json_is_boolean(val); want = "true or false"; break;
	case ENERGY_CONFIG_STRING_LIST: {
		ok = json_is_string(val) || json_is_array(val);
		size_t i;
		json_t *item;
		if (json_is_array(val))
			json_array_foreach(val, i, item) ok = ok && json_is_string(item);
		want = "a string or a list of strings";
		break;
	}
	default: ok = false; want = "a type this host does not know";
	}
	if (!ok)
		return em_fail(err, -EINVAL, "%s%s: expected %s (default: %s)", where, key, want,
		               k->default_doc ? k->default_doc : "none");
	return 0;
}

/* The one host key an instance's section may set: each BMC of a fleet
 * may want its own pace. The same range as at the top level. */
#define SECTION_INTERVAL_KEY "energy_sampling_interval"

static int check_section_interval(const char *where, const json_t *val, struct em_error *err)
{
	double s = json_number_value(val);
	if (!json_is_number(val) || !isfinite(s) || s <= 0 || s > 86400)
		return em_fail(err, -EINVAL, "%s" SECTION_INTERVAL_KEY ": expected a finite number of seconds > 0 and "
		               "<= 86400 (this instance's interval; default: the top-level one)", where);
	return 0;
}

/* A key in an instance's section that is not the plugin's own. */
static int foreign_in_section(const struct energy_plugin *vt, const char *where, const char *key,
                              struct em_error *err)
{
	if (em_host_key(key) || strncasecmp(key, "energy", 6) == 0 || strcmp(key, "lithops") == 0)
		return em_fail(err, -EINVAL, "%s%s: energymon's own keys apply to every source and cannot be set per "
		               "instance (but " SECTION_INTERVAL_KEY "); set it at the top level", where, key);
	return em_fail(err, -EINVAL, "%s%s: not a key of plugin '%s'; an instance's section takes only the "
	               "plugin's own keys (%s_*)", where, key, vt->name, vt->name);
}

static int check_keys_in(const struct energy_plugin *vt, const json_t *obj, const char *where, bool section,
                         struct em_error *err)
{
	size_t plen = strlen(vt->name);
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val) {
		char section_of[ENERGY_NAME_MAX];
		if (!section && em_section_plugin(key, section_of))
			continue; /* a section ("ipmi_x:a" too): checked as one below */
		if (section && strcmp(key, SECTION_INTERVAL_KEY) == 0) {
			int rc = check_section_interval(where, val, err);
			if (rc)
				return rc;
			continue;
		}
		if (strncasecmp(key, vt->name, plen) != 0 || key[plen] != '_') {
			if (section)
				return foreign_in_section(vt, where, key, err);
			continue;
		}
		struct em_key_decl k;
		if (!em_plugin_key_find(vt, key, &k))
			return unknown_plugin_key(vt, where, key, err);
		int rc = check_type(where, key, &k, val, err);
		if (rc)
			return rc;
	}
	return 0;
}

int em_config_check_plugin_keys(const struct em_config *cfg, const struct energy_plugin *vt,
                                struct em_error *err)
{
	int rc = em_plugin_check_declared_keys(vt, err);
	if (!rc)
		rc = check_keys_in(vt, cfg->root, "", false, err);
	const char *key;
	json_t *val;
	json_object_foreach(cfg->root, key, val) {
		char plugin[ENERGY_NAME_MAX];
		if (rc || !em_section_plugin(key, plugin) || strcmp(plugin, vt->name) != 0)
			continue;
		char where[ENERGY_NAME_MAX + 2];
		snprintf(where, sizeof(where), "%s.", key);
		if (!json_is_object(val))
			rc = em_fail(err, -EINVAL, "%s: expected an object of %s_* keys for that instance, such as "
			             "{\"%s\": {\"%s_...\": ...}}", key, vt->name, key, vt->name);
		else
			rc = check_keys_in(vt, val, where, true, err);
	}
	return rc;
}
