/* The shared sampling pool's insides, for sampler_pool.c (the workers and
 * their queue) and sampler_pool_turn.c (one source's turn). */
#ifndef ENERGYMON_SAMPLER_POOL_H
#define ENERGYMON_SAMPLER_POOL_H

#include "internal.h"

/* One source in the pool: its schedule, as its own thread would keep it
 * in locals (sampler.c, sample_until_stop), and its place in the queue.
 * Schedule fields are touched only by the worker in the source's turn;
 * the queue fields under the pool's lock. */
struct em_pool_slot {
	struct em_source *src;           /* the pool's reference, until done */
	int64_t origin, period, deadline; /* ns, CLOCK_MONOTONIC */
	uint64_t tick;
	bool first_taken;                /* the first sample() was taken */
	/* queue */
	int64_t due;                     /* when its next turn is; 0: at once */
	size_t heap_at;                  /* index in pool->heap while queued */
	bool queued, busy, kicked, done;
};

struct em_pool_worker {
	struct em_pool *pool;
	pthread_t thread;
	bool running;                    /* created, not yet joined or detached */
	bool call_abandoned;             /* its source was abandoned inside a plugin call */
	double cpu_mark_s;               /* its CPU clock at the end of its last turn */
	char name[16];                   /* what the thread is named now */
};

struct em_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;             /* CLOCK_MONOTONIC: a turn is due or the pool closes */
	int refs;                        /* the monitor's, and each running worker's */
	bool closing;
	struct em_pool_slot *slots;      /* nslots used of cap; never moved */
	size_t nslots, cap;
	struct em_pool_slot **heap;      /* queued slots, earliest due first */
	size_t nheap;
	struct em_pool_worker *workers;
	size_t nworkers;
	double unassigned_cpu_s;         /* workers' CPU after their last turn */
};

/* One turn of a source on the calling worker: everything due now (its
 * pending requests, its scheduled sample, the calls that end its run).
 * Returns when its next turn is due, or -1 when its run ended (the pool's
 * reference was then dropped). */
int64_t em_pool_turn(struct em_pool_slot *slot, struct em_pool_worker *w);

#endif
