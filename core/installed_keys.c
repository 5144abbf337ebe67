/*
 * The keys of every installed plugin, selected or not. A key under an
 * installed plugin's prefix is energymon's to check even when that plugin
 * does not run this time: "ipmi_bogus" with --plugins perf is a typo the user
 * wants to hear about, not a setting to drop. Plugins are found and opened
 * by the loader (em_plugin_scan, em_plugin_open) with all of its checks; a
 * file that does not load, or declares keys outside its prefix, vouches for
 * no key.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct check_all {
	const struct em_config *cfg;
	struct em_error *err;
	int rc;
	json_t *loaded; /* names of the plugins that load: the ones a section may be for */
};

static void check_one(const char *name, const char *path, void *arg)
{
	struct check_all *c = arg;
	struct em_plugin_lib lib;
	if (c->rc || em_plugin_open(path, &lib, NULL) != 0)
		return;
	if (em_plugin_check_declared_keys(lib.vt, NULL) == 0) {
		c->rc = em_config_check_plugin_keys(c->cfg, lib.vt, c->err);
		json_object_set_new(c->loaded, name, json_true());
	}
	em_plugin_close(&lib);
}

/* Every section must be named plugin:instance, for a plugin that loads. */
static int check_sections(const struct em_config *cfg, const json_t *loaded, struct em_error *err)
{
	const char *key;
	json_t *val;
	json_object_foreach(cfg->root, key, val) {
		char plugin[ENERGY_NAME_MAX];
		if (!em_section_plugin(key, plugin))
			continue;
		int rc = em_check_section_name(key, err);
		if (rc)
			return rc;
		if (!json_object_get(loaded, plugin)) {
			char names[512] = "";
			const char *n;
			json_t *v;
			json_object_foreach((json_t *)loaded, n, v) {
				size_t used = strlen(names);
				snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "", n);
			}
			return em_fail(err, -EINVAL, "%s: a section for plugin '%s', which is not installed (no %s.so "
			               "that loads on the plugin search path); installed: %s", key, plugin, plugin,
			               names[0] ? names : "none");
		}
	}
	return 0;
}

int em_config_check_keys(struct em_config *cfg, struct em_error *err)
{
	/* every plugin on the path is opened: worth doing once, not per caller */
	if (cfg->keys_checked)
		return 0;
	struct check_all c = {.cfg = cfg, .err = err, .loaded = json_object()};
	if (!c.loaded)
		return em_fail(err, -ENOMEM, "out of memory");
	int rc = em_plugin_scan(check_one, &c, err);
	if (!rc)
		rc = c.rc;
	if (!rc)
		rc = check_sections(cfg, c.loaded, err);
	json_decref(c.loaded);
	cfg->keys_checked = rc == 0;
	return rc;
}

struct find_one {
	const char *key;
	struct em_installed_key *out;
	bool found;
};

static void find_in(const char *name, const char *path, void *arg)
{
	struct find_one *f = arg;
	struct em_plugin_lib lib;
	(void)name;
	if (f->found || em_plugin_open(path, &lib, NULL) != 0)
		return;
	if (em_plugin_check_declared_keys(lib.vt, NULL) == 0) {
		struct em_key_decl k;
		for (size_t i = 0; em_plugin_key_at(lib.vt, i, &k) > 0; i++) {
			if (strcmp(k.name, f->key) == 0) {
				f->found = true;
				f->out->type = k.type;
				f->out->secret = k.secret;
			} else if (!f->out->near_miss[0] && strcasecmp(k.name, f->key) == 0) {
				snprintf(f->out->near_miss, sizeof(f->out->near_miss), "%s", k.name);
			}
		}
		if (f->found)
			snprintf(f->out->plugin, sizeof(f->out->plugin), "%s", lib.vt->name);
	}
	em_plugin_close(&lib);
}

int em_installed_key(const char *key, struct em_installed_key *out)
{
	memset(out, 0, sizeof(*out));
	struct find_one f = {.key = key, .out = out};
	int rc = em_plugin_scan(find_in, &f, NULL);
	if (rc)
		return rc;
	return f.found ? 0 : -ENOENT;
}
