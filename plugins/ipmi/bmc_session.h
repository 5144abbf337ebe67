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

struct bmc_attempt;
struct bmc_session;

/* Work an attempt does on its own thread right after it opened a session,
 * before the session is handed over (e.g. read the SDR and pick the power
 * source the first time the BMC answers). Writes only into `arg`, which the
 * sampling thread reads after the attempt was picked up. 0 or -errno. */
typedef int (*bmc_after_open_fn)(struct bmc_session *fresh, void *arg, char *why, size_t why_len);

struct bmc_session {
	ipmi_ctx_t ctx;               /* replaced when a reconnection succeeds */
	unsigned generation;          /* changes whenever ctx does: rebind what uses it */
	struct bmc_attempt *pending;  /* a reconnection running in the background */
	const struct ipmi_config *cfg;
	int is_open;
	int ever_open;                /* a session was open once: later openings are reconnects */
	enum ipmi_link link;          /* resolved: LAN_AUTO becomes LANPLUS or LAN */
	char target[IPMI_HOST_MAX + 64]; /* "127.0.0.1:623 via lanplus", for messages */
	char device[32];              /* in-band device path, when one is used */
	int64_t next_attempt_mono_ns; /* no reconnect before this */
	double backoff_s;             /* wait after the next failed attempt */
	int last_rc;                  /* errno of the last failure (0: none yet), returned while down */
	bmc_after_open_fn after_open; /* run by background attempts while set */
	void *after_open_arg;
	unsigned attempts;            /* background connection attempts started */
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

/* How long (s) a session may be left idle and still be used: the lesser of
 * ipmi_session_refresh and, on LAN links, ipmi_timeout less one
 * retransmission interval (FreeIPMI gives up on a session that has heard
 * nothing from the BMC for ipmi_timeout, counted from the last answer). */
double bmc_session_keep_s(const struct ipmi_config *cfg);

/* 0 when the session is open. Otherwise never waits for the BMC: starts a
 * connection attempt in the background when the backoff allows, picks up its
 * result on a later call, and meanwhile fails at once with the errno of the
 * last failure (-ETIMEDOUT, -EACCES, ...), or -ENOTCONN before the first
 * attempt has a result. Attempts back off from 0.25 s to 30 s; after a
 * refused login (-EACCES) from 60 s to 300 s, so that retrying does not
 * lock the account. A session left idle longer than bmc_session_keep_s()
 * (a reconnection's too, when it is picked up) is replaced first (in the
 * caller's thread: that BMC was answering; the close and the open are each
 * bounded by ipmi_timeout). */
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

/* Close and free; waits for a background reconnection to end (at most
 * ipmi_timeout). Safe on a session that never opened. */
void bmc_session_destroy(struct bmc_session *s);

#endif
