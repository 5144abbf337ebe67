/*
 * The one loop: accepts, reads frames, answers, and enforces the limits
 * (1024 connections, 64 KiB requests that must arrive within 5 s of their
 * first byte, answers that must be read within 10 s). Every socket is
 * non-blocking and epoll is level-triggered; nothing here waits for a
 * client or a plugin (begin/end run on workers), so a slow, dead or hostile
 * client only ever costs its own connection.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define TAG_LISTEN (1ull << 32)
#define TAG_SIGNAL (2ull << 32)
#define TAG_WORKERS (3ull << 32)
#define TAG_TIMER (4ull << 32)
#define TICK_NS 200000000L /* how often the limits are checked */

struct loop {
	struct agent *a;
	int epoll_fd, listen_fd, reserve_fd;
	bool at_limit; /* logged once per time the cap is reached */
};

static void watch(struct loop *l, size_t ci)
{
	struct agent_conn *c = &l->a->conns[ci];
	uint32_t ev = 0;
	if (!c->close_after_write && !c->eof && c->in_len < AGENT_IN_CAP)
		ev |= EPOLLIN;
	if (c->out_len > c->out_off)
		ev |= EPOLLOUT;
	if (ev != c->events) {
		struct epoll_event e = {.events = ev, .data.u64 = ci};
		epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, c->fd, &e);
		c->events = ev;
	}
}

static void on_readable(struct loop *l, size_t ci)
{
	struct agent_conn *c = &l->a->conns[ci];
	if (!c->in && !(c->in = malloc(AGENT_IN_CAP))) {
		c->broken = true;
		return;
	}
	if (c->in_len == AGENT_IN_CAP)
		return; /* full: nothing read until a request is answered */
	ssize_t n = recv(c->fd, c->in + c->in_len, AGENT_IN_CAP - c->in_len, MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		agent_conn_close(l->a, ci, NULL);
		return;
	}
	if (n == 0) /* shut for writing: its requests are still answered */
		c->eof = true;
	if (n > 0) {
		c->in_len += (size_t)n;
		agent_conn_input(l->a, ci);
	}
}

/* One EMFILE frame, sent if the socket takes it at once, and the close. */
static void refuse(int fd, char *text)
{
	size_t n = text ? strlen(text) : 0;
	unsigned char frame[4 + 512];
	if (text && n <= 512) {
		frame[0] = 0, frame[1] = 0, frame[2] = (unsigned char)(n >> 8), frame[3] = (unsigned char)n;
		memcpy(frame + 4, text, n);
		ssize_t w = send(fd, frame, 4 + n, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)w;
	}
	free(text);
	close(fd);
}

static void take_connection(struct loop *l, int fd)
{
	struct agent *a = l->a;
	if (a->nconns >= AGENT_CONNECTIONS_MAX) {
		if (!l->at_limit)
			agent_log("%d connections open, the most energymond serves; refusing more", AGENT_CONNECTIONS_MAX);
		l->at_limit = true;
		refuse(fd, agent_error_text(EMFILE, "energymond serves at most %d connections at once, and has them",
		                            AGENT_CONNECTIONS_MAX));
		return;
	}
	l->at_limit = false;
	size_t ci = 0;
	while (a->conns[ci].fd >= 0)
		ci++;
	struct agent_conn *c = &a->conns[ci];
	struct epoll_event e = {.events = EPOLLIN, .data.u64 = ci};
	if (agent_peer_of(fd, a->group_set, a->group, &c->peer) != 0) {
		agent_log("cannot take a connection: %s", strerror(errno));
		close(fd);
		return;
	}
	if (c->peer.uid != 0 && agent_uid_connections(a, c->peer.uid) >= AGENT_CONNECTIONS_PER_UID) {
		refuse(fd, agent_error_text(EMFILE, "uid %u has %d connections open, the most one uid may have",
		                            (unsigned)c->peer.uid, AGENT_CONNECTIONS_PER_UID));
		return;
	}
	if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &e) != 0) {
		agent_log("cannot take a connection: %s", strerror(errno));
		close(fd);
		return;
	}
	c->fd = fd;
	c->events = EPOLLIN;
	a->nconns++;
}

static void on_listen(struct loop *l)
{
	for (int i = 0; i < 64; i++) { /* a burst at a time; the rest on the next round */
		int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			take_connection(l, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if ((errno == EMFILE || errno == ENFILE) && l->reserve_fd >= 0) {
			/* out of descriptors: take the connection with the spare one and
			 * drop it, or level-triggered epoll would spin on it */
			agent_log("out of file descriptors; dropping a connection");
			close(l->reserve_fd);
			fd = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				close(fd);
			l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			agent_log("accept: %s", strerror(errno));
		return;
	}
}

static void on_tick(struct loop *l, int timer_fd)
{
	uint64_t ticks;
	ssize_t n = read(timer_fd, &ticks, sizeof(ticks));
	(void)n;
	int64_t now = agent_now_ns();
	for (size_t ci = 0; ci < AGENT_CONNECTIONS_MAX; ci++) {
		struct agent_conn *c = &l->a->conns[ci];
		if (c->fd < 0)
			continue;
		if (c->request_since && now - c->request_since > AGENT_REQUEST_TIME_NS)
			agent_conn_close(l->a, ci, "its request did not arrive whole within 5 s of its first byte");
		else if (c->write_since && now - c->write_since > AGENT_WRITE_TIME_NS)
			agent_conn_close(l->a, ci, "it did not read its answer within 10 s");
	}
}

static void after_event(struct loop *l, size_t ci)
{
	struct agent_conn *c = &l->a->conns[ci];
	if (c->fd < 0)
		return;
	if (!c->broken)
		agent_conn_input(l->a, ci); /* requests held back while an answer was pending */
	/* after a half-close, once all it asked is answered: what is left is
	 * at most a request that can never arrive whole */
	if (c->broken || (c->eof && !c->busy && c->out_off == c->out_len))
		agent_conn_close(l->a, ci, NULL);
	else
		watch(l, ci);
}

static void on_jobs_done(struct loop *l)
{
	struct agent_job *job = agent_workers_done(l->a->workers);
	while (job) {
		struct agent_job *next = job->next;
		size_t ci = job->conn;
		agent_request_done(l->a, job);
		after_event(l, ci); /* and the requests it held back */
		job = next;
	}
}

static int add(struct loop *l, int fd, uint64_t tag)
{
	struct epoll_event e = {.events = EPOLLIN, .data.u64 = tag};
	return epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &e);
}

int agent_serve(struct agent *a, struct agent_socket *sock, int signal_fd)
{
	struct loop l = {.a = a, .listen_fd = sock->fd};
	l.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	int timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	l.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct itimerspec tick = {.it_interval = {0, TICK_NS}, .it_value = {0, TICK_NS}};
	int rc = l.epoll_fd < 0 || timer_fd < 0 || timerfd_settime(timer_fd, 0, &tick, NULL) ||
	         add(&l, sock->fd, TAG_LISTEN) || add(&l, signal_fd, TAG_SIGNAL) ||
	         add(&l, agent_workers_fd(a->workers), TAG_WORKERS) || add(&l, timer_fd, TAG_TIMER) ? -errno : 0;
	bool running = rc == 0;
	if (running)
		agent_log("listening on %s", sock->path);
	while (running) {
		struct epoll_event ev[64];
		int n = epoll_wait(l.epoll_fd, ev, 64, -1);
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			agent_log("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && running; i++) {
			uint64_t tag = ev[i].data.u64;
			if (tag == TAG_LISTEN) {
				on_listen(&l);
			} else if (tag == TAG_SIGNAL) {
				struct signalfd_siginfo si;
				if (read(signal_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					agent_log("SIGHUP: nothing to reload; restart energymond to change its configuration");
					continue;
				}
				agent_log("signal %d (%s): shutting down", (int)si.ssi_signo, strsignal((int)si.ssi_signo));
				running = false;
			} else if (tag == TAG_WORKERS) {
				on_jobs_done(&l);
			} else if (tag == TAG_TIMER) {
				on_tick(&l, timer_fd);
			} else if (a->conns[tag].fd >= 0) {
				if (ev[i].events & (EPOLLHUP | EPOLLERR)) {
					/* gone both ways: no one to answer; its windows go with it */
					agent_conn_close(a, tag, NULL);
					continue;
				}
				if (ev[i].events & EPOLLOUT)
					agent_conn_flush(a, tag);
				if (ev[i].events & EPOLLIN)
					on_readable(&l, tag);
				after_event(&l, tag);
			}
		}
	}
	/* stop accepting first, so no client finds a socket nobody serves */
	agent_socket_close(sock);
	for (size_t ci = 0; ci < AGENT_CONNECTIONS_MAX; ci++)
		agent_conn_close(a, ci, NULL);
	if (timer_fd >= 0)
		close(timer_fd);
	if (l.reserve_fd >= 0)
		close(l.reserve_fd);
	if (l.epoll_fd >= 0)
		close(l.epoll_fd);
	return rc;
}
