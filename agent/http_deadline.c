/*
 * A deadline on every HTTP exchange. libmicrohttpd's connection timeout
 * counts from the last byte, so a client trickling a byte a second would
 * hold its connection for ever; here a connection that has not finished
 * its request and answer within AGENT_HTTP_DEADLINE_S of its accept (or of
 * its previous answer, on a kept-alive connection) is shut down.
 * Each connection's socket is dup()ed when it starts: shutting the dup
 * down ends the connection in libmicrohttpd's own thread (it reads EOF),
 * and the dup keeps the number from being reused by another file before
 * libmicrohttpd reports the close, so the watchdog never hits a stranger.
 */
#include "http_deadline.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct watched {
	struct watched *next, *prev;
	int fd;          /* our dup of the connection's socket */
	double since_s;  /* monotonic: accepted, or its last answer sent */
	int shut;
};

struct http_deadlines {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	struct watched head; /* a ring */
	double limit_s;
	int stopping;
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *watchdog(void *arg)
{
	struct http_deadlines *d = arg;
	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		double now = mono_s();
		for (struct watched *w = d->head.next; w != &d->head; w = w->next)
			if (!w->shut && now - w->since_s > d->limit_s) {
				shutdown(w->fd, SHUT_RDWR);
				w->shut = 1;
			}
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 250000000L; /* the deadline holds to a quarter second */
		if (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&d->wake, &d->lock, &until);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

struct http_deadlines *http_deadlines_start(double limit_s)
{
	struct http_deadlines *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, &ca);
	pthread_condattr_destroy(&ca);
	d->head.next = d->head.prev = &d->head;
	d->limit_s = limit_s;
	if (pthread_create(&d->thread, NULL, watchdog, d) != 0) {
		pthread_cond_destroy(&d->wake);
		pthread_mutex_destroy(&d->lock);
		free(d);
		return NULL;
	}
	return d;
}

void http_deadlines_stop(struct http_deadlines *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = 1;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	/* libmicrohttpd reported every close before MHD_stop_daemon returned */
	while (d->head.next != &d->head) {
		struct watched *w = d->head.next;
		d->head.next = w->next;
		close(w->fd);
		free(w);
	}
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void http_deadlines_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
	struct http_deadlines *d = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct watched *w = ci ? calloc(1, sizeof(*w)) : NULL;
		if (w && (w->fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			free(w);
			w = NULL;
		}
		if (!w) { /* no watch means no deadline: refuse the connection instead */
			if (ci)
				shutdown(ci->connect_fd, SHUT_RDWR);
			*socket_context = NULL;
			return;
		}
		pthread_mutex_lock(&d->lock);
		w->since_s = mono_s();
		w->next = d->head.next;
		w->prev = &d->head;
		d->head.next->prev = w;
		d->head.next = w;
		pthread_mutex_unlock(&d->lock);
		*socket_context = w;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		struct watched *w = *socket_context;
		pthread_mutex_lock(&d->lock);
		w->prev->next = w->next;
		w->next->prev = w->prev;
		pthread_mutex_unlock(&d->lock);
		close(w->fd);
		free(w);
		*socket_context = NULL;
	}
}

void http_deadlines_answered(struct http_deadlines *d, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct watched *w = ci ? ci->socket_context : NULL;
	if (!w)
		return;
	pthread_mutex_lock(&d->lock);
	w->since_s = mono_s();
	pthread_mutex_unlock(&d->lock);
}
