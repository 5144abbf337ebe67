/*
 * A small pool of threads for the library calls that may wait: a window's
 * begin and end have every source sample now (milliseconds, or up to
 * EM_WINDOW_SAMPLE_WAIT_S behind a hung BMC), and freeing a window may
 * retarget the sources. The loop never waits for them: it queues a job, and
 * a worker hands it back through a queue and an eventfd.
 */
#include "agent.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct agent_workers {
	struct em_monitor *mon;
	struct agent_sources *sources;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct agent_job *todo, *todo_tail, *done;
	bool stopping;
	int event_fd;
	pthread_t threads[AGENT_WORKERS];
	size_t nthreads;
	uid_t running[AGENT_WORKERS]; /* the uids of the jobs running now */
	size_t nrunning;
};

static size_t running_of(const struct agent_workers *w, uid_t uid)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nrunning; i++)
		n += w->running[i] == uid;
	return n;
}

/* The oldest job of the uid with the fewest jobs running, taken from the
 * queue: a uid that queues hundreds of requests (each may hold a worker
 * for 2 s behind a hung source) delays another uid's by at most the jobs
 * already running, not by its whole queue. */
static struct agent_job *take_fair(struct agent_workers *w)
{
	struct agent_job **best = NULL;
	size_t best_n = SIZE_MAX;
	for (struct agent_job **j = &w->todo; *j && best_n; j = &(*j)->next) {
		size_t n = running_of(w, (*j)->uid);
		if (n < best_n)
			best = j, best_n = n;
	}
	struct agent_job *job = *best;
	*best = job->next;
	if (w->todo_tail == job) { /* the new tail: the last left, if any */
		w->todo_tail = w->todo;
		while (w->todo_tail && w->todo_tail->next)
			w->todo_tail = w->todo_tail->next;
	}
	w->running[w->nrunning++] = job->uid;
	return job;
}

static void finished(struct agent_workers *w, uid_t uid)
{
	for (size_t i = 0; i < w->nrunning; i++)
		if (w->running[i] == uid) {
			w->running[i] = w->running[--w->nrunning];
			return;
		}
}

void agent_job_free(struct agent_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->nids; i++)
		free(job->ids[i]);
	free(job->ids);
	free(job->text);
	if (job->has_pidfd)
		close(job->pidfd);
	free(job);
}

static void run_end(struct agent_workers *w, struct agent_job *job, struct em_error *err)
{
	struct em_monitor *result = NULL;
	job->rc = em_window_end(w->mon, job->window, &result, err);
	job->window = NULL; /* freed by em_window_end whatever it returned */
	if (!job->rc) {
		job->text = em_monitor_state_json(result);
		if (!job->text) {
			job->rc = -EIO;
			snprintf(err->message, sizeof(err->message),
			         "the library wrote no state document for window %llu", (unsigned long long)job->window_id);
		}
	}
	em_monitor_destroy(result);
}

static void run(struct agent_workers *w, struct agent_job *job)
{
	struct em_error err = {0};
	switch (job->kind) {
	case AGENT_JOB_BEGIN:
		job->rc = em_window_begin(w->mon, job->root, (const char *const *)job->ids, job->nids, &job->window, &err);
		/* the root still alive now is the process that was checked: its
		 * number cannot have gone to another process meanwhile */
		if (!job->rc && job->has_pidfd && agent_pidfd_exited(job->pidfd)) {
			em_window_free(w->mon, job->window);
			job->window = NULL;
			job->rc = -ESRCH;
			snprintf(err.message, sizeof(err.message), "pid %d exited before its window began", (int)job->root);
		}
		break;
	case AGENT_JOB_END:
		run_end(w, job, &err);
		break;
	case AGENT_JOB_FREE:
		em_window_free(w->mon, job->window);
		job->window = NULL;
		break;
	case AGENT_JOB_STATUS: {
		json_t *s = agent_sources_status(w->sources);
		job->text = s ? json_dumps(s, AGENT_JSON_FLAGS) : NULL;
		json_decref(s);
		job->rc = job->text ? 0 : -ENOMEM;
		break;
	}
	}
	if (job->rc)
		snprintf(job->error, sizeof(job->error), "%s", err.message[0] ? err.message : strerror(-job->rc));
}

static void *worker_main(void *arg)
{
	struct agent_workers *w = arg;
	agent_crash_log_thread_stack();
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->todo && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->todo)
			break; /* stopping, and nothing left to run */
		struct agent_job *job = take_fair(w);
		pthread_mutex_unlock(&w->lock);
		run(w, job);
		pthread_mutex_lock(&w->lock);
		finished(w, job->uid);
		job->next = w->done;
		w->done = job;
		uint64_t one = 1;
		ssize_t n = write(w->event_fd, &one, sizeof(one));
		(void)n; /* an eventfd at its maximum is readable already */
	}
	pthread_mutex_unlock(&w->lock);
	agent_crash_log_thread_done();
	return NULL;
}

struct agent_workers *agent_workers_start(size_t n, struct em_monitor *mon, struct agent_sources *sources)
{
	struct agent_workers *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->mon = mon;
	w->sources = sources;
	w->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (w->event_fd < 0) {
		free(w);
		return NULL;
	}
	for (size_t i = 0; i < n && i < AGENT_WORKERS; i++) {
		if (pthread_create(&w->threads[w->nthreads], NULL, worker_main, w) != 0)
			break;
		pthread_setname_np(w->threads[w->nthreads], "energymond:work");
		w->nthreads++;
	}
	if (!w->nthreads) {
		agent_workers_stop(w);
		return NULL;
	}
	return w;
}

int agent_workers_fd(const struct agent_workers *w)
{
	return w->event_fd;
}

void agent_workers_submit(struct agent_workers *w, struct agent_job *job)
{
	job->next = NULL;
	job->started = agent_now_ns();
	pthread_mutex_lock(&w->lock);
	if (w->todo_tail)
		w->todo_tail->next = job;
	else
		w->todo = job;
	w->todo_tail = job;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

struct agent_job *agent_workers_done(struct agent_workers *w)
{
	uint64_t count;
	ssize_t n = read(w->event_fd, &count, sizeof(count));
	(void)n;
	pthread_mutex_lock(&w->lock);
	struct agent_job *list = w->done, *ordered = NULL;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	while (list) { /* oldest first */
		struct agent_job *next = list->next;
		list->next = ordered;
		ordered = list;
		list = next;
	}
	return ordered;
}

void agent_workers_stop(struct agent_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (size_t i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	for (struct agent_job *j = w->done, *next; j; j = next) {
		next = j->next;
		if (j->window) /* a begin nobody will hear of: its window goes */
			em_window_free(w->mon, j->window);
		agent_job_free(j);
	}
	close(w->event_fd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}
