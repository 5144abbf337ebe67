/*
 * bmc_reconnect.h — reopen a lost BMC session on a thread of its own, so
 * that sample() never waits for a BMC that is not answering.
 */
#ifndef BMC_RECONNECT_H
#define BMC_RECONNECT_H

#include <stddef.h>

struct bmc_session;

/* Start one attempt on a new context in the background. Returns 0, or a
 * negative errno (no memory, no thread) with nothing started. */
int bmc_reconnect_start(struct bmc_session *s);

/* Has the attempt finished? 1: still running. 0: it succeeded and the new
 * session is now `s`'s (s->generation changed). Negative errno: it failed,
 * with `why` saying why. */
int bmc_reconnect_poll(struct bmc_session *s, char *why, size_t why_len);

/* Wait for a running attempt and drop its result (used when closing). */
void bmc_reconnect_abandon(struct bmc_session *s);

#endif
