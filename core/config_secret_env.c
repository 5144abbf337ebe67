/*
 * Which environment variables hold secrets: the value of every key ending
 * in "_password_env" (ipmi_password_env, and any plugin's alike), at the top
 * level or one section down. A caller that starts other programs (the CLI's
 * measured command) removes them from those programs' environment.
 */
#include "internal.h"

#include <string.h>

static bool is_secret_env_key(const char *key)
{
	static const char suffix[] = "_password_env";
	size_t klen = strlen(key), slen = sizeof(suffix) - 1;
	return klen > slen && strcmp(key + klen - slen, suffix) == 0;
}

static size_t collect(const json_t *obj, int depth, const char **names, size_t max, size_t n)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_string(v) && is_secret_env_key(key)) {
			if (n < max)
				names[n] = json_string_value(v);
			n++;
		} else if (json_is_object(v) && depth == 0) {
			n = collect(v, depth + 1, names, max, n);
		}
	}
	return n;
}

size_t em_config_secret_env_names(const struct em_config *cfg, const char **names, size_t max)
{
	return cfg && cfg->root ? collect(cfg->root, 0, names, max, 0) : 0;
}
