/*
 * The monitor: the sources the strategy names, their lifecycle, and the
 * cost of measuring. Explicitly named plugins must load and run; under
 * "auto" a plugin that cannot load or run here (a stale file of another ABI
 * included) is kept as unavailable with its reason, so one bad file on the
 * path never stops the measurement of the rest.
 */
#include "agent.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* How long stop waits for a plugin's last calls (the final sample(),
 * stop(), get_data()) before abandoning it: three intervals, so a slow but
 * working plugin finishes, but never more than STOP_WAIT_MAX_S however long
 * the interval, and never less than STOP_WAIT_MIN_S (one BMC round trip
 * with its own timeouts). */
#define STOP_WAIT_MIN_S 5.0
#define STOP_WAIT_MAX_S 10.0

double em_call_wait_s(double interval_s)
{
	return fmax(STOP_WAIT_MIN_S, fmin(3 * interval_s, STOP_WAIT_MAX_S));
}

static double thread_cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* A continuous monitor's sources are opened knowing it (source.c tells
 * their plugins ENERGY_HOST_TARGETS_LATER, their series keep the recent). */
static int create(const struct em_config *cfg_in, pid_t target_pid, bool continuous, struct em_monitor **out,
                  struct em_error *err)
{
	double cpu0 = thread_cpu_now();
	struct em_monitor *mon = calloc(1, sizeof(*mon));
	if (!mon || !(mon->cfg = em_config_copy(cfg_in))) {
		free(mon);
		return em_fail(err, -ENOMEM, "out of memory");
	}
	mon->target_pid = target_pid;
	mon->continuous = continuous;
	int rc = continuous ? em_window_roots_init(mon) : 0;
	if (rc) {
		rc = em_fail(err, rc, "cannot initialise the windows' lock: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = em_config_check_keys(mon->cfg, err)))
		goto fail;
	/* energymond measures, when energy_agent and its socket say so */
	if ((rc = em_agent_create(mon, err)) < 0)
		goto fail;
	if (rc == 1) {
		mon->self_cpu_s += thread_cpu_now() - cpu0;
		*out = mon;
		return 0;
	}
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
		struct em_source *src = em_source_new(mon);
		if (!src) {
			rc = em_fail(err, -ENOMEM, "out of memory");
			goto fail;
		}
		mon->sources[mon->nsources++] = src;
		if ((rc = em_sampler_init(src))) {
			rc = em_fail(err, rc, "cannot initialise a sampling lock: %s", strerror(-rc));
			goto fail;
		}
		struct em_error local = {0};
		rc = em_source_open(src, mon->cfg->strategy[i], &local);
		/* -EINVAL is a configuration error (an unknown key, a wrong type or a
		 * value the plugin refuses, as the ABI's codes say): the user's to
		 * fix, under auto too. Anything else a named plugin cannot do stops
		 * the run, unless energy_allow_unavailable (the Python binding's
		 * default) keeps it as a placeholder with its reason. */
		bool config_error = rc == -EINVAL;
		bool tolerated = mon->cfg->strategy_auto || mon->cfg->allow_unavailable;
		if (rc && (config_error || !tolerated)) {
			em_fail(err, rc, "%s", local.message);
			goto fail;
		}
		if (rc && !src->reason[0])
			snprintf(src->reason, sizeof(src->reason), "%s", local.message);
		usable += src->available;
		rc = 0;
	}
	if ((rc = em_check_file_tags(mon->sources, mon->nsources, err)) ||
	    (rc = em_check_metric_keys(mon->sources, mon->nsources, err)))
		goto fail;
	if (!usable && !mon->cfg->allow_unavailable) {
		rc = em_fail(err, -ENODEV, "no energy source can run here: %s: %s", mon->sources[0]->name,
		             mon->sources[0]->reason);
		goto fail;
	}
	/* metrics declared in create(); later series are made recent_only
	 * as they appear (plugin_host.c) */
	for (size_t i = 0; continuous && i < mon->nsources; i++)
		for (size_t j = 0; j < mon->sources[i]->nseries; j++)
			mon->sources[i]->series[j].recent_only = true;
	mon->self_cpu_s += thread_cpu_now() - cpu0;
	*out = mon;
	return 0;
fail:
	em_monitor_destroy(mon);
	return rc;
}

int em_monitor_create(const struct em_config *cfg, pid_t target_pid, struct em_monitor **out, struct em_error *err)
{
	return create(cfg, target_pid, false, out, err);
}

/* Target 0 and ENERGY_HOST_TARGETS_LATER: the windows name the trees. */
int em_monitor_create_continuous(const struct em_config *cfg, struct em_monitor **out, struct em_error *err)
{
	*out = NULL;
	return create(cfg, 0, true, out, err);
}

/* Ask every running source to finish, then wait for each until its own
 * bound after `t0`, or until em_monitor_abandon(); a source that does not
 * finish is abandoned with a gap from its last reading to the end. */
static void stop_sources(struct em_monitor *mon, int64_t end_mono, int64_t end_wall)
{
	int64_t t0 = em_now_ns(CLOCK_MONOTONIC);
	for (size_t i = 0; i < mon->nsources; i++)
		if (mon->sources[i]->started)
			em_sampler_request_stop(mon->sources[i]);
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *src = mon->sources[i];
		if (!src->started)
			continue;
		double bound = em_call_wait_s(src->interval_s);
		char why[200];
		snprintf(why, sizeof(why), "did not return within %.1f s of stop (3 x the %.3g s interval, at "
		         "least %.0f s, at most %.0f s)", bound, src->interval_s, STOP_WAIT_MIN_S, STOP_WAIT_MAX_S);
		if (em_sampler_wait(src, t0 + (int64_t)(bound * 1e9), &mon->abandon, why) == -ETIMEDOUT) {
			snprintf(src->recent_failure, sizeof(src->recent_failure), "%s", src->abandon_reason);
			em_source_gaps_to_end(src, end_mono, end_wall);
		} else if (!src->thread_done) {
			/* started, but its thread never ran: end it here */
			src->stop_mono = em_now_ns(CLOCK_MONOTONIC);
			src->stop_wall = em_now_ns(CLOCK_REALTIME);
			src->lib.vt->stop(src->instance);
		} else {
			em_source_failed_tail_gaps(src);
		}
	}
}

/* Under "auto" or energy_allow_unavailable a plugin that cannot start is
 * skipped with its reason, as one that cannot load; otherwise a named plugin
 * must start. */
static int start_source(struct em_monitor *mon, struct em_source *src, struct em_error *err)
{
	src->last_error[0] = '\0';
	/* readings emitted from start() are stamped with this moment */
	src->call_mono = em_now_ns(CLOCK_MONOTONIC);
	src->call_wall = em_now_ns(CLOCK_REALTIME);
	int rc = src->lib.vt->start(src->instance);
	if (rc < 0) {
		em_utf8_sanitize(src->last_error);
		snprintf(src->reason, sizeof(src->reason), "start failed: %s",
		         src->last_error[0] ? src->last_error : strerror(-rc));
		/* skipped with its reason, as one that cannot load */
		if (mon->cfg->strategy_auto || mon->cfg->allow_unavailable) {
			src->available = false;
			return 0;
		}
		return em_fail(err, rc, "plugin '%s' failed to start: %s", src->name,
		               src->last_error[0] ? src->last_error : strerror(-rc));
	}
	src->started = true;
	src->start_mono = em_now_ns(CLOCK_MONOTONIC);
	src->start_wall = em_now_ns(CLOCK_REALTIME);
	src->covered_mono = src->start_mono;
	src->covered_wall = src->start_wall;
	if ((rc = em_sampler_start(src)))
		return em_fail(err, rc, "plugin '%s': cannot start its sampling thread: %s", src->name, strerror(-rc));
	return 0;
}

int em_monitor_start(struct em_monitor *mon, struct em_error *err)
{
	if (mon->started)
		return em_fail(err, -EALREADY, "monitor already started");
	if (mon->agent_socket)
		return em_agent_start(mon, err);
	/* idle first, with the same plugins: the command has not started */
	if (mon->cfg->baseline_s > 0 && em_baseline_measure(mon, false))
		return em_fail(err, -ENOMEM, "out of memory measuring the idle baseline");
	double cpu0 = thread_cpu_now();
	mon->start_mono = em_now_ns(CLOCK_MONOTONIC);
	mon->start_wall = em_now_ns(CLOCK_REALTIME);
	size_t running = 0;
	int rc = em_monitor_pool_open(mon, err);
	for (size_t i = 0; i < mon->nsources && !rc; i++) {
		struct em_source *src = mon->sources[i];
		if (src->available && !(rc = start_source(mon, src, err)))
			running += src->started;
	}
	if (!rc && !running && mon->cfg->strategy_auto && !mon->cfg->allow_unavailable) {
		const struct em_source *first = mon->sources[0];
		rc = em_fail(err, -ENODEV, "no energy source could start here: %s: %s", first->name, first->reason);
	}
	if (rc) {
		stop_sources(mon, em_now_ns(CLOCK_MONOTONIC), em_now_ns(CLOCK_REALTIME));
		em_monitor_pool_close(mon);
		for (size_t i = 0; i < mon->nsources; i++)
			mon->sources[i]->started = false;
		return rc;
	}
	mon->started = true;
	mon->self_cpu_s += thread_cpu_now() - cpu0;
	return 0;
}

int em_monitor_stop(struct em_monitor *mon, struct em_error *err)
{
	if (!mon->started)
		return em_fail(err, -EINVAL, "monitor was not started");
	if (mon->stopped)
		return 0;
	if (mon->agent_socket)
		return em_agent_stop(mon, err);
	double cpu0 = thread_cpu_now();
	/* The measurement ends now, however long the plugins take to finish. */
	mon->stop_mono = em_now_ns(CLOCK_MONOTONIC);
	mon->stop_wall = em_now_ns(CLOCK_REALTIME);
	stop_sources(mon, mon->stop_mono, mon->stop_wall);
	em_monitor_pool_close(mon);
	mon->stopped = true;
	for (size_t i = 0; i < mon->nsources; i++)
		mon->self_cpu_s += mon->sources[i]->thread_cpu_s;
	mon->self_cpu_s += thread_cpu_now() - cpu0;
	if (mon->cfg->baseline_s > 0 && mon->cfg->baseline_after && em_baseline_measure(mon, true))
		return em_fail(err, -ENOMEM, "out of memory measuring the idle baseline");
	mon->result = em_composite_result(mon);
	if (!mon->result)
		return em_fail(err, -ENOMEM, "out of memory building the result");
	return 0;
}

void em_monitor_abandon(struct em_monitor *mon)
{
	mon->abandon = true;
	if (mon->agent)
		em_agent_shutdown(mon->agent);
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *src = mon->sources[i];
		if (!src->sync_ready)
			continue;
		pthread_mutex_lock(&src->lock);
		pthread_cond_broadcast(&src->wake);
		pthread_mutex_unlock(&src->lock);
	}
}

char *em_monitor_result_json(struct em_monitor *mon)
{
	if (!mon->result)
		return NULL;
	return json_dumps(mon->result, JSON_INDENT(1) | EM_JSON_REALS);
}

void em_monitor_destroy(struct em_monitor *mon)
{
	if (!mon)
		return;
	if (mon->started && !mon->stopped)
		em_monitor_stop(mon, NULL);
	for (size_t i = 0; i < mon->nsources; i++)
		em_source_release(mon->sources[i]);
	free(mon->sources);
	em_window_roots_fini(mon);
	json_decref(mon->result);
	json_decref(mon->plugins_keys_checked);
	em_results_free(mon->results);
	em_config_free(mon->cfg);
	em_agent_conn_free(mon->agent);
	free(mon->agent_socket);
	em_baseline_free(mon->baseline);
	free(mon);
}
