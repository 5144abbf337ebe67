/*
 * One source's turn on a pool worker: the steps its own thread would take
 * (sampler.c, sample_until_stop), cut where that thread would wait, so a
 * pooled source's samples, windows, set_targets and abandonment behave as
 * a threaded one's. The schedule is the same: deadlines are multiples of
 * the interval from the start, and a deadline that passed before its
 * sample could be taken (sample() ran long, or every worker was busy with
 * other sources) is skipped and counted as missed.
 *
 * The worker's CPU time from the end of its previous turn to the end of
 * this one (the queue's work and wake-up included) is charged to the
 * source, so thread_cpu_s and monitor_cpu_s add up as with own threads.
 */
/* pthread_setname_np needs _GNU_SOURCE, which the build defines */
#include "sampler_pool.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double thread_cpu_s(void)
{
	struct timespec cpu;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	return (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
}

/* The next deadline after a scheduled sample, as sample_until_stop
 * computes it; lock held. */
static void next_deadline_locked(struct em_pool_slot *slot, struct em_source *src)
{
	int64_t deadline = slot->origin + (int64_t)(slot->tick + 1) * slot->period;
	int64_t now = em_now_ns(CLOCK_MONOTONIC);
	if (deadline <= now) {
		uint64_t behind = (uint64_t)((now - slot->origin) / slot->period);
		src->missed_deadlines += behind - slot->tick;
		slot->tick = behind;
		deadline = slot->origin + (int64_t)(slot->tick + 1) * slot->period;
	}
	slot->deadline = deadline;
}

/* What is due now; -1 once the run ended. After a scheduled sample the
 * turn ends, so that one source never keeps a worker from the others;
 * requests made meanwhile kicked it back into the queue. */
static int64_t run_due(struct em_pool_slot *slot)
{
	struct em_source *src = slot->src;
	bool scheduled_now = !slot->first_taken;
	if (scheduled_now)
		slot->first_taken = true;
	pthread_mutex_lock(&src->lock);
	for (;;) {
		if (scheduled_now) {
			pthread_mutex_unlock(&src->lock);
			if (!em_sampler_take_sample(src, true))
				return -1;
			pthread_mutex_lock(&src->lock);
			scheduled_now = false;
			if (!src->stop_requested) {
				next_deadline_locked(slot, src);
				break;
			}
		}
		if (src->stop_requested || src->abandoned) {
			bool abandoned = src->abandoned;
			pthread_mutex_unlock(&src->lock);
			if (!abandoned)
				em_sampler_finish_run(src);
			return -1;
		}
		if (src->targets_pending) {
			em_sampler_apply_targets_locked(src);
			continue;
		}
		if (src->poke_asked > src->poke_served) {
			/* a window's sample: the schedule stays where it was */
			pthread_mutex_unlock(&src->lock);
			if (!em_sampler_take_sample(src, false))
				return -1;
			pthread_mutex_lock(&src->lock);
			continue;
		}
		if (em_now_ns(CLOCK_MONOTONIC) < slot->deadline)
			break;
		slot->tick++;
		scheduled_now = true;
	}
	pthread_mutex_unlock(&src->lock);
	return slot->deadline;
}

/* Named "em:<plugin>" while it runs a plugin's code, as an own thread is,
 * so a crash handler can say which plugin crashed; renamed only when the
 * plugin changes (a fleet of one plugin costs no renaming). */
static void name_worker(struct em_pool_worker *w, const char *plugin)
{
	char name[16];
	snprintf(name, sizeof(name), "em:%s", plugin);
	if (strcmp(name, w->name) != 0) {
		pthread_setname_np(pthread_self(), name);
		memcpy(w->name, name, sizeof(name));
	}
}

int64_t em_pool_turn(struct em_pool_slot *slot, struct em_pool_worker *w)
{
	struct em_source *src = slot->src;
	name_worker(w, src->plugin);
	pthread_mutex_lock(&src->lock);
	src->pool_worker = w;
	src->pool_cpu_base_s = src->thread_cpu_s;
	src->pool_cpu_mark_s = w->cpu_mark_s;
	pthread_mutex_unlock(&src->lock);

	int64_t next = run_due(slot);

	double cpu = thread_cpu_s();
	pthread_mutex_lock(&src->lock);
	src->pool_worker = NULL;
	if (!src->abandoned)
		src->thread_cpu_s = src->pool_cpu_base_s + cpu - w->cpu_mark_s;
	if (next < 0) {
		src->thread_done = true;
		pthread_cond_broadcast(&src->wake);
	}
	pthread_mutex_unlock(&src->lock);
	w->cpu_mark_s = cpu;
	if (next < 0)
		em_source_release(src);
	return next;
}
