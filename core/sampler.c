/*
 * One thread per source, so a plugin that blocks (a BMC that hangs) stalls
 * nobody else. Deadlines are absolute multiples of the interval from the
 * start, so rounding and sample() latency never accumulate into drift; a
 * deadline already missed is skipped and counted, not made up in a burst.
 *
 * The thread also makes the calls that end the run (the last sample(),
 * stop(), get_data()), so the monitor can wait for them with a deadline and
 * give up on a plugin that never returns. A source given up on is
 * "abandoned": from then on its thread writes nothing the result reads, and
 * never calls the plugin again except destroy() when it holds the last
 * reference.
 */
/* pthread_setname_np needs _GNU_SOURCE, which the build defines */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Mark the start of a plugin call; false when the source was abandoned
 * (then the call must not be made). */
bool em_sampler_enter_call(struct em_source *src, const char *method, int64_t mono, int64_t wall)
{
	pthread_mutex_lock(&src->lock);
	bool go = !src->abandoned;
	if (go) {
		src->in_call = method;
		src->call_mono = mono;
		src->call_wall = wall;
		src->last_error[0] = '\0';
	}
	pthread_mutex_unlock(&src->lock);
	return go;
}

/* Record the end of a plugin call; false when the source was abandoned
 * while it ran (then nothing about it may be recorded). Returns with the
 * lock held when true. */
bool em_sampler_leave_call_locked(struct em_source *src)
{
	pthread_mutex_lock(&src->lock);
	if (src->abandoned) {
		pthread_mutex_unlock(&src->lock);
		return false;
	}
	src->in_call = NULL;
	return true;
}

static double thread_cpu_s(void)
{
	struct timespec cpu;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	return (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
}

/* The sampling CPU time charged to the source so far: its own thread's,
 * or its turns on a pool's workers (sampler_pool_turn.c). */
static double source_cpu_s(const struct em_source *src)
{
	if (src->pooled)
		return src->pool_cpu_base_s + thread_cpu_s() - src->pool_cpu_mark_s;
	return thread_cpu_s();
}

/* One sample(). A scheduled one counts in the interval histogram (how
 * evenly the schedule was kept); one a window asked for does not. Either
 * serves every window request made before it began (poke_asked then). */
static bool take_sample(struct em_source *src, bool scheduled)
{
	int64_t mono = em_now_ns(CLOCK_MONOTONIC), wall = em_now_ns(CLOCK_REALTIME);
	pthread_mutex_lock(&src->lock);
	if (scheduled && !src->abandoned) {
		if (src->last_call_mono)
			em_interval_add(&src->intervals, (double)(mono - src->last_call_mono) / 1e9);
		src->last_call_mono = mono;
	}
	uint64_t asked = src->poke_asked;
	pthread_mutex_unlock(&src->lock);
	if (!em_sampler_enter_call(src, "sample", mono, wall))
		return false;
	int rc = src->lib.vt->sample(src->instance);
	if (!em_sampler_leave_call_locked(src))
		return false;
	src->samples++;
	src->covered_mono = mono;
	src->covered_wall = wall;
	/* kept current, so that a window can take its difference */
	src->thread_cpu_s = source_cpu_s(src);
	if (rc < 0) {
		src->failed_samples++;
		src->failure_epoch++;
		if (!src->last_error[0])
			snprintf(src->last_error, sizeof(src->last_error), "sample failed: %s", strerror(-rc));
		if (!src->first_failure[0])
			snprintf(src->first_failure, sizeof(src->first_failure), "%s", src->last_error);
		snprintf(src->recent_failure, sizeof(src->recent_failure), "%s", src->last_error);
	}
	if (asked > src->poke_served) {
		src->poke_served = asked;
		pthread_cond_broadcast(&src->wake);
	}
	pthread_mutex_unlock(&src->lock);
	return true;
}

/* stop() and get_data(): their readings are stamped with the stop time
 * unless the plugin says otherwise. */
static bool finish_call(struct em_source *src, const char *method, int (*fn)(void *))
{
	/* stop_mono/stop_wall are written only by this thread */
	if (!em_sampler_enter_call(src, method, src->stop_mono, src->stop_wall))
		return false;
	int rc = fn(src->instance);
	if (!em_sampler_leave_call_locked(src))
		return false;
	if (rc < 0)
		snprintf(src->recent_failure, sizeof(src->recent_failure), "%s failed: %s", method,
		         src->last_error[0] ? src->last_error : strerror(-rc));
	pthread_mutex_unlock(&src->lock);
	return true;
}

static struct timespec to_timespec(int64_t ns)
{
	struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
	return ts;
}

static void sample_until_stop(struct em_source *src)
{
	int64_t period = (int64_t)llround(src->interval_s * 1e9);
	int64_t origin = src->start_mono;
	uint64_t tick = 0;

	if (!take_sample(src, true))
		return;
	pthread_mutex_lock(&src->lock);
	while (!src->stop_requested) {
		int64_t deadline = origin + (int64_t)(tick + 1) * period;
		int64_t now = em_now_ns(CLOCK_MONOTONIC);
		if (deadline <= now) {
			/* deadlines tick+1 .. behind have passed while sample() ran */
			uint64_t behind = (uint64_t)((now - origin) / period);
			src->missed_deadlines += behind - tick;
			tick = behind;
			deadline = origin + (int64_t)(tick + 1) * period;
		}
		struct timespec ts = to_timespec(deadline);
		int rc = 0;
		while (!src->stop_requested && rc != ETIMEDOUT) {
			/* between two samples; a deadline that passed meanwhile
			 * times out the wait at once, so no sample is skipped */
			if (src->targets_pending) {
				em_sampler_apply_targets_locked(src);
				continue;
			}
			if (src->poke_asked > src->poke_served) {
				/* a window's sample: not a missed deadline, and the
				 * schedule stays where it was */
				pthread_mutex_unlock(&src->lock);
				if (!take_sample(src, false))
					return;
				pthread_mutex_lock(&src->lock);
				continue;
			}
			rc = pthread_cond_timedwait(&src->wake, &src->lock, &ts);
		}
		if (src->stop_requested)
			break;
		tick++;
		pthread_mutex_unlock(&src->lock);
		if (!take_sample(src, true))
			return;
		pthread_mutex_lock(&src->lock);
	}
	pthread_mutex_unlock(&src->lock);
	em_sampler_finish_run(src);
}

bool em_sampler_take_sample(struct em_source *src, bool scheduled)
{
	return take_sample(src, scheduled);
}

void em_sampler_finish_run(struct em_source *src)
{
	/* The last reading is taken at stop, so the series covers the whole run. */
	if (!take_sample(src, true))
		return;
	pthread_mutex_lock(&src->lock);
	src->stop_mono = em_now_ns(CLOCK_MONOTONIC);
	src->stop_wall = em_now_ns(CLOCK_REALTIME);
	pthread_mutex_unlock(&src->lock);
	if (!finish_call(src, "stop", src->lib.vt->stop))
		return;
	if (src->lib.vt->get_data)
		finish_call(src, "get_data", src->lib.vt->get_data);
}

static void *sampler_main(void *arg)
{
	struct em_source *src = arg;
	em_sampler_name_self(src->plugin);
	sample_until_stop(src);
	double cpu = thread_cpu_s();
	pthread_mutex_lock(&src->lock);
	if (!src->abandoned)
		src->thread_cpu_s = cpu;
	src->thread_done = true;
	pthread_cond_broadcast(&src->wake);
	pthread_mutex_unlock(&src->lock);
	em_source_release(src);
	return NULL;
}

/* The lock and condition live as long as the source, so that
 * em_monitor_abandon() can always take them. */
int em_sampler_init(struct em_source *src)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&src->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (rc)
		return -rc;
	if ((rc = pthread_mutex_init(&src->lock, NULL))) {
		pthread_cond_destroy(&src->wake);
		return -rc;
	}
	src->sync_ready = true;
	return 0;
}

void em_sampler_fini(struct em_source *src)
{
	free(src->targets);
	src->targets = NULL;
	if (!src->sync_ready)
		return;
	pthread_mutex_destroy(&src->lock);
	pthread_cond_destroy(&src->wake);
	src->sync_ready = false;
}

int em_sampler_start(struct em_source *src)
{
	if (src->pool)
		return em_pool_add(src);
	pthread_mutex_lock(&src->lock);
	src->refs++; /* the thread's own */
	pthread_mutex_unlock(&src->lock);
	int rc = pthread_create(&src->thread, NULL, sampler_main, src);
	if (rc) {
		pthread_mutex_lock(&src->lock);
		src->refs--;
		pthread_mutex_unlock(&src->lock);
		return -rc;
	}
	src->thread_running = true;
	return 0;
}

void em_sampler_request_stop(struct em_source *src)
{
	if (!src->thread_running)
		return;
	pthread_mutex_lock(&src->lock);
	src->stop_requested = true;
	pthread_cond_broadcast(&src->wake);
	em_pool_kick(src);
	pthread_mutex_unlock(&src->lock);
}

int em_sampler_wait(struct em_source *src, int64_t deadline_mono, const _Atomic bool *give_up, const char *why)
{
	if (!src->thread_running)
		return 0;
	struct timespec ts = to_timespec(deadline_mono);
	pthread_mutex_lock(&src->lock);
	int rc = 0;
	while (!src->thread_done && rc != ETIMEDOUT && !*give_up)
		rc = pthread_cond_timedwait(&src->wake, &src->lock, &ts);
	bool done = src->thread_done;
	if (!done) {
		/* The thread is alive (it sets thread_done under this lock), so
		 * its handle is still valid to name and detach. */
		src->abandoned = true;
		const char *because = *give_up ? "was still running when em_monitor_abandon() gave up waiting" : why;
		snprintf(src->abandon_reason, sizeof(src->abandon_reason), "%s%s %s; the plugin was abandoned",
		         src->in_call ? src->in_call : "the plugin", src->in_call ? "()" : "", because);
		char name[16];
		em_abandoned_thread_name(src->plugin, name);
		if (src->pooled) {
			em_pool_abandoned_locked(src, name);
		} else {
			pthread_setname_np(src->thread, name);
			pthread_detach(src->thread);
		}
	}
	pthread_mutex_unlock(&src->lock);
	src->thread_running = false;
	if (!done)
		return -ETIMEDOUT;
	if (!src->pooled)
		pthread_join(src->thread, NULL);
	return 0;
}
