/*
 * test_agent_wire.c — the agent's frames by hand, with a deadline on every
 * read and write (see test_agent_wire.h).
 */
#include "test_agent_wire.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for `events` or the deadline (monotonic ms) passes. */
static int wait_ready(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left < 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int agent_wire_connect(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int agent_wire_write(int fd, const void *buf, size_t len, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	const char *p = buf;
	while (len > 0) {
		int rc = wait_ready(fd, POLLOUT, deadline);
		if (rc)
			return rc;
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return errno == EPIPE ? -ECONNRESET : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len, long long deadline)
{
	char *p = buf;
	while (len > 0) {
		int rc = wait_ready(fd, POLLIN, deadline);
		if (rc)
			return rc;
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int agent_wire_send(int fd, const char *body, size_t len, int timeout_ms)
{
	if (len > UINT32_MAX)
		return -E2BIG;
	unsigned char head[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
	                         (unsigned char)len};
	/* one buffer, one send for the common small frame: two sends would cost
	 * the round trips the benchmark measures a second wakeup */
	char small[4096];
	if (len <= sizeof(small) - 4) {
		memcpy(small, head, 4);
		memcpy(small + 4, body, len);
		return agent_wire_write(fd, small, len + 4, timeout_ms);
	}
	int rc = agent_wire_write(fd, head, 4, timeout_ms);
	return rc ? rc : agent_wire_write(fd, body, len, timeout_ms);
}

int agent_wire_recv(int fd, char **body, size_t *len, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	unsigned char head[4];
	*body = NULL;
	int rc = read_all(fd, head, 4, deadline);
	if (rc)
		return rc;
	size_t n = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
	if (n > AGENT_WIRE_RESPONSE_MAX)
		return -EPROTO;
	char *b = malloc(n + 1);
	if (!b)
		return -ENOMEM;
	rc = read_all(fd, b, n, deadline);
	if (rc) {
		free(b);
		return rc;
	}
	b[n] = '\0';
	*body = b;
	*len = n;
	return 0;
}

json_t *agent_wire_call(int fd, const char *request, int timeout_ms, int *rc)
{
	char *body = NULL;
	size_t len = 0;
	*rc = agent_wire_send(fd, request, strlen(request), timeout_ms);
	if (*rc == 0)
		*rc = agent_wire_recv(fd, &body, &len, timeout_ms);
	if (*rc)
		return NULL;
	json_t *answer = json_loadb(body, len, 0, NULL);
	free(body);
	if (!json_is_object(answer)) {
		json_decref(answer);
		*rc = -EPROTO;
		return NULL;
	}
	return answer;
}

json_t *agent_wire_call_once(const char *path, const char *request, int timeout_ms, int *rc)
{
	int fd = agent_wire_connect(path);
	if (fd < 0) {
		*rc = fd;
		return NULL;
	}
	json_t *answer = agent_wire_call(fd, request, timeout_ms, rc);
	close(fd);
	return answer;
}
