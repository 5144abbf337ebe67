/*
 * What other threads ask of a running sampling thread, between two of its
 * samples, so that a plugin's methods never run concurrently:
 *  - set_targets(): the monitor hands over the pids (monitor_targets.c
 *    waits for the answer); this is the thread's side;
 *  - a sample now (a window's begin or end): a waiter takes a ticket
 *    (poke_asked + 1) and waits until poke_served reaches it. The thread
 *    samples at once when poke_asked > poke_served, and every sample,
 *    asked for or scheduled, serves all tickets taken before it began, so
 *    any number of waiters share one sample. Such a sample is not a missed
 *    deadline and does not move the schedule (sampler.c).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void em_sampler_apply_targets_locked(struct em_source *src)
{
	int64_t *pids = src->targets;
	size_t n = src->ntargets;
	src->targets = NULL;
	src->targets_pending = false;
	pthread_mutex_unlock(&src->lock);
	if (em_sampler_enter_call(src, "set_targets", em_now_ns(CLOCK_MONOTONIC), em_now_ns(CLOCK_REALTIME))) {
		int rc = src->lib.set_targets(src->instance, pids, n);
		if (em_sampler_leave_call_locked(src)) {
			src->targets_rc = rc < 0 ? rc : 0;
			em_source_targets_applied(src, pids, n, src->targets_rc);
			snprintf(src->targets_error, sizeof(src->targets_error), "%s", src->last_error);
			src->targets_done = true;
			pthread_cond_broadcast(&src->wake);
			pthread_mutex_unlock(&src->lock);
		}
	}
	free(pids);
	pthread_mutex_lock(&src->lock);
}

uint64_t em_sampler_poke(struct em_source *src)
{
	if (!src->thread_running)
		return 0;
	pthread_mutex_lock(&src->lock);
	uint64_t ticket = ++src->poke_asked;
	pthread_cond_broadcast(&src->wake);
	em_pool_kick(src);
	pthread_mutex_unlock(&src->lock);
	return ticket;
}

bool em_sampler_poke_wait_locked(struct em_source *src, uint64_t ticket, int64_t deadline_mono)
{
	if (!ticket)
		return false;
	struct timespec ts = {.tv_sec = deadline_mono / 1000000000, .tv_nsec = deadline_mono % 1000000000};
	int rc = 0;
	while (src->poke_served < ticket && !src->thread_done && !src->abandoned && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&src->wake, &src->lock, &ts);
	return src->poke_served >= ticket;
}
