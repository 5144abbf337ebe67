/*
 * bmc_reconnect.c — a reconnection attempt runs on its own thread against a
 * private copy of the session (its own FreeIPMI context, which is never
 * shared between threads), so a BMC that does not answer costs that thread
 * up to ipmi_timeout and costs sample() nothing. The caller's thread picks
 * the result up with pthread_tryjoin_np(), whose join orders every write the
 * attempt made before the caller reads them; no lock is needed.
 */
#include "bmc_reconnect.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc_session.h"

struct bmc_attempt {
	pthread_t thread;
	struct bmc_session shadow; /* the attempt's own session; pending is NULL */
	int rc;
	char why[ENERGY_REASON_MAX];
};

static void *attempt_main(void *arg)
{
	struct bmc_attempt *a = arg;
	a->rc = bmc_session_open(&a->shadow, a->why, sizeof(a->why));
	if (a->rc == 0 && a->shadow.after_open)
		a->rc = a->shadow.after_open(&a->shadow, a->shadow.after_open_arg, a->why, sizeof(a->why));
	return NULL;
}

int bmc_reconnect_start(struct bmc_session *s)
{
	struct bmc_attempt *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->shadow = *s;
	a->shadow.pending = NULL;
	a->shadow.is_open = 0;
	a->shadow.ctx = ipmi_ctx_create();
	if (!a->shadow.ctx) {
		free(a);
		return -ENOMEM;
	}
	int rc = pthread_create(&a->thread, NULL, attempt_main, a);
	if (rc) {
		ipmi_ctx_destroy(a->shadow.ctx);
		free(a);
		return -rc;
	}
	s->pending = a;
	return 0;
}

static void discard(struct bmc_attempt *a)
{
	bmc_session_destroy(&a->shadow);
	explicit_bzero(a, sizeof(*a));
	free(a);
}

int bmc_reconnect_poll(struct bmc_session *s, char *why, size_t why_len)
{
	struct bmc_attempt *a = s->pending;
	if (pthread_tryjoin_np(a->thread, NULL) == EBUSY)
		return 1;
	s->pending = NULL;
	if (a->rc) {
		snprintf(why, why_len, "%s", a->why);
		int rc = a->rc;
		discard(a);
		return rc;
	}
	/* Adopt the new session: its context, and what opening it resolved. */
	ipmi_ctx_destroy(s->ctx);
	s->ctx = a->shadow.ctx;
	a->shadow.ctx = NULL;
	s->link = a->shadow.link;
	memcpy(s->target, a->shadow.target, sizeof(s->target));
	memcpy(s->device, a->shadow.device, sizeof(s->device));
	s->last_used_mono_ns = a->shadow.last_used_mono_ns;
	s->is_open = 1;
	s->ever_open = 1;
	s->generation++;
	discard(a);
	return 0;
}

void bmc_reconnect_abandon(struct bmc_session *s)
{
	struct bmc_attempt *a = s->pending;
	if (!a)
		return;
	pthread_join(a->thread, NULL);
	s->pending = NULL;
	discard(a);
}
