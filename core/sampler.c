/*
 * One thread per source, so a plugin that blocks (a BMC that hangs) stalls
 * nobody else. Deadlines are absolute multiples of the interval from the
 * start, so rounding and sample() latency never accumulate into drift; a
 * deadline already missed is skipped and counted, not made up in a burst.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

static void take_sample(struct em_source *src)
{
	src->call_mono = em_now_ns(CLOCK_MONOTONIC);
	src->call_wall = em_now_ns(CLOCK_REALTIME);
	if (src->last_call_mono)
		em_interval_add(&src->intervals, (double)(src->call_mono - src->last_call_mono) / 1e9);
	src->last_call_mono = src->call_mono;
	src->last_error[0] = '\0';
	int rc = src->lib.vt->sample(src->instance);
	src->samples++;
	if (rc < 0) {
		src->failed_samples++;
		src->failure_epoch++;
		if (!src->last_error[0])
			snprintf(src->last_error, sizeof(src->last_error), "sample failed: %s", strerror(-rc));
		if (!src->first_failure[0])
			snprintf(src->first_failure, sizeof(src->first_failure), "%s", src->last_error);
		snprintf(src->recent_failure, sizeof(src->recent_failure), "%s", src->last_error);
	}
}

static struct timespec to_timespec(int64_t ns)
{
	struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
	return ts;
}

static void *sampler_main(void *arg)
{
	struct em_source *src = arg;
	int64_t period = (int64_t)llround(src->interval_s * 1e9);
	int64_t origin = src->start_mono;
	uint64_t tick = 0;

	take_sample(src);
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
		while (!src->stop_requested && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&src->wake, &src->lock, &ts);
		if (src->stop_requested)
			break;
		tick++;
		pthread_mutex_unlock(&src->lock);
		take_sample(src);
		pthread_mutex_lock(&src->lock);
	}
	pthread_mutex_unlock(&src->lock);
	/* The last reading is taken at stop, so the series covers the whole run. */
	take_sample(src);
	struct timespec cpu;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	pthread_mutex_lock(&src->lock);
	src->thread_cpu_s = (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
	src->thread_done = true;
	pthread_cond_broadcast(&src->wake);
	pthread_mutex_unlock(&src->lock);
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
	if (!src->sync_ready)
		return;
	pthread_mutex_destroy(&src->lock);
	pthread_cond_destroy(&src->wake);
	src->sync_ready = false;
}

int em_sampler_start(struct em_source *src)
{
	int rc = pthread_create(&src->thread, NULL, sampler_main, src);
	if (rc)
		return -rc;
	src->thread_running = true;
	return 0;
}

/* Returns 0 when the thread finished, -ETIMEDOUT when the plugin is stuck in
 * sample(): then the thread is left running and the instance is never
 * touched again (the source is marked stalled). */
int em_sampler_stop(struct em_source *src, double timeout_s)
{
	if (!src->thread_running)
		return 0;
	int64_t deadline = em_now_ns(CLOCK_MONOTONIC) + (int64_t)(timeout_s * 1e9);
	struct timespec ts = to_timespec(deadline);
	pthread_mutex_lock(&src->lock);
	src->stop_requested = true;
	pthread_cond_broadcast(&src->wake);
	int rc = 0;
	while (!src->thread_done && rc != ETIMEDOUT && !src->mon->abandon)
		rc = pthread_cond_timedwait(&src->wake, &src->lock, &ts);
	bool done = src->thread_done;
	pthread_mutex_unlock(&src->lock);
	if (!done) {
		pthread_detach(src->thread);
		src->thread_running = false;
		src->stalled = true;
		return -ETIMEDOUT;
	}
	pthread_join(src->thread, NULL);
	src->thread_running = false;
	return 0;
}
