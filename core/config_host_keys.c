/*
 * The keys the host owns ("lithops.energy", "energy_sampling_interval", ...):
 * one table gives each key's declaration, the type its value must have and
 * how it is applied; reading, listing and the unknown-key messages all come
 * from it.
 */
#include "agent.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One key the host owns: its declaration (as --list-plugins and --set see
 * it), what a value must be in words ("KEY: expected ..."; NULL when apply
 * checks the type itself) and how a value is applied. */
struct host_key {
	struct energy_config_key decl;
	const char *expected;
	int (*apply)(struct em_config *cfg, const json_t *v, struct em_error *err);
};

static int apply_energy(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_strategy(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_interval(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_output_dir(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_function_name(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_allow_unavailable(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_max_series(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_agent(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_sampler_threads(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_baseline(struct em_config *cfg, const json_t *v, struct em_error *err);
static int apply_baseline_after(struct em_config *cfg, const json_t *v, struct em_error *err);

/* Keys the host owns, with their types; anything else in energymon's own
 * namespaces ("energy_*" at the top level, "energy*" under "lithops") is a
 * typo worth reporting. Adding a row is all a new host key needs. */
static const struct host_key host_keys[] = {
	{{"lithops.energy", ENERGY_CONFIG_BOOL, 0, "true", "false: measure nothing"},
	 "true or false", apply_energy},
	{{"lithops.energy_strategy", ENERGY_CONFIG_STRING_LIST, 0, "auto",
	  "plugin names or name:instance, or auto"}, NULL, apply_strategy},
	{{"energy_sampling_interval", ENERGY_CONFIG_NUMBER, 0, "1.0", "seconds between samples"},
	 "a number of seconds > 0", apply_interval},
	{{"energy_output_dir", ENERGY_CONFIG_STRING, 0, EM_DEFAULT_OUTPUT_DIR, "where files are written"},
	 "a string (a directory path)", apply_output_dir},
	{{"energy_function_name", ENERGY_CONFIG_STRING, 0, "command name", "function_name in the files"},
	 "a string", apply_function_name},
	{{"energy_allow_unavailable", ENERGY_CONFIG_BOOL, 0, "false", "run even if a named plugin cannot"},
	 "true or false", apply_allow_unavailable},
	{{"energy_max_series", ENERGY_CONFIG_NUMBER, 0, "1024", "most series per source"}, NULL, apply_max_series},
	{{"energy_agent", ENERGY_CONFIG_STRING, 0, "auto (or $ENERGYMON_AGENT)",
	  "auto, off or required: measure through energymond"}, NULL, apply_agent},
	{{"energy_sampler_threads", ENERGY_CONFIG_NUMBER, 0, "0",
	  "0: a sampling thread per source; N: all sources share N threads"}, NULL, apply_sampler_threads},
	{{"energy_baseline_s", ENERGY_CONFIG_NUMBER, 0, "0",
	  "seconds of idle measured before the run: idle power and dynamic energy"}, NULL, apply_baseline},
	{{"energy_baseline_after", ENERGY_CONFIG_BOOL, 0, "false", "measure the idle baseline after the run too"},
	 "true or false", apply_baseline_after},
};
#define NHOST_KEYS (sizeof(host_keys) / sizeof(host_keys[0]))

/* Listed from the one table, so a new host key cannot be left out. */
const char *em_host_keys_list(char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < NHOST_KEYS; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", host_keys[i].decl.name);
	}
	return buf;
}

const struct energy_config_key *em_host_key(const char *name)
{
	for (size_t i = 0; i < NHOST_KEYS; i++)
		if (strcmp(host_keys[i].decl.name, name) == 0)
			return &host_keys[i].decl;
	return NULL;
}

int em_unknown_host_key(const char *full, bool from_set, struct em_error *err)
{
	for (size_t i = 0; i < NHOST_KEYS; i++)
		if (strcasecmp(host_keys[i].decl.name, full) == 0)
			return em_fail(err, -EINVAL, "%s: unknown key (keys are case-sensitive: did you mean %s?)",
			               full, host_keys[i].decl.name);
	char own[512];
	em_host_keys_list(own, sizeof(own));
	if (from_set)
		return em_fail(err, -EINVAL, "%s: unknown key; --set accepts energymon's own keys (%s) and the keys "
		               "the installed plugins declare (energymon --list-plugins shows them)", full, own);
	return em_fail(err, -EINVAL, "%s: unknown key; energymon reads %s", full, own);
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

static int apply_energy(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	(void)err;
	cfg->energy_enabled = json_is_true(v);
	return 0;
}

static int apply_strategy(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	return em_config_read_strategy(cfg, v, err);
}

static int apply_interval(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	return em_config_set_interval(cfg, json_number_value(v), err);
}

static int apply_output_dir(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	return em_config_set_output_dir(cfg, json_string_value(v), err);
}

static int apply_function_name(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	return set_string(&cfg->function_name, json_string_value(v), err);
}

static int apply_allow_unavailable(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	(void)err;
	cfg->allow_unavailable = json_is_true(v);
	return 0;
}

static int apply_max_series(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	double n = json_number_value(v);
	if (!json_is_number(v) || n != floor(n) || n < 1 || n > 1000000)
		return em_fail(err, -EINVAL, "energy_max_series: expected a whole number of series per source "
		               "from 1 to 1000000 (default %d)", EM_DEFAULT_MAX_SERIES);
	cfg->max_series = (size_t)n;
	return 0;
}

static int apply_agent(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	const char *name = json_string_value(v);
	int mode = em_agent_mode_of(name);
	if (!mode)
		return em_fail(err, -EINVAL, "energy_agent: %s%.40s%s is not a mode; expected \"auto\" (energymond "
		               "when its socket answers, else in-process plugins), \"off\" or \"required\"",
		               name ? "'" : "", name ? name : "the value", name ? "'" : "");
	cfg->agent_mode = mode;
	return 0;
}

static int apply_sampler_threads(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	double n = json_number_value(v);
	if (!json_is_number(v) || n != floor(n) || n < 0 || n > EM_SAMPLER_THREADS_MAX)
		return em_fail(err, -EINVAL, "energy_sampler_threads: expected a whole number from 0 (a sampling "
		               "thread per source) to %d (threads all sources share)", EM_SAMPLER_THREADS_MAX);
	cfg->sampler_threads = (unsigned)n;
	return 0;
}

static int apply_baseline(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	double s = json_number_value(v);
	if (!json_is_number(v) || !isfinite(s) || s < 0 || s > 3600)
		return em_fail(err, -EINVAL, "energy_baseline_s: expected a number of seconds from 0 (no baseline) "
		               "to 3600");
	cfg->baseline_s = s;
	return 0;
}

static int apply_baseline_after(struct em_config *cfg, const json_t *v, struct em_error *err)
{
	(void)err;
	cfg->baseline_after = json_is_true(v);
	return 0;
}

static bool has_type(const json_t *v, uint32_t type)
{
	switch (type) {
	case ENERGY_CONFIG_BOOL: return json_is_boolean(v);
	case ENERGY_CONFIG_NUMBER: return json_is_number(v);
	case ENERGY_CONFIG_STRING: return json_is_string(v);
	default: return true;
	}
}

/* Keys in energymon's namespaces that are not in the table. */
static int refuse_unknown_host_keys(const json_t *root, const json_t *lithops, struct em_error *err)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)root, key, val) {
		if (strncasecmp(key, "energy_", 7) == 0 && !em_host_key(key))
			return em_unknown_host_key(key, false, err);
		/* "lithops.energy" as one top-level key is how documents name the
		 * setting, not how a Lithops config holds it: read silently, it
		 * would be ignored and measure what the user turned off */
		if (strncasecmp(key, "lithops.", 8) == 0)
			return em_fail(err, -EINVAL, "%s: a dotted key is not read; nest it: {\"lithops\": {\"%s\": ...}}",
			               key, key + 8);
	}
	json_object_foreach((json_t *)lithops, key, val) {
		char full[256];
		snprintf(full, sizeof(full), "lithops.%s", key);
		if (strncasecmp(key, "energy", 6) == 0 && !em_host_key(full))
			return em_unknown_host_key(full, false, err);
	}
	return 0;
}

int em_config_reread(struct em_config *cfg, struct em_error *err)
{
	const json_t *root = cfg->root;
	const json_t *lithops = json_object_get(root, "lithops");
	if (lithops && !json_is_object(lithops))
		return em_fail(err, -EINVAL, "lithops: expected an object");
	for (size_t i = 0; i < NHOST_KEYS; i++) {
		const struct host_key *k = &host_keys[i];
		bool nested = strncmp(k->decl.name, "lithops.", 8) == 0;
		const json_t *v = json_object_get(nested ? lithops : root, k->decl.name + (nested ? 8 : 0));
		if (!v)
			continue;
		if (k->expected && !has_type(v, k->decl.type))
			return em_fail(err, -EINVAL, "%s: expected %s", k->decl.name, k->expected);
		int rc = k->apply(cfg, v, err);
		if (rc)
			return rc;
	}
	return refuse_unknown_host_keys(root, lithops, err);
}
