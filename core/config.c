/*
 * Configuration: the Lithops keys read from JSON. The document is kept whole
 * because plugins read their own keys from it; the keys the host owns are
 * read by config_host_keys.c, plugin keys checked when the plugin is loaded
 * (em_config_check_plugin_keys).
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

/* A configuration is a few kilobytes; anything this large is not one. */
#define CONFIG_FILE_MAX (4 * 1024 * 1024)

int em_config_new(struct em_config **out, struct em_error *err)
{
	struct em_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg || !(cfg->root = json_object()) || !(cfg->output_dir = strdup(EM_DEFAULT_OUTPUT_DIR))) {
		em_config_free(cfg);
		return em_fail(err, -ENOMEM, "out of memory");
	}
	cfg->energy_enabled = true;
	cfg->strategy_auto = true;
	cfg->interval_s = EM_DEFAULT_INTERVAL_S;
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
	if ((rc = em_config_reread(cfg, err))) {
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

/* A private copy for a monitor: every field, so a field added to struct
 * em_config is copied by the struct assignment unless it owns memory. */
struct em_config *em_config_copy(const struct em_config *in)
{
	struct em_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return NULL;
	*cfg = *in;
	cfg->root = json_deep_copy(in->root);
	cfg->output_dir = strdup(in->output_dir);
	cfg->function_name = in->function_name ? strdup(in->function_name) : NULL;
	cfg->strategy = calloc(in->nstrategy + 1, sizeof(char *));
	bool ok = cfg->root && cfg->output_dir && cfg->strategy && (cfg->function_name || !in->function_name);
	for (size_t i = 0; ok && i < in->nstrategy; i++)
		ok = (cfg->strategy[i] = strdup(in->strategy[i])) != NULL;
	if (!ok) {
		cfg->nstrategy = in->nstrategy;
		em_config_free(cfg);
		return NULL;
	}
	return cfg;
}
