/*
 * The client's socket to energymond: connect, frames (4-byte big-endian
 * length + one JSON object) and one request/answer at a time. Every byte
 * from the socket is hostile: lengths are capped before anything is
 * allocated, every read and write waits at most until a deadline, and a
 * peer that hangs up never raises SIGPIPE in the caller's process.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct em_agent_conn *em_agent_conn_new(const char *path, const _Atomic bool *give_up)
{
	struct em_agent_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->fd = -1;
	c->interval_s = NAN;
	c->give_up = give_up;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return c;
}

void em_agent_disconnect(struct em_agent_conn *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->window_open = false;
	pthread_mutex_unlock(&c->lock);
}

void em_agent_shutdown(struct em_agent_conn *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
}

void em_agent_conn_free(struct em_agent_conn *c)
{
	if (!c)
		return;
	em_agent_disconnect(c);
	pthread_mutex_destroy(&c->lock);
	free(c->sources);
	free(c);
}

static bool gave_up(const struct em_agent_conn *c)
{
	return c->give_up && *c->give_up;
}

/* Wait for `events` on the socket until the deadline: 0, -ETIMEDOUT, or
 * -ECANCELED once the monitor was abandoned (em_monitor_abandon shuts the
 * socket down, which wakes this poll). */
static int wait_for(struct em_agent_conn *c, short events, int64_t deadline)
{
	for (;;) {
		if (gave_up(c))
			return -ECANCELED;
		int64_t left_ns = deadline - em_now_ns(CLOCK_MONOTONIC);
		if (left_ns <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = c->fd, .events = events};
		int n = poll(&p, 1, (int)((left_ns + 999999) / 1000000));
		if (n > 0)
			return gave_up(c) ? -ECANCELED : 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int send_all(struct em_agent_conn *c, const char *buf, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		int rc = wait_for(c, POLLOUT, deadline);
		if (rc)
			return rc;
	}
	return 0;
}

/* Exactly len bytes; -ECONNRESET when the peer closed the connection first. */
static int recv_all(struct em_agent_conn *c, char *buf, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return gave_up(c) ? -ECANCELED : -ECONNRESET;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		int rc = wait_for(c, POLLIN, deadline);
		if (rc)
			return rc;
	}
	return 0;
}

/* A failure of the exchange `op`, in words that name the socket. */
static int io_fail(struct em_agent_conn *c, const char *op, int rc, double timeout_s, struct em_error *err)
{
	const char *mid = c->window_open ? " mid-window" : "";
	if (rc == -ETIMEDOUT)
		return em_fail(err, rc, "energymond at %s: timed out%s: no answer to '%s' within %.0f s", c->path, mid,
		               op, timeout_s);
	if (rc == -ECONNRESET || rc == -EPIPE)
		return em_fail(err, -ECONNRESET, "energymond at %s: connection closed%s before the answer to '%s'",
		               c->path, mid, op);
	if (rc == -ECANCELED)
		return em_fail(err, rc, "energymond at %s: the wait for '%s' was abandoned (em_monitor_abandon)",
		               c->path, op);
	return em_fail(err, rc, "energymond at %s: '%s' failed: %s", c->path, op, strerror(-rc));
}

static int send_frame(struct em_agent_conn *c, const char *op, const json_t *request, int64_t deadline,
                      double timeout_s, struct em_error *err)
{
	char *text = json_dumps(request, JSON_COMPACT | EM_JSON_REALS);
	if (!text)
		return em_fail(err, -ENOMEM, "out of memory");
	size_t len = strlen(text);
	if (len > EM_AGENT_REQUEST_MAX) {
		free(text);
		return em_fail(err, -E2BIG, "energymond at %s: the '%s' request would be %zu bytes; the protocol "
		               "allows %d", c->path, op, len, EM_AGENT_REQUEST_MAX);
	}
	unsigned char head[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
	                         (unsigned char)len};
	int rc = send_all(c, (const char *)head, sizeof(head), deadline);
	if (!rc)
		rc = send_all(c, text, len, deadline);
	free(text);
	return rc ? io_fail(c, op, rc, timeout_s, err) : 0;
}

static int recv_frame(struct em_agent_conn *c, const char *op, int64_t deadline, double timeout_s, char **out,
                      size_t *out_len, struct em_error *err)
{
	unsigned char head[4];
	int rc = recv_all(c, (char *)head, sizeof(head), deadline);
	if (rc)
		return io_fail(c, op, rc, timeout_s, err);
	uint32_t len = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 | (uint32_t)head[2] << 8 | head[3];
	if (len == 0 || len > EM_AGENT_RESPONSE_MAX)
		return em_fail(err, -EPROTO, "energymond at %s: answered '%s' with a frame of %u bytes (a response "
		               "holds 1 to %d)", c->path, op, len, EM_AGENT_RESPONSE_MAX);
	char *buf = malloc((size_t)len + 1);
	if (!buf)
		return em_fail(err, -ENOMEM, "out of memory for a %u-byte answer", len);
	if ((rc = recv_all(c, buf, len, deadline))) {
		free(buf);
		return io_fail(c, op, rc, timeout_s, err);
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

/* The peer's own words, made safe to print: at most 300 bytes, control
 * characters replaced, valid UTF-8. */
static void peer_text(char *out, size_t len, const char *in)
{
	snprintf(out, len < 300 ? len : 300, "%s", in ? in : "(no message)");
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	em_utf8_sanitize(out);
}

/* The answer's envelope: an object, "v": 1, "ok": a boolean; ok:false is
 * its errno (symbolic) with its error text. */
static int check_envelope(struct em_agent_conn *c, const char *op, json_t *a, struct em_error *err)
{
	json_t *v = json_object_get(a, "v"), *ok = json_object_get(a, "ok");
	if (!json_is_object(a))
		return em_fail(err, -EPROTO, "energymond at %s: answered '%s' with JSON that is not an object", c->path,
		               op);
	if (!json_is_integer(v) || json_integer_value(v) != EM_AGENT_PROTOCOL_VERSION || !json_is_boolean(ok))
		return em_fail(err, -EPROTO, "energymond at %s: answered '%s' without \"v\": %d and a boolean \"ok\" "
		               "(not protocol version %d)", c->path, op, EM_AGENT_PROTOCOL_VERSION,
		               EM_AGENT_PROTOCOL_VERSION);
	if (json_is_true(ok))
		return 0;
	const char *name = json_string_value(json_object_get(a, "errno"));
	char said[300], eno[32];
	peer_text(said, sizeof(said), json_string_value(json_object_get(a, "error")));
	peer_text(eno, sizeof(eno), name ? name : "no errno");
	int code = name ? em_agent_errno_of(name) : 0;
	return em_fail(err, code ? -code : -EIO, "energymond at %s: refused '%s': %s (%s)", c->path, op, said, eno);
}

int em_agent_call(struct em_agent_conn *c, const char *op, json_t *request, double timeout_s, json_t **answer,
                  struct em_error *err)
{
	*answer = NULL;
	if (c->fd < 0)
		return em_fail(err, -ENOTCONN, "energymond at %s: not connected", c->path);
	if (gave_up(c))
		return io_fail(c, op, -ECANCELED, timeout_s, err);
	int64_t deadline = em_now_ns(CLOCK_MONOTONIC) + (int64_t)(timeout_s * 1e9);
	int rc = send_frame(c, op, request, deadline, timeout_s, err);
	char *text = NULL;
	size_t len = 0;
	if (rc || (rc = recv_frame(c, op, deadline, timeout_s, &text, &len, err)))
		return rc;
	json_error_t jerr;
	json_t *a = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!a) {
		char said[200];
		peer_text(said, sizeof(said), jerr.text);
		return em_fail(err, -EPROTO, "energymond at %s: answered '%s' with invalid JSON (at byte %d: %s)",
		               c->path, op, jerr.position, said);
	}
	if ((rc = check_envelope(c, op, a, err))) {
		json_decref(a);
		return rc;
	}
	*answer = a;
	return 0;
}

/* connect() on a non-blocking socket, waiting at most until the deadline. */
static int connect_by(struct em_agent_conn *c, int64_t deadline)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(c->path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, c->path, strlen(c->path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	pthread_mutex_lock(&c->lock);
	c->fd = fd;
	pthread_mutex_unlock(&c->lock);
	for (;;) {
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		/* a Unix socket whose backlog is full answers EAGAIN: try again */
		if (errno != EAGAIN && errno != EINPROGRESS)
			return -errno;
		if (errno == EINPROGRESS) {
			int rc = wait_for(c, POLLOUT, deadline);
			int so = 0;
			socklen_t sl = sizeof(so);
			if (rc || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0)
				return rc ? rc : -errno;
			return -so;
		}
		struct timespec pause = {0, 10 * 1000 * 1000};
		if (em_now_ns(CLOCK_MONOTONIC) >= deadline)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

/* Who listens: root (energymond's unit) or this process's own uid, else
 * -EPERM. Anyone else could have bound the path first (ENERGYMON_SOCKET
 * from a shared environment, a directory another user may write) and
 * would then choose what this process reports and writes. The kernel says
 * who called listen() (SO_PEERCRED), whatever the file's owner. */
static int check_listener(struct em_agent_conn *c, struct em_error *err)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return em_fail(err, -errno, "energymond at %s: cannot learn who listens: %s", c->path, strerror(errno));
	if (cred.uid == 0 || cred.uid == geteuid())
		return 0;
	return em_fail(err, -EPERM, "energymond at %s: the socket is served by uid %u, neither root nor this "
	               "process's uid %u; not trusting it", c->path, (unsigned)cred.uid, (unsigned)geteuid());
}

int em_agent_connect(struct em_agent_conn *c, double timeout_s, struct em_error *err)
{
	int rc = connect_by(c, em_now_ns(CLOCK_MONOTONIC) + (int64_t)(timeout_s * 1e9));
	if (!rc) {
		if (!(rc = check_listener(c, err)))
			return 0;
		em_agent_disconnect(c);
		return rc;
	}
	em_agent_disconnect(c);
	if (rc == -ENOENT || rc == -ENOTDIR)
		return em_fail(err, -ENOENT, "energymond at %s: no such socket (is energymond running? "
		               "ENERGYMON_SOCKET names another)", c->path);
	if (rc == -ECONNREFUSED)
		return em_fail(err, rc, "energymond at %s: connection refused (the socket exists but nobody listens)",
		               c->path);
	if (rc == -ETIMEDOUT)
		return em_fail(err, rc, "energymond at %s: timed out connecting (%.0f s)", c->path, timeout_s);
	return em_fail(err, rc, "energymond at %s: cannot connect: %s", c->path, strerror(-rc));
}
