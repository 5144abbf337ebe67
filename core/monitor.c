/*
 * The monitor: the sources the strategy names, their lifecycle, and the
 * cost of measuring. Explicitly named plugins must load and run; under
 * "auto" a plugin that cannot load or run here (a stale file of another ABI
 * included) is kept as unavailable with its reason, so one bad file on the
 * path never stops the measurement of the rest.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* How long stop() waits for a plugin stuck in sample() before giving up on it. */
#define STOP_GRACE_MIN_S 5.0

static double thread_cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct em_config *copy_config(const struct em_config *in)
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

static void free_source(struct em_source *src)
{
	if (!src || src->stalled)
		return; /* its thread may still be inside the plugin: leak, never free under it */
	if (src->instance)
		src->lib.vt->destroy(src->instance);
	const char *key;
	json_t *v;
	json_object_foreach(src->list_cache, key, v) free((void *)(intptr_t)json_integer_value(v));
	json_decref(src->list_cache);
	json_decref(src->notes);
	json_decref(src->log_lines);
	json_decref(src->finals);
	for (size_t i = 0; i < src->nseries; i++)
		em_series_free(&src->series[i]);
	free(src->series);
	em_plugin_close(&src->lib);
	em_sampler_fini(src);
	free(src);
}

/* Load, check config, probe and create one plugin. Returns 0, or -errno with
 * err filled (src->reason holds the plugin's own words). */
static int open_source(struct em_monitor *mon, struct em_source *src, const char *name, struct em_error *err)
{
	char path[PATH_MAX];
	snprintf(src->name, sizeof(src->name), "%s", name);
	src->mon = mon;
	src->cfg_root = mon->cfg->root;
	int rc = em_plugin_find(name, path, sizeof(path), err);
	if (!rc)
		rc = em_plugin_open(path, &src->lib, err);
	if (rc)
		return rc;
	const struct energy_plugin *vt = src->lib.vt;
	if (strcmp(vt->name, name) != 0)
		return em_fail(err, -EPROTO, "%s: file is named for plugin '%s' but the plugin calls itself '%s'",
		               path, name, vt->name);
	if ((rc = em_config_check_plugin_keys(mon->cfg, vt, err)))
		return rc;
	em_host_init(src);
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
	if ((rc = vt->create(&src->host, &src->instance, why, sizeof(why))) < 0) {
		src->instance = NULL;
		goto unavailable;
	}
	if (src->required_max_s > 0 && src->required_max_s < src->interval_s)
		src->interval_s = src->required_max_s;
	src->available = true;
	return 0;
unavailable:
	snprintf(src->reason, sizeof(src->reason), "%s", why[0] ? why : strerror(-rc));
	return em_fail(err, rc, "plugin '%s' (%s) cannot run: %s", name, path, src->reason);
}

static void add_auto_name(const char *name, const char *path, void *arg)
{
	(void)path;
	struct em_config *cfg = arg;
	char **grown = realloc(cfg->strategy, (cfg->nstrategy + 2) * sizeof(char *));
	if (!grown)
		return;
	cfg->strategy = grown;
	if ((grown[cfg->nstrategy] = strdup(name)))
		cfg->nstrategy++;
}

int em_monitor_create(const struct em_config *cfg_in, pid_t target_pid, struct em_monitor **out,
                      struct em_error *err)
{
	double cpu0 = thread_cpu_now();
	struct em_monitor *mon = calloc(1, sizeof(*mon));
	if (!mon || !(mon->cfg = copy_config(cfg_in))) {
		free(mon);
		return em_fail(err, -ENOMEM, "out of memory");
	}
	mon->target_pid = target_pid;
	int rc = 0;
	if (mon->cfg->strategy_auto && (rc = em_plugin_scan(add_auto_name, mon->cfg, err)))
		goto fail;
	if (mon->cfg->nstrategy == 0) {
		rc = em_fail(err, -ENOENT, "lithops.energy_strategy: 'auto' found no plugins in the plugin "
		             "search path; set ENERGYMON_PLUGIN_PATH");
		goto fail;
	}
	if (!(mon->sources = calloc(mon->cfg->nstrategy, sizeof(*mon->sources)))) {
		rc = em_fail(err, -ENOMEM, "out of memory");
		goto fail;
	}
	size_t usable = 0;
	for (size_t i = 0; i < mon->cfg->nstrategy; i++) {
		struct em_source *src = calloc(1, sizeof(*src));
		if (!src) {
			rc = em_fail(err, -ENOMEM, "out of memory");
			goto fail;
		}
		mon->sources[mon->nsources++] = src;
		src->mon = mon;
		if ((rc = em_sampler_init(src))) {
			rc = em_fail(err, rc, "cannot initialise a sampling lock: %s", strerror(-rc));
			goto fail;
		}
		struct em_error local = {0};
		rc = open_source(mon, src, mon->cfg->strategy[i], &local);
		/* src->reason is set only when the plugin itself said it cannot run
		 * here; a missing file, a bad ABI or a config error is always the
		 * user's to fix when the plugin was named */
		bool runtime_absence = src->reason[0] != '\0';
		if (rc && !mon->cfg->strategy_auto && !(runtime_absence && mon->cfg->allow_unavailable)) {
			em_fail(err, rc, "%s", local.message);
			goto fail;
		}
		if (rc && !src->reason[0])
			snprintf(src->reason, sizeof(src->reason), "%s", local.message);
		usable += src->available;
		rc = 0;
	}
	if (!usable && !(mon->cfg->allow_unavailable && !mon->cfg->strategy_auto)) {
		rc = em_fail(err, -ENODEV, "no energy source can run here: %s: %s", mon->sources[0]->name,
		             mon->sources[0]->reason);
		goto fail;
	}
	mon->self_cpu_s += thread_cpu_now() - cpu0;
	*out = mon;
	return 0;
fail:
	em_monitor_destroy(mon);
	return rc;
}

int em_monitor_start(struct em_monitor *mon, struct em_error *err)
{
	if (mon->started)
		return em_fail(err, -EALREADY, "monitor already started");
	double cpu0 = thread_cpu_now();
	mon->start_mono = em_now_ns(CLOCK_MONOTONIC);
	mon->start_wall = em_now_ns(CLOCK_REALTIME);
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *src = mon->sources[i];
		if (!src->available)
			continue;
		src->last_error[0] = '\0';
		/* readings emitted from start() are stamped with this moment */
		src->call_mono = em_now_ns(CLOCK_MONOTONIC);
		src->call_wall = em_now_ns(CLOCK_REALTIME);
		int rc = src->lib.vt->start(src->instance);
		if (rc < 0) {
			em_fail(err, rc, "plugin '%s' failed to start: %s", src->name,
			        src->last_error[0] ? src->last_error : strerror(-rc));
			goto fail;
		}
		src->started = true;
		src->start_mono = em_now_ns(CLOCK_MONOTONIC);
		src->start_wall = em_now_ns(CLOCK_REALTIME);
		if ((rc = em_sampler_start(src))) {
			em_fail(err, rc, "plugin '%s': cannot start its sampling thread: %s", src->name, strerror(-rc));
			goto fail;
		}
	}
	mon->started = true;
	mon->self_cpu_s += thread_cpu_now() - cpu0;
	return 0;
fail:
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *src = mon->sources[i];
		em_sampler_stop(src, STOP_GRACE_MIN_S);
		if (src->started && !src->stalled)
			src->lib.vt->stop(src->instance);
		src->started = false;
	}
	return err ? err->code : -EIO;
}

static void stop_source(struct em_source *src, double interval_s)
{
	double grace = fmax(STOP_GRACE_MIN_S, 3 * interval_s);
	if (em_sampler_stop(src, grace) == -ETIMEDOUT) {
		snprintf(src->recent_failure, sizeof(src->recent_failure),
		         "sample() did not return within %.1f s of stop; the plugin was abandoned", grace);
		return;
	}
	src->stop_mono = em_now_ns(CLOCK_MONOTONIC);
	src->stop_wall = em_now_ns(CLOCK_REALTIME);
	src->last_error[0] = '\0';
	/* readings from stop() and get_data() are stamped with the stop time
	 * unless the plugin says otherwise */
	src->call_mono = src->stop_mono;
	src->call_wall = src->stop_wall;
	if (src->lib.vt->stop(src->instance) < 0)
		snprintf(src->recent_failure, sizeof(src->recent_failure), "stop failed: %s", src->last_error);
	if (src->lib.vt->get_data && src->lib.vt->get_data(src->instance) < 0)
		snprintf(src->recent_failure, sizeof(src->recent_failure), "get_data failed: %s", src->last_error);
}

int em_monitor_stop(struct em_monitor *mon, struct em_error *err)
{
	if (!mon->started)
		return em_fail(err, -EINVAL, "monitor was not started");
	if (mon->stopped)
		return 0;
	double cpu0 = thread_cpu_now();
	for (size_t i = 0; i < mon->nsources; i++)
		if (mon->sources[i]->started)
			stop_source(mon->sources[i], mon->sources[i]->interval_s);
	mon->stop_mono = em_now_ns(CLOCK_MONOTONIC);
	mon->stop_wall = em_now_ns(CLOCK_REALTIME);
	mon->stopped = true;
	for (size_t i = 0; i < mon->nsources; i++)
		mon->self_cpu_s += mon->sources[i]->thread_cpu_s;
	mon->self_cpu_s += thread_cpu_now() - cpu0;
	mon->result = em_composite_result(mon);
	if (!mon->result)
		return em_fail(err, -ENOMEM, "out of memory building the result");
	return 0;
}

void em_monitor_abandon(struct em_monitor *mon)
{
	mon->abandon = true;
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *src = mon->sources[i];
		pthread_mutex_lock(&src->lock);
		pthread_cond_broadcast(&src->wake);
		pthread_mutex_unlock(&src->lock);
	}
}

char *em_monitor_result_json(struct em_monitor *mon)
{
	if (!mon->result)
		return NULL;
	return json_dumps(mon->result, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
}

void em_monitor_destroy(struct em_monitor *mon)
{
	if (!mon)
		return;
	if (mon->started && !mon->stopped)
		em_monitor_stop(mon, NULL);
	for (size_t i = 0; i < mon->nsources; i++)
		free_source(mon->sources[i]);
	free(mon->sources);
	json_decref(mon->result);
	em_config_free(mon->cfg);
	free(mon);
}
