/*
 * Configuration: the Lithops keys read from JSON. The document is kept whole
 * because plugins read their own keys from it; the keys the host owns are
 * checked here, plugin keys when the plugin is loaded (em_config_check_plugin_keys).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_INTERVAL_S 1.0
#define DEFAULT_OUTPUT_DIR "energy_data"
/* A configuration is a few kilobytes; anything this large is not one. */
#define CONFIG_FILE_MAX (4 * 1024 * 1024)

/* Keys the host owns, with their types; anything else in energymon's own
 * namespaces ("energy_*" at the top level, "energy*" under "lithops") is a
 * typo worth reporting. */
const struct energy_config_key em_host_keys[] = {
	{"lithops.energy", ENERGY_CONFIG_BOOL, 0, "true", "false: measure nothing"},
	{"lithops.energy_strategy", ENERGY_CONFIG_STRING_LIST, 0, "auto", "plugin names, or auto"},
	{"energy_sampling_interval", ENERGY_CONFIG_NUMBER, 0, "1.0", "seconds between samples"},
	{"energy_output_dir", ENERGY_CONFIG_STRING, 0, DEFAULT_OUTPUT_DIR, "where files are written"},
	{"energy_function_name", ENERGY_CONFIG_STRING, 0, "command name", "function_name in the files"},
	{"energy_allow_unavailable", ENERGY_CONFIG_BOOL, 0, "false", "run even if a named plugin cannot"},
	{"energy_max_series", ENERGY_CONFIG_NUMBER, 0, "1024", "most series per source"},
	{NULL, 0, 0, NULL, NULL},
};

/* Listed from the one table, so a new host key cannot be left out. */
const char *em_host_keys_list(char *buf, size_t len)
{
	buf[0] = '\0';
	for (const struct energy_config_key *k = em_host_keys; k->name; k++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", k->name);
	}
	return buf;
}

const struct energy_config_key *em_host_key(const char *name)
{
	for (const struct energy_config_key *k = em_host_keys; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* An unknown key in one of our namespaces. Names match case-sensitively, so
 * "Energy_Output_Dir" is refused with the spelling that would work. */
static int unknown_host_key(const char *full, struct em_error *err)
{
	for (const struct energy_config_key *k = em_host_keys; k->name; k++)
		if (strcasecmp(k->name, full) == 0)
			return em_fail(err, -EINVAL, "%s: unknown key (keys are case-sensitive: did you mean %s?)",
			               full, k->name);
	char own[512];
	return em_fail(err, -EINVAL, "%s: unknown key; energymon reads %s", full, em_host_keys_list(own, sizeof(own)));
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
		int rc = em_config_read_strategy(cfg, v, err);
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
		if (strncasecmp(key, "energy_", 7) == 0 && !em_host_key(key))
			return unknown_host_key(key, err);
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
			return unknown_host_key(full, err);
	}
	return 0;
}

int em_config_reread(struct em_config *cfg, struct em_error *err)
{
	return read_host_keys(cfg, err);
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

/* Open the file ourselves so a directory, a FIFO or a device gets an error
 * that says so instead of "invalid JSON" (or a read that never ends). */
static int open_config_file(const char *path, struct em_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return em_fail(err, -errno, "%s: cannot open the configuration: %s", path, strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0)
		rc = em_fail(err, -errno, "%s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = em_fail(err, -EISDIR, "%s: is a directory; --config expects a JSON file", path);
	else if (!S_ISREG(st.st_mode))
		rc = em_fail(err, -EINVAL, "%s: is not a regular file; --config expects a JSON file", path);
	else if (st.st_size > CONFIG_FILE_MAX)
		rc = em_fail(err, -EFBIG, "%s: %lld bytes; a configuration file may have at most %d", path,
		             (long long)st.st_size, CONFIG_FILE_MAX);
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
		rc = em_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int em_config_load_file(const char *path, struct em_config **out, struct em_error *err)
{
	int fd = open_config_file(path, err);
	if (fd < 0)
		return fd;
	json_error_t jerr;
	json_t *root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &jerr);
	close(fd);
	if (!root) {
		if (jerr.line <= 0)
			return em_fail(err, -EINVAL, "%s: %s", path, jerr.text);
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

int em_config_energy_enabled(const struct em_config *cfg)
{
	return cfg->energy_enabled;
}

const char *em_config_output_dir(const struct em_config *cfg)
{
	return cfg->output_dir;
}

const char *em_config_function_name(const struct em_config *cfg)
{
	return cfg->function_name;
}

void em_config_free(struct em_config *cfg)
{
	if (!cfg)
		return;
	em_config_free_strategy(cfg);
	json_decref(cfg->root);
	free(cfg->output_dir);
	free(cfg->function_name);
	free(cfg);
}
