/*
 * bmc_session.h — one FreeIPMI session to the BMC, opened once and reused
 * for every request; when it breaks, reopened with backoff.
 */
#ifndef BMC_SESSION_H
#define BMC_SESSION_H

#include <freeipmi/freeipmi.h>
#include <stddef.h>
#include <stdint.h>

#include "ipmi_config.h"

struct bmc_session {
	ipmi_ctx_t ctx;               /* kept across reconnects; only closed and reopened */
	const struct ipmi_config *cfg;
	int is_open;
	enum ipmi_link link;          /* resolved: LAN_AUTO becomes LANPLUS or LAN */
	char target[IPMI_HOST_MAX + 64]; /* "127.0.0.1:623 via lanplus", for messages */
	char device[32];              /* in-band device path, when one is used */
	int64_t next_attempt_mono_ns; /* no reconnect before this */
	double backoff_s;             /* wait after the next failed attempt */
	int64_t last_used_mono_ns;    /* last time the BMC answered on this session */
	unsigned reconnects;          /* successful reopenings after a break */
	unsigned refreshes;           /* idle sessions replaced before use */
	unsigned breaks;              /* times the session was found broken */
	char last_error[ENERGY_REASON_MAX];
};

/* Prepare (no I/O). Returns 0 or -ENOMEM. */
int bmc_session_init(struct bmc_session *s, const struct ipmi_config *cfg);

/* Open the session now, once. Returns 0 or a negative errno with `why`
 * naming the BMC and saying what to change. */
int bmc_session_open(struct bmc_session *s, char *why, size_t why_len);

/* 0 when the session is open; otherwise try to reopen it unless the backoff
 * says not yet. Fails fast (-ENOTCONN) while waiting for the next attempt.
 * A session left idle longer than a BMC may keep it is replaced first. */
int bmc_session_ensure(struct bmc_session *s, char *why, size_t why_len);

/* After a failed request on the session: turn FreeIPMI's error into a
 * negative errno and a message naming the BMC and `what` was asked; close
 * the session if the error means it is gone, so that a later
 * bmc_session_ensure() reopens it. */
int bmc_session_fail(struct bmc_session *s, const char *what, char *why, size_t why_len);

/* The kernel IPMI driver's device node (/dev/ipmi0 or its udev variants),
 * checked up front so that the message can name it. Returns 0 with its path,
 * -ENODEV when there is none, -EACCES when this user cannot open it. */
int bmc_find_local_device(char *device, size_t device_len, char *why, size_t why_len);

/* The BMC answered a request on the session: it is alive now. */
void bmc_session_used(struct bmc_session *s);

/* Close and free. Safe on a session that never opened. */
void bmc_session_destroy(struct bmc_session *s);

#endif
