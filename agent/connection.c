/*
 * One connection's side of the protocol: frames in (a 4-byte big-endian
 * length, then the JSON), whole requests handed on one at a time, answers
 * framed and written without ever blocking, and the end of it all.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void agent_conn_close(struct agent *a, size_t ci, const char *why)
{
	struct agent_conn *c = &a->conns[ci];
	if (c->fd < 0)
		return;
	if (why)
		agent_log("closed the connection of pid %d uid %u: %s", (int)c->peer.pid, (unsigned)c->peer.uid, why);
	close(c->fd); /* also leaves the epoll set */
	agent_free_windows(a, c);
	free(c->in);
	free(c->out);
	uint64_t gen = c->gen + 1; /* jobs still out for it will find it gone */
	*c = (struct agent_conn){.fd = -1, .gen = gen};
	a->nconns--;
}

void agent_conn_flush(struct agent *a, size_t ci)
{
	struct agent_conn *c = &a->conns[ci];
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->broken = true;
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	free(c->out); /* answers can be megabytes: not kept between them */
	c->out = NULL;
	c->write_since = 0;
	if (c->close_after_write)
		c->broken = true;
}

void agent_send(struct agent *a, size_t ci, char *text)
{
	struct agent_conn *c = &a->conns[ci];
	size_t n = text ? strlen(text) : 0;
	char *out = text ? realloc(c->out, c->out_len + 4 + n) : NULL;
	if (!out) {
		free(text);
		c->broken = true; /* out of memory: this client loses its connection, the others nothing */
		return;
	}
	c->out = out;
	unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	                        (unsigned char)n};
	memcpy(c->out + c->out_len, len, 4);
	memcpy(c->out + c->out_len + 4, text, n);
	c->out_len += 4 + n;
	free(text);
	if (!c->write_since)
		c->write_since = agent_now_ns();
	agent_conn_flush(a, ci);
}

void agent_send_and_close(struct agent *a, size_t ci, char *text)
{
	a->conns[ci].close_after_write = true;
	agent_send(a, ci, text);
}

/* Answer every whole request buffered, one at a time: a request that runs
 * on a worker holds the next until its answer is queued. */
void agent_conn_input(struct agent *a, size_t ci)
{
	struct agent_conn *c = &a->conns[ci];
	/* nothing new while an answer waits to be read: a client that sends
	 * and never reads makes the agent hold one answer, not all of them */
	while (!c->busy && !c->close_after_write && !c->broken && c->out_off == c->out_len && c->in_len >= 4) {
		uint32_t n = (uint32_t)c->in[0] << 24 | (uint32_t)c->in[1] << 16 | (uint32_t)c->in[2] << 8 | c->in[3];
		if (n > AGENT_REQUEST_MAX) {
			agent_log("refused a request of %u bytes from pid %d uid %u", n, (int)c->peer.pid,
			          (unsigned)c->peer.uid);
			c->in_len = 0;
			agent_send_and_close(a, ci, agent_error_text(E2BIG, "the request is %u bytes, more than %u; "
			                                                "closing the connection", n, AGENT_REQUEST_MAX));
			break;
		}
		if (c->in_len < 4 + (size_t)n)
			break;
		agent_request(a, ci, (const char *)c->in + 4, n);
		memmove(c->in, c->in + 4 + n, c->in_len - 4 - n);
		c->in_len -= 4 + n;
		c->request_since = 0;
	}
	/* the clock runs for a request still arriving, not for one that waits its turn */
	bool whole = c->in_len >= 4 &&
	             c->in_len >= 4 + ((size_t)c->in[0] << 24 | (size_t)c->in[1] << 16 | (size_t)c->in[2] << 8 | c->in[3]);
	if (!c->in_len || whole)
		c->request_since = 0;
	else if (!c->request_since)
		c->request_since = agent_now_ns();
	if (!c->in_len) { /* an idle client (for hours, in a long window) holds no buffer */
		free(c->in);
		c->in = NULL;
	}
}

