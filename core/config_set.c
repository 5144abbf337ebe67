/*
 * em_config_set: one key from text, as `--set KEY=VALUE` gives it. The value
 * is typed by the key's declaration (the host's own keys, or the plugin that
 * declares it), never guessed: `energy_function_name=true` is the string
 * "true". A key nobody declares is refused, whatever its case, and so is
 * every key a plugin declares secret: a command line is visible to every
 * user of the machine (ps, /proc/PID/cmdline).
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int refuse_secret(const char *key, struct em_error *err)
{
	return em_fail(err, -EINVAL, "%s: secrets are not accepted on the command line (every user can read "
	               "it in the process list); put it in a configuration file, or use the plugin's _file or "
	               "_env key (e.g. ipmi_password_file, ipmi_password_env)", key);
}

static int typed_value(const char *key, uint32_t type, const char *text, json_t **out, struct em_error *err)
{
	char *end = NULL;
	*out = NULL;
	switch (type) {
	case ENERGY_CONFIG_NUMBER: {
		double d = strtod(text, &end);
		if (end == text || *end || !isfinite(d))
			return em_fail(err, -EINVAL, "%s: '%s' is not a number; expected a finite number", key, text);
		*out = json_real(d);
		break;
	}
	case ENERGY_CONFIG_BOOL:
		if (strcmp(text, "true") && strcmp(text, "false"))
			return em_fail(err, -EINVAL, "%s: '%s' is not a boolean; expected true or false", key, text);
		*out = json_boolean(text[0] == 't');
		break;
	case ENERGY_CONFIG_STRING_LIST:
		/* a JSON list when it is one; otherwise one string */
		if (text[0] == '[') {
			*out = json_loads(text, 0, NULL);
			if (!json_is_array(*out)) {
				json_decref(*out);
				*out = NULL;
				return em_fail(err, -EINVAL, "%s: '%s' is not a JSON list; expected one name or a "
				               "list such as [\"a\", \"b\"]", key, text);
			}
			break;
		}
		/* fall through */
	default:
		*out = json_string(text);
		if (!*out)
			return em_fail(err, -EINVAL, "%s: the value is not valid UTF-8", key);
	}
	return *out ? 0 : em_fail(err, -ENOMEM, "out of memory");
}

static int find_declaration(const char *key, struct em_installed_key *decl, struct em_error *err)
{
	const struct energy_config_key *host = em_host_key(key);
	if (host) {
		memset(decl, 0, sizeof(*decl));
		decl->type = host->type;
		return 0;
	}
	int rc = em_installed_key(key, decl);
	if (rc == 0)
		return 0;
	if (rc != -ENOENT)
		return em_fail(err, rc, "%s: cannot list the installed plugins: %s", key, strerror(-rc));
	if (decl->near_miss[0])
		return em_fail(err, -EINVAL, "%s: unknown key (keys are case-sensitive: did you mean %s?)", key,
		               decl->near_miss);
	return em_unknown_host_key(key, true, err);
}

/* "ipmi:rack1.ipmi_host": the key of one instance's section. Only that
 * plugin's own keys may be set there. */
static int find_section_declaration(const char *section, const char *name, struct em_installed_key *decl,
                                    struct em_error *err)
{
	char plugin[ENERGY_NAME_MAX];
	int rc = em_check_section_name(section, err);
	if (rc)
		return rc;
	em_section_plugin(section, plugin);
	/* the one host key a section takes (plugin_keys.c checks its range) */
	if (strcmp(name, "energy_sampling_interval") == 0) {
		decl->type = ENERGY_CONFIG_NUMBER;
		return 0;
	}
	if (em_host_key(name) || strncasecmp(name, "energy", 6) == 0)
		return em_fail(err, -EINVAL, "%s.%s: energymon's own keys apply to every source and cannot be set per "
		               "instance (but energy_sampling_interval); set %s instead", section, name, name);
	rc = em_installed_key(name, decl);
	if (rc == -ENOENT && decl->near_miss[0])
		return em_fail(err, -EINVAL, "%s.%s: unknown key (keys are case-sensitive: did you mean %s.%s?)",
		               section, name, section, decl->near_miss);
	if (rc == -ENOENT || (rc == 0 && strcmp(decl->plugin, plugin) != 0))
		return em_fail(err, -EINVAL, "%s.%s: not a key of plugin '%s'; an instance's section takes only the "
		               "keys plugin '%s' declares (energymon --list-plugins shows them)", section, name, plugin,
		               plugin);
	if (rc)
		return em_fail(err, rc, "%s.%s: cannot list the installed plugins: %s", section, name, strerror(-rc));
	return 0;
}

/* The object `name` of `parent`, made when absent; NULL when it is something else. */
static json_t *object_in(json_t *parent, const char *name)
{
	json_t *o = json_object_get(parent, name);
	if (!o && json_object_set_new(parent, name, o = json_object()))
		return NULL;
	return json_is_object(o) ? o : NULL;
}

int em_config_set(struct em_config *cfg, const char *key, const char *value, struct em_error *err)
{
	size_t klen = strlen(key);
	/* Refused before the lookup, so the value is never parsed or echoed. */
	if (klen >= 8 && strcasecmp(key + klen - 8, "password") == 0)
		return refuse_secret(key, err);
	const char *colon = strchr(key, ':'), *dot = colon ? strchr(colon, '.') : NULL;
	char section[ENERGY_NAME_MAX] = "";
	if (colon && !dot)
		return em_fail(err, -EINVAL, "%s: expected plugin:instance.key, such as ipmi:rack1.ipmi_host", key);
	if (dot && (size_t)(dot - key) >= sizeof(section))
		return em_fail(err, -EINVAL, "%.*s: not a section name (longer than %zu characters)", (int)(dot - key),
		               key, sizeof(section) - 1);
	if (dot)
		snprintf(section, sizeof(section), "%.*s", (int)(dot - key), key);
	struct em_installed_key decl;
	memset(&decl, 0, sizeof(decl));
	int rc = dot ? find_section_declaration(section, dot + 1, &decl, err) : find_declaration(key, &decl, err);
	if (rc)
		return rc;
	if (decl.secret)
		return refuse_secret(key, err);
	json_t *v;
	if ((rc = typed_value(key, decl.type, value, &v, err)))
		return rc;
	json_t *parent = cfg->root;
	const char *name = key;
	if (dot) {
		parent = json_object_get(cfg->root, section);
		if (parent && !json_is_object(parent)) {
			json_decref(v);
			return em_fail(err, -EINVAL, "%s: expected an object of keys for that instance", section);
		}
		parent = object_in(cfg->root, section);
		name = dot + 1;
	} else if (strncmp(key, "lithops.", 8) == 0) {
		parent = object_in(cfg->root, "lithops");
		name = key + 8;
	}
	cfg->keys_checked = false;
	if (!parent || json_object_set_new(parent, name, v))
		return em_fail(err, -ENOMEM, "out of memory");
	return em_config_reread(cfg, err);
}
