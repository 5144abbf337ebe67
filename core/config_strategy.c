/*
 * lithops.energy_strategy: which sources to run, in order. An entry is a
 * plugin name ("ipmi") or a plugin and an instance ("ipmi:rack1"); the entry
 * is the source's id. Entries are checked for shape here; whether a plugin
 * of that name exists is the loader's to say.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ACCEPTED "accepted: 'auto', plugin names such as 'ipmi', 'perf', 'ebpf', or 'plugin:instance' such as " \
                 "'ipmi:rack1'"

void em_config_free_strategy(struct em_config *cfg)
{
	for (size_t i = 0; i < cfg->nstrategy; i++)
		free(cfg->strategy[i]);
	free(cfg->strategy);
	cfg->strategy = NULL;
	cfg->nstrategy = 0;
	cfg->strategy_auto = false;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool em_instance_name_valid(const char *name, size_t len)
{
	if (len < 1 || len > EM_INSTANCE_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(name[i]))
			return false;
	return true;
}

/* An entry's shape: a plugin name, then optionally ':' and an instance. */
static int check_entry(const char *name, size_t len, struct em_error *err)
{
	const char *colon = memchr(name, ':', len);
	size_t plen = colon ? (size_t)(colon - name) : len;
	for (size_t i = 0; i < plen; i++)
		if (!name_char(name[i]))
			return em_fail(err, -EINVAL, "lithops.energy_strategy: '%.*s' is not a source name "
			               "(plugin or plugin:instance: lower-case letters, digits, '_' and '-' only)", (int)len, name);
	if (plen == 0)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: '%.*s' names no plugin before ':'; " ACCEPTED,
		               (int)len, name);
	if (colon && !em_instance_name_valid(colon + 1, len - plen - 1))
		return em_fail(err, -EINVAL, "lithops.energy_strategy: '%.*s': '%.*s' is not an instance name "
		               "(1 to %d of lower-case letters, digits, '_' and '-', as in 'ipmi:rack1')", (int)len, name,
		               (int)(len - plen - 1), colon + 1, EM_INSTANCE_MAX);
	if (len >= ENERGY_NAME_MAX)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: '%.*s' is longer than %d characters", (int)len,
		               name, ENERGY_NAME_MAX - 1);
	return 0;
}

static int push_name(struct em_config *cfg, const char *name, size_t len, struct em_error *err)
{
	while (len && (*name == ' ' || *name == '\t'))
		name++, len--;
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	if (len == 0)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: empty source name; " ACCEPTED);
	if (len == 4 && strncmp(name, "auto", 4) == 0) {
		cfg->strategy_auto = true;
		return 0;
	}
	int rc = check_entry(name, len, err);
	if (rc)
		return rc;
	/* one id, one source: the second would write over the first's files */
	for (size_t i = 0; i < cfg->nstrategy; i++)
		if (strlen(cfg->strategy[i]) == len && strncmp(cfg->strategy[i], name, len) == 0)
			return em_fail(err, -EINVAL, "lithops.energy_strategy: '%.*s' is named twice; each source "
			               "(a plugin, or plugin:instance such as 'ipmi:rack1') may be named once",
			               (int)len, name);
	char **grown = realloc(cfg->strategy, (cfg->nstrategy + 1) * sizeof(*grown));
	if (!grown)
		return em_fail(err, -ENOMEM, "out of memory");
	cfg->strategy = grown;
	if (!(cfg->strategy[cfg->nstrategy] = strndup(name, len)))
		return em_fail(err, -ENOMEM, "out of memory");
	cfg->nstrategy++;
	return 0;
}

static int finish(const struct em_config *cfg, struct em_error *err)
{
	if (cfg->strategy_auto && cfg->nstrategy)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: 'auto' cannot be combined with named sources");
	return 0;
}

int em_config_set_strategy(struct em_config *cfg, const char *strategy, struct em_error *err)
{
	em_config_free_strategy(cfg);
	const char *p = strategy;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int rc = push_name(cfg, p, len, err);
		if (rc)
			return rc;
		if (!comma)
			break;
		p = comma + 1;
	}
	return finish(cfg, err);
}

int em_config_read_strategy(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	if (json_is_string(v))
		return em_config_set_strategy(cfg, json_string_value(v), err);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: expected a string or a non-empty "
		               "list of strings such as ['ipmi', 'ebpf', 'perf'] or 'auto'");
	em_config_free_strategy(cfg);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return em_fail(err, -EINVAL, "lithops.energy_strategy[%zu]: expected a string", i);
		const char *s = json_string_value(item);
		int rc = push_name(cfg, s, strlen(s), err);
		if (rc)
			return rc;
	}
	return finish(cfg, err);
}

bool em_section_plugin(const char *key, char plugin[ENERGY_NAME_MAX])
{
	const char *colon = strchr(key, ':');
	if (!colon)
		return false;
	snprintf(plugin, ENERGY_NAME_MAX, "%.*s", (int)(colon - key), key);
	return true;
}

int em_check_section_name(const char *key, struct em_error *err)
{
	int rc = check_entry(key, strlen(key), err);
	if (rc && err) {
		/* say it is the section's name, not the strategy, that is wrong */
		const char *what = strstr(err->message, ": ");
		char msg[sizeof(err->message)];
		snprintf(msg, sizeof(msg), "section%s", what ? what + 1 : "");
		snprintf(err->message, sizeof(err->message), "%s", msg);
	}
	return rc;
}
