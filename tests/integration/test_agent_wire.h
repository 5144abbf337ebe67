/*
 * test_agent_wire.h — energymond's socket protocol (docs/agent-protocol.md)
 * spoken by hand, for the tests and benchmarks that must send what the
 * library never would (a malformed or oversized request, an op the library
 * has no call for) or time the bare round trip.
 *
 * A frame is a 4-byte big-endian length, then that many bytes of JSON.
 * Every call has a timeout in milliseconds and returns 0 (or an fd) or a
 * negative errno: -ETIMEDOUT, -ECONNRESET when the peer closed, -EPROTO
 * for a frame that is not one.
 */
#ifndef TEST_AGENT_WIRE_H
#define TEST_AGENT_WIRE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_WIRE_RESPONSE_MAX (64u << 20) /* EM_AGENT_RESPONSE_MAX */

/* A connected stream socket to the agent at `path`, or -errno. */
int agent_wire_connect(const char *path);
/* Write all of buf (len bytes) within timeout_ms. */
int agent_wire_write(int fd, const void *buf, size_t len, int timeout_ms);
/* One frame holding `len` bytes of `body`. */
int agent_wire_send(int fd, const char *body, size_t len, int timeout_ms);
/* One frame in: *body (NUL-terminated, caller frees), *len its length. */
int agent_wire_recv(int fd, char **body, size_t *len, int timeout_ms);
/* Send `request` (JSON text) and parse the answer; NULL with *rc set
 * (negative errno) when there is none. */
json_t *agent_wire_call(int fd, const char *request, int timeout_ms, int *rc);
/* Connect, one call, close: the answer or NULL (*rc says why). */
json_t *agent_wire_call_once(const char *path, const char *request, int timeout_ms, int *rc);

#endif
