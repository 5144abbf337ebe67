/*
 * One source: a plugin loaded, checked and created for a monitor, and the
 * end of its life. A source may outlive its monitor when its thread was
 * abandoned inside the plugin; whoever drops the last reference (the
 * monitor, or that thread once the plugin returns) calls destroy() and
 * closes the library, so neither ever happens under running plugin code.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void em_source_free(struct em_source *src)
{
	if (src->instance)
		src->lib.vt->destroy(src->instance);
	const char *key;
	json_t *v;
	json_object_foreach(src->list_cache, key, v) free((void *)(intptr_t)json_integer_value(v));
	json_decref(src->list_cache);
	json_decref(src->cfg_root);
	json_decref(src->cfg_section);
	json_decref(src->notes);
	json_decref(src->log_lines);
	json_decref(src->finals);
	for (size_t i = 0; i < src->nseries; i++)
		em_series_free(&src->series[i]);
	free(src->series);
	em_source_targets_free(src);
	em_plugin_close(&src->lib);
	em_sampler_fini(src);
	free(src);
}

void em_source_release(struct em_source *src)
{
	if (!src)
		return;
	if (src->sync_ready)
		pthread_mutex_lock(&src->lock);
	bool last = --src->refs <= 0;
	if (src->sync_ready)
		pthread_mutex_unlock(&src->lock);
	if (last)
		em_source_free(src);
}

struct em_source *em_source_new(struct em_monitor *mon)
{
	struct em_source *src = calloc(1, sizeof(*src));
	if (!src)
		return NULL;
	src->mon = mon;
	src->refs = 1;
	src->max_series = mon->cfg->max_series ? mon->cfg->max_series : EM_DEFAULT_MAX_SERIES;
	return src;
}

static int refuse_if_too_many_abandoned(struct em_source *src)
{
	int stuck = em_abandoned_threads(src->plugin);
	if (stuck < EM_ABANDONED_PER_PLUGIN_MAX)
		return 0;
	snprintf(src->reason, sizeof(src->reason),
	         "%d threads of plugin '%s' abandoned earlier in this process are still stuck inside it (at most "
	         "%d may be); not starting another until they return",
	         stuck, src->plugin, EM_ABANDONED_PER_PLUGIN_MAX);
	return -EBUSY;
}

/* The source's identity from its strategy entry: "ipmi:rack1" is plugin
 * "ipmi", instance "rack1", files tagged "ipmi-rack1" (':' is not for file
 * names). */
static void set_identity(struct em_source *src, const char *id)
{
	snprintf(src->name, sizeof(src->name), "%s", id);
	const char *colon = strchr(id, ':');
	snprintf(src->plugin, sizeof(src->plugin), "%.*s", colon ? (int)(colon - id) : (int)strlen(id), id);
	snprintf(src->instance_name, sizeof(src->instance_name), "%s", colon ? colon + 1 : "");
	snprintf(src->file_tag, sizeof(src->file_tag), "%s%s%s", src->plugin, colon ? "-" : "",
	         src->instance_name);
}

/* Two sources, or a source and the composite, whose files would have the
 * same name: "a-b" and "a:b" are both tagged "a-b", and a plugin named
 * "composite" would write the composite's files. One would silently
 * replace the other's per-call file and mix their summary lines. */
int em_check_file_tags(struct em_source *const *sources, size_t n, struct em_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(sources[i]->file_tag, "composite"))
			return em_fail(err, -EINVAL, "source '%s': its files would be named like the composite's "
			               "(*_composite.json); rename the plugin or the instance", sources[i]->name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(sources[i]->file_tag, sources[j]->file_tag))
				return em_fail(err, -EINVAL, "sources '%s' and '%s' would write the same files "
				               "(*_%s.json, %s_summary.jsonl: ':' becomes '-' in file names); select "
				               "only one of them or rename the instance", sources[j]->name,
				               sources[i]->name, sources[i]->file_tag, sources[i]->file_tag);
	}
	return 0;
}

/* The instance's own configuration: its section's keys over the top-level
 * ones (the section was checked with the plugin's keys), both shared with
 * the monitor (plugin_config.c looks in the section first). */
static void own_config(struct em_source *src, json_t *root)
{
	src->cfg_root = json_incref(root);
	json_t *section = src->instance_name[0] ? json_object_get(root, src->name) : NULL;
	src->cfg_section = json_is_object(section) ? json_incref(section) : NULL;
}

/* A plugin's keys are the same for every instance of it: checked once per
 * monitor, not once per source (which read every section N times). */
static int check_plugin_keys(struct em_monitor *mon, const struct energy_plugin *vt, struct em_error *err)
{
	if (json_object_get(mon->plugins_keys_checked, vt->name))
		return 0;
	int rc = em_config_check_plugin_keys(mon->cfg, vt, err);
	if (rc)
		return rc;
	if (!mon->plugins_keys_checked && !(mon->plugins_keys_checked = json_object()))
		return em_fail(err, -ENOMEM, "out of memory");
	if (json_object_set_new(mon->plugins_keys_checked, vt->name, json_true()))
		return em_fail(err, -ENOMEM, "out of memory");
	return 0;
}

int em_source_open(struct em_source *src, const char *id, struct em_error *err)
{
	struct em_monitor *mon = src->mon;
	char path[PATH_MAX];
	set_identity(src, id);
	const char *name = src->plugin;
	int rc = em_plugin_find(name, path, sizeof(path), err);
	if (!rc)
		rc = em_plugin_open(path, &src->lib, err);
	if (rc)
		return rc;
	const struct energy_plugin *vt = src->lib.vt;
	/* What results say of the plugin, kept apart from the library so that
	 * a source rebuilt from a state document (no library) says the same. */
	snprintf(src->plugin_version, sizeof(src->plugin_version), "%s", vt->version ? vt->version : "");
	em_utf8_sanitize(src->plugin_version);
	snprintf(src->plugin_abi, sizeof(src->plugin_abi), "%u.%u", vt->abi_major, vt->abi_minor);
	src->plugin_measures = vt->measures;
	if (strcmp(vt->name, name) != 0)
		return em_fail(err, -EPROTO, "%s: file is named for plugin '%s' but the plugin calls itself '%s'",
		               path, name, vt->name);
	if ((rc = check_plugin_keys(mon, vt, err)))
		return rc;
	own_config(src, mon->cfg->root);
	if ((rc = refuse_if_too_many_abandoned(src)))
		return em_fail(err, rc, "plugin '%s' (%s) cannot run: %s", src->name, path, src->reason);
	em_host_init(src, mon->target_pid, mon->cfg->interval_s);
	if (mon->continuous) /* target 0 is "none until set_targets", not the whole system */
		src->host.flags |= ENERGY_HOST_TARGETS_LATER;
	src->host.instance = src->instance_name[0] ? src->instance_name : NULL;
	src->interval_s = mon->cfg->interval_s;
	if (vt->min_interval_s > 0 && src->interval_s < vt->min_interval_s) {
		src->interval_s = vt->min_interval_s;
		json_t *n = json_pack("{s:f,s:s}", "value", vt->min_interval_s, "unit", "s");
		if (!src->notes)
			src->notes = json_object();
		json_object_set_new(src->notes, "interval_raised_to_plugin_minimum", n);
	}
	char why[ENERGY_REASON_MAX] = "";
	if (vt->probe && (rc = vt->probe(&src->host, why, sizeof(why))) < 0)
		goto unavailable;
	why[0] = '\0';
	src->declaring = true;
	rc = vt->create(&src->host, &src->instance, why, sizeof(why));
	src->declaring = false;
	if (rc < 0) {
		src->instance = NULL;
		goto unavailable;
	}
	if (src->required_max_s > 0 && src->required_max_s < src->interval_s)
		src->interval_s = src->required_max_s;
	src->available = true;
	return 0;
unavailable:
	em_utf8_sanitize(why);
	snprintf(src->reason, sizeof(src->reason), "%s", why[0] ? why : strerror(-rc));
	return em_fail(err, rc, "plugin '%s' (%s) cannot run: %s", src->name, path, src->reason);
}

/* After abandonment nothing was measured from each series' last reading to
 * the end of the run: say so with a gap, so the result is not complete. */
/* Samples that failed after a series' last reading, up to the end, are a gap
 * like any other: without this a BMC that died for good looked complete. */
void em_source_failed_tail_gaps(struct em_source *src)
{
	for (size_t i = 0; i < src->nseries; i++)
		if (src->series[i].failure_epoch != src->failure_epoch)
			em_series_gap_to(&src->series[i], src->stop_mono, src->stop_wall, EM_GAP_FAILED_SAMPLES);
}

void em_source_gaps_to_end(struct em_source *src, int64_t end_mono, int64_t end_wall)
{
	for (size_t i = 0; i < src->nseries; i++)
		em_series_gap_to(&src->series[i], end_mono, end_wall, EM_GAP_ABANDONED);
}
