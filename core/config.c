/*
 * Configuration: the Lithops keys read from JSON. The document is kept whole
 * because plugins read their own keys from it; the keys the host owns are
 * checked here, plugin keys when the plugin is loaded (em_config_check_plugin_keys).
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_INTERVAL_S 1.0
#define DEFAULT_OUTPUT_DIR "energy_data"

/* Keys the host owns at the top level; anything else starting with "energy_"
 * is a typo worth reporting. */
static const char *const host_keys[] = {
	"energy_sampling_interval", "energy_output_dir", "energy_function_name", "energy_allow_unavailable",
	"energy_max_series", NULL,
};

static void free_strategy(struct em_config *cfg)
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
	free_strategy(cfg);
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

static int read_strategy(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	if (json_is_string(v))
		return em_config_set_strategy(cfg, json_string_value(v), err);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return em_fail(err, -EINVAL, "lithops.energy_strategy: expected a string or a non-empty "
		               "list of strings such as ['ipmi', 'ebpf', 'perf'] or 'auto'");
	free_strategy(cfg);
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

int em_config_set_interval(struct em_config *cfg, double seconds, struct em_error *err)
{
	if (!isfinite(seconds) || seconds <= 0 || seconds > 86400)
		return em_fail(err, -EINVAL, "energy_sampling_interval: %g is not a valid interval; "
		               "expected a finite number of seconds > 0 and <= 86400", seconds);
	cfg->interval_s = seconds;
	return json_object_set_new(cfg->root, "energy_sampling_interval", json_real(seconds)) ? -ENOMEM : 0;
}

static int set_string(char **slot, const char *value, struct em_error *err)
{
	char *copy = strdup(value);
	if (!copy)
		return em_fail(err, -ENOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

int em_config_set_output_dir(struct em_config *cfg, const char *dir, struct em_error *err)
{
	if (!dir || !*dir)
		return em_fail(err, -EINVAL, "energy_output_dir: expected a non-empty directory path");
	return set_string(&cfg->output_dir, dir, err);
}

static int read_host_keys(struct em_config *cfg, struct em_error *err)
{
	const json_t *root = cfg->root;
	const json_t *lithops = json_object_get(root, "lithops");
	if (lithops && !json_is_object(lithops))
		return em_fail(err, -EINVAL, "lithops: expected an object");
	const json_t *v;
	if ((v = json_object_get(lithops, "energy"))) {
		if (!json_is_boolean(v))
			return em_fail(err, -EINVAL, "lithops.energy: expected true or false");
		cfg->energy_enabled = json_is_true(v);
	}
	if ((v = json_object_get(lithops, "energy_strategy"))) {
		int rc = read_strategy(cfg, v, err);
		if (rc)
			return rc;
	}
	if ((v = json_object_get(root, "energy_sampling_interval"))) {
		if (!json_is_number(v))
			return em_fail(err, -EINVAL, "energy_sampling_interval: expected a number of seconds > 0");
		int rc = em_config_set_interval(cfg, json_number_value(v), err);
		if (rc)
			return rc;
	}
	if ((v = json_object_get(root, "energy_output_dir"))) {
		if (!json_is_string(v))
			return em_fail(err, -EINVAL, "energy_output_dir: expected a string (a directory path)");
		int rc = em_config_set_output_dir(cfg, json_string_value(v), err);
		if (rc)
			return rc;
	}
	if ((v = json_object_get(root, "energy_function_name"))) {
		if (!json_is_string(v))
			return em_fail(err, -EINVAL, "energy_function_name: expected a string");
		int rc = set_string(&cfg->function_name, json_string_value(v), err);
		if (rc)
			return rc;
	}
	if ((v = json_object_get(root, "energy_allow_unavailable"))) {
		if (!json_is_boolean(v))
			return em_fail(err, -EINVAL, "energy_allow_unavailable: expected true or false");
		cfg->allow_unavailable = json_is_true(v);
	}
	if ((v = json_object_get(root, "energy_max_series"))) {
		double n = json_number_value(v);
		if (!json_is_number(v) || n != floor(n) || n < 1 || n > 1000000)
			return em_fail(err, -EINVAL, "energy_max_series: expected a whole number of series per source "
			               "from 1 to 1000000 (default %d)", EM_DEFAULT_MAX_SERIES);
		cfg->max_series = (size_t)n;
	}
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)root, key, val) {
		if (strncmp(key, "energy_", 7) != 0)
			continue;
		bool known = false;
		for (size_t i = 0; host_keys[i]; i++)
			known |= strcmp(key, host_keys[i]) == 0;
		if (!known)
			return em_fail(err, -EINVAL, "%s: unknown key; energymon reads energy_sampling_interval, "
			               "energy_output_dir, energy_function_name, energy_allow_unavailable, "
			               "energy_max_series and "
			               "lithops.energy, lithops.energy_strategy", key);
	}
	return 0;
}

int em_config_new(struct em_config **out, struct em_error *err)
{
	struct em_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg || !(cfg->root = json_object()) || !(cfg->output_dir = strdup(DEFAULT_OUTPUT_DIR))) {
		em_config_free(cfg);
		return em_fail(err, -ENOMEM, "out of memory");
	}
	cfg->energy_enabled = true;
	cfg->strategy_auto = true;
	cfg->interval_s = DEFAULT_INTERVAL_S;
	cfg->max_series = EM_DEFAULT_MAX_SERIES;
	*out = cfg;
	return 0;
}

static int adopt_root(json_t *root, struct em_config **out, struct em_error *err)
{
	struct em_config *cfg;
	int rc = em_config_new(&cfg, err);
	if (rc) {
		json_decref(root);
		return rc;
	}
	json_decref(cfg->root);
	cfg->root = root;
	if ((rc = read_host_keys(cfg, err))) {
		em_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

int em_config_load_string(const char *text, struct em_config **out, struct em_error *err)
{
	json_error_t jerr;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return em_fail(err, -EINVAL, "configuration: invalid JSON at line %d column %d: %s",
		               jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return em_fail(err, -EINVAL, "configuration: expected a JSON object at the top level");
	}
	return adopt_root(root, out, err);
}

int em_config_load_file(const char *path, struct em_config **out, struct em_error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 0 || jerr.line == 0)
			return em_fail(err, -ENOENT, "%s: %s", path, jerr.text);
		return em_fail(err, -EINVAL, "%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return em_fail(err, -EINVAL, "%s: expected a JSON object at the top level", path);
	}
	int rc = adopt_root(root, out, err);
	if (rc && err) {
		char msg[sizeof(err->message)];
		snprintf(msg, sizeof(msg), "%s: %s", path, err->message);
		snprintf(err->message, sizeof(err->message), "%s", msg);
	}
	return rc;
}

int em_config_set(struct em_config *cfg, const char *key, const char *value, struct em_error *err)
{
	size_t klen = strlen(key);
	if (klen >= 8 && strcmp(key + klen - 8, "password") == 0)
		return em_fail(err, -EINVAL, "%s: secrets are not accepted on the command line (they would show "
		               "in the process list); use %s_file or %s_env", key, key, key);
	/* JSON when it parses (numbers, booleans, lists), text otherwise. */
	json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
	if (!v)
		v = json_string(value);
	if (!v)
		return em_fail(err, -ENOMEM, "out of memory");
	if (strcmp(key, "lithops.energy_strategy") == 0 || strcmp(key, "lithops.energy") == 0) {
		json_t *lithops = json_object_get(cfg->root, "lithops");
		if (!lithops) {
			lithops = json_object();
			json_object_set_new(cfg->root, "lithops", lithops);
		}
		json_object_set_new(lithops, key + 8, v);
	} else {
		json_object_set_new(cfg->root, key, v);
	}
	return read_host_keys(cfg, err);
}

int em_config_energy_enabled(const struct em_config *cfg)
{
	return cfg->energy_enabled;
}

const char *em_config_output_dir(const struct em_config *cfg)
{
	return cfg->output_dir;
}

void em_config_free(struct em_config *cfg)
{
	if (!cfg)
		return;
	free_strategy(cfg);
	json_decref(cfg->root);
	free(cfg->output_dir);
	free(cfg->function_name);
	free(cfg);
}
