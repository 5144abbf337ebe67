/*
 * lithops.energy_strategy: which plugins to run, in order. Names are checked
 * for shape here; whether a plugin of that name exists is the loader's to say.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void em_config_free_strategy(struct em_config *cfg)
{
	for (size_t i = 0; i < cfg->nstrategy; i++)
		free(cfg->strategy[i]);
	free(cfg->strategy);
	cfg->strategy = NULL;
	cfg->nstrategy = 0;
	cfg->strategy_auto = false;
}

static int push_name(struct em_config *cfg, const char *name, size_t len, struct em_error *err)
{
	while (len && (*name == ' ' || *name == '\t'))
		name++, len--;
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	if (len == 0)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: empty monitor name; "
		               "accepted: 'auto' or plugin names such as 'ipmi', 'perf', 'ebpf'");
	if (len == 4 && strncmp(name, "auto", 4) == 0) {
		cfg->strategy_auto = true;
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return em_fail(err, -EINVAL, "lithops.energy_strategy: '%.*s' is not a monitor name "
			               "(lower-case letters, digits, '_' and '-' only)", (int)len, name);
	}
	for (size_t i = 0; i < cfg->nstrategy; i++)
		if (strlen(cfg->strategy[i]) == len && strncmp(cfg->strategy[i], name, len) == 0)
			return 0; /* asking twice measures once */
	char **grown = realloc(cfg->strategy, (cfg->nstrategy + 1) * sizeof(*grown));
	if (!grown)
		return em_fail(err, -ENOMEM, "out of memory");
	cfg->strategy = grown;
	if (!(cfg->strategy[cfg->nstrategy] = strndup(name, len)))
		return em_fail(err, -ENOMEM, "out of memory");
	cfg->nstrategy++;
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
	if (cfg->strategy_auto && cfg->nstrategy)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: 'auto' cannot be combined with named monitors");
	return 0;
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
	if (cfg->strategy_auto && cfg->nstrategy)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: 'auto' cannot be combined with named monitors");
	return 0;
}
