/*
 * A plugin's configuration keys, checked before the plugin sees them: every
 * key that starts with the plugin's name and "_" must be one it declared,
 * with the declared type, so a typo is an error naming the key instead of a
 * setting silently ignored. A plugin may declare keys under its own prefix
 * only, so a third-party plugin can never claim (and read) another's keys,
 * such as ipmi_host or ipmi_password.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int em_plugin_check_declared_keys(const struct energy_plugin *vt, struct em_error *err)
{
	size_t plen = strlen(vt->name);
	for (const struct energy_config_key *k = vt->config_keys; k && k->name; k++)
		if (strncmp(k->name, vt->name, plen) != 0 || k->name[plen] != '_' || !k->name[plen + 1])
			return em_fail(err, -EPROTO, "plugin '%s' declares the key '%s' outside its own prefix; "
			               "refusing to load it: a plugin may declare only keys that start with '%s_'",
			               vt->name, k->name, vt->name);
	return 0;
}

/* Declared keys match case-sensitively; a near miss in case is named. */
static int unknown_plugin_key(const struct energy_plugin *vt, const char *key, struct em_error *err)
{
	const struct energy_config_key *k;
	for (k = vt->config_keys; k && k->name; k++)
		if (strcasecmp(k->name, key) == 0)
			return em_fail(err, -EINVAL, "%s: unknown key for plugin '%s' (keys are case-sensitive: "
			               "did you mean %s?)", key, vt->name, k->name);
	char known[768] = "";
	for (k = vt->config_keys; k && k->name; k++) {
		size_t used = strlen(known);
		snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "", k->name);
	}
	return em_fail(err, -EINVAL, "%s: unknown key for plugin '%s'; it accepts: %s", key, vt->name,
	               known[0] ? known : "(no keys)");
}

int em_config_check_plugin_keys(const struct em_config *cfg, const struct energy_plugin *vt,
                                struct em_error *err)
{
	int rc = em_plugin_check_declared_keys(vt, err);
	if (rc)
		return rc;
	size_t plen = strlen(vt->name);
	const char *key;
	json_t *val;
	json_object_foreach(cfg->root, key, val) {
		if (strncasecmp(key, vt->name, plen) != 0 || key[plen] != '_')
			continue;
		const struct energy_config_key *k = vt->config_keys;
		while (k && k->name && strcmp(k->name, key) != 0)
			k++;
		if (!k || !k->name)
			return unknown_plugin_key(vt, key, err);
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
			return em_fail(err, -EINVAL, "%s: expected %s (default: %s)", key, want,
			               k->default_doc ? k->default_doc : "none");
	}
	return 0;
}
