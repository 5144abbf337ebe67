/*
 * em_monitor_set_targets(): the process trees a monitor's process-scope
 * sources follow, changed at run time (a node agent follows many short-lived
 * trees with one ebpf source). A plugin's methods are never called
 * concurrently: before start the call is made here, on the caller's thread;
 * while the source runs, its own sampling thread makes it between two
 * samples, and the caller waits as long as for any other plugin call.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More process trees than Linux has pids (pid_max is at most 2^22) is a
 * caller's mistake. */
#define EM_TARGETS_MAX (1 << 22)

/* Hand the pids to the source's running thread (which takes them between
 * two samples, sampler.c) and wait for its answer until the deadline. */
int em_sampler_set_targets(struct em_source *src, const int64_t *pids, size_t n, int64_t deadline_mono,
                           const _Atomic bool *give_up, char *why, size_t why_len)
{
	int64_t *copy = malloc((n ? n : 1) * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	if (n)
		memcpy(copy, pids, n * sizeof(*copy));
	struct timespec ts = {.tv_sec = deadline_mono / 1000000000, .tv_nsec = deadline_mono % 1000000000};
	pthread_mutex_lock(&src->lock);
	free(src->targets); /* a request an earlier call withdrew is never left behind, but be sure */
	src->targets = copy;
	src->ntargets = n;
	src->targets_pending = true;
	src->targets_done = false;
	pthread_cond_broadcast(&src->wake);
	em_pool_kick(src);
	int wait = 0;
	while (!src->targets_done && !src->thread_done && !src->abandoned && !*give_up && wait != ETIMEDOUT)
		wait = pthread_cond_timedwait(&src->wake, &src->lock, &ts);
	int rc;
	if (src->targets_done) {
		rc = src->targets_rc;
		snprintf(why, why_len, "%s", src->targets_error);
	} else {
		/* not answered: withdraw the request unless the thread took it */
		bool taken = !src->targets_pending;
		if (!taken) {
			free(src->targets);
			src->targets = NULL;
			src->targets_pending = false;
		}
		rc = src->thread_done || src->abandoned ? -ECANCELED : -ETIMEDOUT;
		snprintf(why, why_len, "%s", rc == -ECANCELED ? "the source's sampling thread has ended"
		         : taken ? "set_targets() did not return in time"
		                 : "the sampling thread did not get to it in time (a sample() still running)");
	}
	pthread_mutex_unlock(&src->lock);
	return rc;
}

/* The call on the caller's thread, for a source whose thread is not running. */
static int call_directly(struct em_source *src, const int64_t *pids, size_t n, char *why, size_t len)
{
	src->call_mono = em_now_ns(CLOCK_MONOTONIC);
	src->call_wall = em_now_ns(CLOCK_REALTIME);
	src->last_error[0] = '\0';
	int rc = src->lib.set_targets(src->instance, pids, n);
	snprintf(why, len, "%s", src->last_error);
	if (src->sync_ready)
		pthread_mutex_lock(&src->lock);
	em_source_targets_applied(src, pids, n, rc < 0 ? rc : 0);
	if (src->sync_ready)
		pthread_mutex_unlock(&src->lock);
	return rc < 0 ? rc : 0;
}

static int set_one(struct em_monitor *mon, struct em_source *src, const int64_t *pids, size_t n,
                   struct em_error *err)
{
	char why[ENERGY_REASON_MAX] = "";
	int rc;
	if (src->thread_running) {
		double bound = em_call_wait_s(src->interval_s);
		int64_t deadline = em_now_ns(CLOCK_MONOTONIC) + (int64_t)(bound * 1e9);
		rc = em_sampler_set_targets(src, pids, n, deadline, &mon->abandon, why, sizeof(why));
		if (rc == -ETIMEDOUT)
			return em_fail(err, rc, "source '%s': set_targets: no answer within %.1f s: %s", src->name, bound,
			               why);
	} else {
		rc = call_directly(src, pids, n, why, sizeof(why));
	}
	if (rc)
		return em_fail(err, rc, "source '%s': set_targets failed: %s", src->name, why[0] ? why : strerror(-rc));
	return 0;
}

int em_monitor_set_targets(struct em_monitor *mon, const pid_t *pids, size_t n, struct em_error *err)
{
	if (!mon || (n && !pids))
		return em_fail(err, -EINVAL, "em_monitor_set_targets: no monitor, or no pid array for %zu pids", n);
	/* also keeps n * sizeof(int64_t) from wrapping into a short copy */
	if (n > EM_TARGETS_MAX)
		return em_fail(err, -E2BIG, "em_monitor_set_targets: %zu pids; accepted: at most %d", n,
		               EM_TARGETS_MAX);
	if (mon->stopped)
		return em_fail(err, -EINVAL, "em_monitor_set_targets: the monitor was already stopped");
	if (mon->agent_socket) /* a window follows the one tree it was opened for */
		return em_fail(err, -EOPNOTSUPP, "em_monitor_set_targets: energymond at %s measures this monitor, and "
		               "its window follows the tree named at em_monitor_create", mon->agent_socket);
	int64_t *wide = malloc((n ? n : 1) * sizeof(*wide));
	if (!wide)
		return em_fail(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (pids[i] <= 0)
			rc = em_fail(err, -EINVAL, "em_monitor_set_targets: pid %ld (entry %zu) is not a process id; "
			             "accepted: pids > 0", (long)pids[i], i);
		wide[i] = pids[i];
	}
	size_t capable = 0;
	for (size_t i = 0; i < mon->nsources && !rc; i++) {
		struct em_source *src = mon->sources[i];
		if (!src->available || !src->instance || !src->lib.set_targets || src->abandoned)
			continue;
		capable++;
		rc = set_one(mon, src, wide, n, err);
	}
	free(wide);
	if (!rc && !capable)
		rc = em_fail(err, -EOPNOTSUPP, "em_monitor_set_targets: no running source's plugin can follow "
		             "process targets (none implements set_targets)");
	return rc;
}
