/*
 * Many sources, few threads (energy_sampler_threads > 0): one energymond
 * watching a thousand BMCs should not run a thousand threads. The pool's
 * workers take the sources' turns from one queue ordered by when each turn
 * is due (a binary heap); a request for a source (stop, a window's sample,
 * set_targets) moves its turn to now. A source's turns never overlap, so
 * its plugin's methods are never called concurrently, as with its own
 * thread (sampler_pool_turn.c says what a turn does).
 *
 * A source whose plugin call hangs holds the one worker inside it; the
 * others go on with the rest. When the monitor gives up on it (it is
 * abandoned), that worker is renamed as an abandoned thread would be, and
 * when the pool closes a worker still inside such a call is left to finish
 * alone: the pool is reference-counted, so whoever lets go last frees it.
 *
 * Lock order: a source's lock, then the pool's; never the other way.
 */
/* pthread_setname_np needs _GNU_SOURCE, which the build defines */
#include "sampler_pool.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double thread_cpu_s(void)
{
	struct timespec cpu;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	return (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
}

/* ---- the queue: a binary min-heap on `due`, lock held ---- */
static void heap_set(struct em_pool *p, size_t i, struct em_pool_slot *s)
{
	p->heap[i] = s;
	s->heap_at = i;
}

static void sift_up(struct em_pool *p, size_t i)
{
	struct em_pool_slot *s = p->heap[i];
	while (i > 0 && p->heap[(i - 1) / 2]->due > s->due) {
		heap_set(p, i, p->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(p, i, s);
}

static void sift_down(struct em_pool *p, size_t i)
{
	struct em_pool_slot *s = p->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= p->nheap)
			break;
		if (c + 1 < p->nheap && p->heap[c + 1]->due < p->heap[c]->due)
			c++;
		if (p->heap[c]->due >= s->due)
			break;
		heap_set(p, i, p->heap[c]);
		i = c;
	}
	heap_set(p, i, s);
}

static void enqueue(struct em_pool *p, struct em_pool_slot *s, int64_t due)
{
	s->due = due;
	s->queued = true;
	heap_set(p, p->nheap++, s);
	sift_up(p, s->heap_at);
	if (s->heap_at == 0) /* earlier than what the workers wait for */
		pthread_cond_signal(&p->work);
}

static struct em_pool_slot *dequeue_top(struct em_pool *p)
{
	struct em_pool_slot *s = p->heap[0];
	s->queued = false;
	if (--p->nheap) {
		heap_set(p, 0, p->heap[p->nheap]);
		sift_down(p, 0);
	}
	return s;
}

/* ---- lifetime ---- */
static void pool_free(struct em_pool *p)
{
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	free(p->slots);
	free(p->heap);
	free(p->workers);
	free(p);
}

static void pool_unref(struct em_pool *p)
{
	pthread_mutex_lock(&p->lock);
	bool last = --p->refs == 0;
	pthread_mutex_unlock(&p->lock);
	if (last)
		pool_free(p);
}

static void *worker_main(void *arg)
{
	struct em_pool_worker *w = arg;
	struct em_pool *p = w->pool;
	w->cpu_mark_s = thread_cpu_s();
	pthread_mutex_lock(&p->lock);
	while (!p->closing) {
		int64_t now = em_now_ns(CLOCK_MONOTONIC);
		if (!p->nheap || p->heap[0]->due > now) {
			if (!p->nheap) {
				pthread_cond_wait(&p->work, &p->lock);
			} else {
				int64_t due = p->heap[0]->due;
				struct timespec ts = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
				pthread_cond_timedwait(&p->work, &p->lock, &ts);
			}
			continue;
		}
		struct em_pool_slot *s = dequeue_top(p);
		s->busy = true;
		s->kicked = false;
		/* another turn may be due too: let another worker look */
		if (p->nheap && p->heap[0]->due <= now)
			pthread_cond_signal(&p->work);
		pthread_mutex_unlock(&p->lock);
		int64_t next = em_pool_turn(s, w);
		pthread_mutex_lock(&p->lock);
		s->busy = false;
		if (next < 0)
			s->done = true;
		else if (!p->closing) /* (closing: every source ended or was given up on) */
			enqueue(p, s, s->kicked ? 0 : next);
		if (w->call_abandoned) {
			/* back from a call the monitor gave up on: a worker again */
			w->call_abandoned = false;
			w->name[0] = '\0';
			pthread_setname_np(pthread_self(), "em:pool");
		}
	}
	p->unassigned_cpu_s += thread_cpu_s() - w->cpu_mark_s;
	pthread_mutex_unlock(&p->lock);
	pool_unref(p);
	return NULL;
}

int em_pool_new(unsigned threads, size_t nsources, struct em_pool **out)
{
	struct em_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cap = nsources;
	p->slots = calloc(nsources ? nsources : 1, sizeof(*p->slots));
	p->heap = calloc(nsources ? nsources : 1, sizeof(*p->heap));
	p->workers = calloc(threads, sizeof(*p->workers));
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	int rc = !p->slots || !p->heap || !p->workers ? ENOMEM : pthread_cond_init(&p->work, &attr);
	pthread_condattr_destroy(&attr);
	if (!rc && (rc = pthread_mutex_init(&p->lock, NULL)))
		pthread_cond_destroy(&p->work);
	if (rc) {
		free(p->slots);
		free(p->heap);
		free(p->workers);
		free(p);
		return -rc;
	}
	p->refs = 1;
	for (unsigned i = 0; i < threads; i++) {
		struct em_pool_worker *w = &p->workers[i];
		w->pool = p;
		pthread_mutex_lock(&p->lock);
		p->refs++;
		pthread_mutex_unlock(&p->lock);
		if ((rc = pthread_create(&w->thread, NULL, worker_main, w))) {
			pthread_mutex_lock(&p->lock);
			p->refs--;
			pthread_mutex_unlock(&p->lock);
			em_pool_close(p);
			return -rc;
		}
		w->running = true;
		p->nworkers++;
		pthread_setname_np(w->thread, "em:pool");
	}
	*out = p;
	return 0;
}

int em_pool_add(struct em_source *src)
{
	struct em_pool *p = src->pool;
	pthread_mutex_lock(&p->lock);
	if (p->nslots == p->cap || p->closing) {
		pthread_mutex_unlock(&p->lock);
		return -ENOSPC;
	}
	struct em_pool_slot *s = &p->slots[p->nslots++];
	pthread_mutex_unlock(&p->lock);
	/* before the first turn, so the worker sees it all */
	pthread_mutex_lock(&src->lock);
	src->refs++; /* the pool's, dropped at the end of its run */
	src->pooled = true;
	src->pool_slot = s;
	pthread_mutex_unlock(&src->lock);
	s->src = src;
	s->origin = src->start_mono;
	s->period = (int64_t)llround(src->interval_s * 1e9);
	src->thread_running = true;
	pthread_mutex_lock(&p->lock);
	enqueue(p, s, 0);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void em_pool_kick(struct em_source *src)
{
	struct em_pool_slot *s = src->pool_slot;
	if (!src->pool || !s)
		return;
	struct em_pool *p = src->pool;
	pthread_mutex_lock(&p->lock);
	if (s->busy) {
		s->kicked = true; /* its worker queues it at once after this turn */
	} else if (s->queued && s->due > 0) {
		s->due = 0;
		sift_up(p, s->heap_at);
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
}

void em_pool_abandoned_locked(struct em_source *src, const char *name)
{
	struct em_pool_worker *w = src->pool_worker;
	if (!w || !src->in_call)
		return; /* not inside a plugin call: it never calls the plugin again */
	pthread_mutex_lock(&w->pool->lock);
	w->call_abandoned = true;
	pthread_setname_np(w->thread, name);
	pthread_mutex_unlock(&w->pool->lock);
}

double em_pool_close(struct em_pool *p)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	p->closing = true;
	pthread_cond_broadcast(&p->work);
	/* a worker inside a call the monitor gave up on may never return */
	for (size_t i = 0; i < p->nworkers; i++)
		if (p->workers[i].running && p->workers[i].call_abandoned) {
			pthread_detach(p->workers[i].thread);
			p->workers[i].running = false;
		}
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->nworkers; i++)
		if (p->workers[i].running) {
			pthread_join(p->workers[i].thread, NULL);
			p->workers[i].running = false;
		}
	/* sources given up on while waiting for their turn: nobody will take
	 * it now, so the pool's reference goes here */
	pthread_mutex_lock(&p->lock);
	double cpu = p->unassigned_cpu_s;
	size_t n = 0;
	for (size_t i = 0; i < p->nslots; i++)
		if (!p->slots[i].done && !p->slots[i].busy) {
			p->slots[i].done = true;
			p->slots[i].queued = false;
			p->heap[n++] = &p->slots[i];
		}
	p->nheap = 0;
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < n; i++) {
		struct em_source *src = p->heap[i]->src;
		pthread_mutex_lock(&src->lock);
		src->thread_done = true;
		pthread_cond_broadcast(&src->wake);
		pthread_mutex_unlock(&src->lock);
		em_source_release(src);
	}
	pool_unref(p);
	return cpu;
}
