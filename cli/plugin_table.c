/*
 * `energymon --list-plugins`: every plugin found, its version and ABI,
 * whether it can run here (and if not, why), and the configuration keys it
 * reads with their types and defaults, so a user can write a config
 * without reading the plugin's source.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *key, const char *absent)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : absent;
}

static void print_keys(FILE *out, const json_t *keys)
{
	int name_w = 3, type_w = 4, default_w = 7;
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		int n = (int)strlen(str(k, "name", "?")), t = (int)strlen(str(k, "type", "?")) +
		        (json_is_true(json_object_get(k, "secret")) ? 8 : 0),
		    d = (int)strlen(str(k, "default", "none"));
		name_w = n > name_w ? n : name_w;
		type_w = t > type_w ? t : type_w;
		default_w = d > default_w ? d : default_w;
	}
	fprintf(out, "         %-*s  %-*s  %-*s  %s\n", name_w, "key", type_w, "type", default_w, "default", "meaning");
	json_array_foreach(keys, i, k) {
		char type[64];
		snprintf(type, sizeof(type), "%s%s", str(k, "type", "?"),
		         json_is_true(json_object_get(k, "secret")) ? ", secret" : "");
		fprintf(out, "         %-*s  %-*s  %-*s  %s\n", name_w, str(k, "name", "?"), type_w, type, default_w,
		        str(k, "default", "none"), str(k, "help", ""));
	}
}

void cli_print_plugins(FILE *out, const json_t *list)
{
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p) {
		bool loads = json_is_true(json_object_get(p, "loads"));
		fprintf(out, "%-8s ", str(p, "name", "?"));
		if (loads)
			fprintf(out, "version %s  ABI %s  ", str(p, "version", "unknown"), str(p, "abi", "?"));
		else
			fprintf(out, "does not load  ");
		fprintf(out, "%s\n", json_is_true(json_object_get(p, "available")) ? "available" : "unavailable");
		fprintf(out, "         file: %s\n", str(p, "file", "?"));
		if (json_is_string(json_object_get(p, "reason")))
			fprintf(out, "         reason: %s\n", str(p, "reason", ""));
		const char *desc = str(p, "description", NULL);
		if (desc)
			fprintf(out, "         %s\n", desc);
		const json_t *keys = json_object_get(p, "config_keys");
		if (json_array_size(keys))
			print_keys(out, keys);
		else if (loads)
			fprintf(out, "         no configuration keys\n");
	}
	if (!json_array_size(list))
		fprintf(out, "no plugins found (ENERGYMON_PLUGIN_PATH and the installed plugin directory are empty)\n");
}

int cli_list_plugins(FILE *out, const struct em_config *cfg)
{
	char *text = NULL;
	struct em_error err = {0};
	int rc = em_plugins_list(cfg, &text, &err);
	json_t *list = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (rc || !list) {
		fprintf(stderr, "energymon: cannot list plugins: %s\n", rc ? err.message : "out of memory");
		json_decref(list);
		return rc == -EINVAL ? 2 : 1;
	}
	cli_print_plugins(out, list);
	json_decref(list);
	return 0;
}
