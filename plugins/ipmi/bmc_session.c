/*
 * bmc_session.c — open the one FreeIPMI session the plugin uses, and reopen
 * it with backoff when the BMC goes away. Session setup is the expensive part
 * of IPMI (several round trips and key derivation for lanplus); a sample is
 * one request on an open session.
 */
#include "bmc_session.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmc_errors.h"
#include "bmc_reconnect.h"
#include "ipmi_clock.h"

/* The first reconnect is tried at once; later ones wait longer each time,
 * up to half a minute, so a dead BMC in a fleet costs one attempt (at most
 * ipmi_timeout on a background thread) per 30 s while a rebooted one is
 * found again soon. A refused login waits far longer: BMCs lock an account
 * after a few failed logins, which would lock out its real owner too. */
#define BACKOFF_FIRST_S 0.25
#define BACKOFF_MAX_S 30.0
#define AUTH_BACKOFF_FIRST_S 60.0
#define AUTH_BACKOFF_MAX_S 300.0

int bmc_session_init(struct bmc_session *s, const struct ipmi_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ctx = ipmi_ctx_create();
	if (!s->ctx)
		return -ENOMEM;
	if (ipmi_link_is_remote(cfg->link))
		snprintf(s->target, sizeof(s->target), "%s via %s", cfg->host, cfg->link_name);
	else
		snprintf(s->target, sizeof(s->target), "localhost via %s", cfg->link_name);
	return 0;
}

/* Retransmit a few times within the timeout: UDP may drop a packet. */
static unsigned int retransmit_ms(const struct ipmi_config *c)
{
	unsigned int timeout_ms = (unsigned int)(c->timeout_s * 1000.0);
	unsigned int ms = timeout_ms / 4 < 1000 ? timeout_ms / 4 : 1000;
	return ms < 20 ? 20 : ms;
}

static int open_lan(struct bmc_session *s, enum ipmi_link link)
{
	const struct ipmi_config *c = s->cfg;
	unsigned int timeout_ms = (unsigned int)(c->timeout_s * 1000.0);
	unsigned int retransmit = retransmit_ms(c);
	const char *user = c->username[0] ? c->username : NULL;
	const char *password = c->password[0] ? c->password : NULL;
	if (link == IPMI_LINK_LAN)
		return ipmi_ctx_open_outofband(s->ctx, c->host, user, password, IPMI_AUTHENTICATION_TYPE_MD5,
					       c->privilege, timeout_ms, retransmit, c->workarounds_lan,
					       IPMI_FLAGS_DEFAULT);
	return ipmi_ctx_open_outofband_2_0(s->ctx, c->host, user, password, NULL, 0, c->privilege,
					   c->cipher_suite, timeout_ms, retransmit, c->workarounds_lanplus,
					   IPMI_FLAGS_DEFAULT);
}

int bmc_find_local_device(char *device, size_t device_len, char *why, size_t why_len)
{
	static const char *const candidates[] = {"/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0"};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		struct stat st;
		if (stat(candidates[i], &st) != 0)
			continue;
		snprintf(device, device_len, "%s", candidates[i]);
		if (access(candidates[i], R_OK | W_OK) != 0) {
			snprintf(why, why_len, "local BMC: no permission to open %s (owner uid %u gid %u, mode %03o): "
				 "run as root, or grant this user read/write access to it", candidates[i],
				 (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 0777));
			return -EACCES;
		}
		return 0;
	}
	snprintf(why, why_len, "local BMC: no IPMI device (none of /dev/ipmi0, /dev/ipmi/0, /dev/ipmidev/0 "
		 "exists): load the ipmi_si and ipmi_devintf kernel modules if this machine has a BMC, or set "
		 "ipmi_host and ipmi_username to reach one over the network");
	return -ENODEV;
}

static int open_inband(struct bmc_session *s, char *why, size_t why_len)
{
	const struct ipmi_config *c = s->cfg;
	ipmi_driver_type_t driver = IPMI_DEVICE_OPENIPMI;
	const char *device = NULL;
	if (c->link == IPMI_LINK_OPENIPMI) {
		int rc = bmc_find_local_device(s->device, sizeof(s->device), why, why_len);
		if (rc)
			return rc;
		device = s->device;
	} else if (c->link == IPMI_LINK_KCS) {
		driver = IPMI_DEVICE_KCS;
	} else if (c->link == IPMI_LINK_SSIF) {
		driver = IPMI_DEVICE_SSIF;
	} else {
		driver = IPMI_DEVICE_SUNBMC;
	}
	if (ipmi_ctx_open_inband(s->ctx, driver, 0, 0, 0, device, c->workarounds_inband, IPMI_FLAGS_DEFAULT) < 0) {
		int lost;
		return bmc_explain(s, ipmi_ctx_errnum(s->ctx), "opening the in-band interface", why, why_len, &lost);
	}
	if (device)
		snprintf(s->target, sizeof(s->target), "localhost via %s (%s)", device, c->link_name);
	return 0;
}

int bmc_session_open(struct bmc_session *s, char *why, size_t why_len)
{
	if (s->is_open)
		return 0;
	const struct ipmi_config *c = s->cfg;
	int rc = 0, lost;
	if (!ipmi_link_is_remote(c->link)) {
		rc = open_inband(s, why, why_len);
	} else {
		enum ipmi_link link = s->link ? s->link : c->link;
		if (link == IPMI_LINK_LAN_AUTO)
			link = IPMI_LINK_LANPLUS;
		if (open_lan(s, link) < 0) {
			int errnum = ipmi_ctx_errnum(s->ctx);
			/* "auto": an IPMI 1.5-only BMC answers lanplus with this one error. */
			if (c->link == IPMI_LINK_LAN_AUTO && link == IPMI_LINK_LANPLUS &&
			    errnum == IPMI_ERR_IPMI_2_0_UNAVAILABLE) {
				link = IPMI_LINK_LAN;
				if (open_lan(s, link) < 0)
					rc = bmc_explain(s, ipmi_ctx_errnum(s->ctx), "opening an IPMI 1.5 session",
							 why, why_len, &lost);
			} else {
				rc = bmc_explain(s, errnum, "opening a session", why, why_len, &lost);
			}
		}
		if (!rc && s->link != link) {
			s->link = link;
			snprintf(s->target, sizeof(s->target), "%s via %s", c->host,
				 link == IPMI_LINK_LAN ? "lan" : "lanplus");
		}
	}
	if (rc) {
		/* FreeIPMI leaves a failed context half set up; reset it for the next try. */
		ipmi_ctx_close(s->ctx);
		snprintf(s->last_error, sizeof(s->last_error), "%s", why);
		return rc;
	}
	s->is_open = 1;
	s->ever_open = 1;
	s->backoff_s = 0;
	s->last_rc = 0;
	bmc_session_used(s);
	return 0;
}

/* After a failure `rc`: when the next attempt may start. */
static void schedule_next_attempt(struct bmc_session *s, int rc)
{
	int auth = rc == -EACCES;
	s->last_rc = rc;
	if (auth && s->backoff_s < AUTH_BACKOFF_FIRST_S)
		s->backoff_s = AUTH_BACKOFF_FIRST_S;
	s->next_attempt_mono_ns = ipmi_now_ns(CLOCK_MONOTONIC) + (int64_t)(s->backoff_s * 1e9);
	s->backoff_s = s->backoff_s <= 0 ? BACKOFF_FIRST_S : s->backoff_s * 2;
	double cap = auth ? AUTH_BACKOFF_MAX_S : BACKOFF_MAX_S;
	if (s->backoff_s > cap)
		s->backoff_s = cap;
}

/* The errno a caller gets while the BMC is not usable. */
static int down_rc(const struct bmc_session *s)
{
	return s->last_rc ? s->last_rc : -ENOTCONN;
}

/* `why` for a sample() answered from the background attempts' state. */
static void say_waiting(const struct bmc_session *s, const char *state, char *why, size_t why_len)
{
	if (s->last_error[0])
		snprintf(why, why_len, "BMC %s: %s after: %s", s->target, state, s->last_error);
	else
		snprintf(why, why_len, "BMC %s: %s (first attempt; no answer yet, waiting at most %g s)", s->target,
			 state, s->cfg->timeout_s);
}

void bmc_session_used(struct bmc_session *s)
{
	s->last_used_mono_ns = ipmi_now_ns(CLOCK_MONOTONIC);
}

/* How long a session may sit idle and still be used. BMCs close a session
 * after about 60 s without a request (IPMI's default inactivity timeout;
 * some use less): ipmi_session_refresh. And FreeIPMI gives up on a LAN
 * session that has heard nothing from the BMC for its session timeout,
 * which is ipmi_timeout here: counted from the last answer, not from the
 * request, so a request on a session idle that long fails at once
 * (IPMI_ERR_SESSION_TIMEOUT, "no answer") without waiting for the BMC, and
 * one idle nearly that long has almost no time left for its answer. A LAN
 * session is therefore used only while a retransmission interval is left
 * before that deadline; then the request has at least that interval, and
 * whatever more of ipmi_timeout the idle span left. */
double bmc_session_keep_s(const struct ipmi_config *c)
{
	double keep = c->session_refresh_s;
	if (ipmi_link_is_remote(c->link)) {
		double lan = c->timeout_s - retransmit_ms(c) / 1000.0;
		if (lan < keep)
			keep = lan;
	}
	return keep;
}

int bmc_session_ensure(struct bmc_session *s, char *why, size_t why_len)
{
	/* A background attempt's session is picked up first: it may have
	 * waited long enough for a sample() to be idle already. */
	if (!s->is_open && s->pending) {
		int was_open = s->ever_open;
		int rc = bmc_reconnect_poll(s, why, why_len);
		if (rc < 0) {
			snprintf(s->last_error, sizeof(s->last_error), "%s", why);
			schedule_next_attempt(s, rc);
			return rc;
		}
		if (rc > 0) {
			say_waiting(s, "reconnecting in the background", why, why_len);
			return down_rc(s);
		}
		s->reconnects += was_open;
		s->backoff_s = 0;
		s->last_rc = 0;
	}
	/* An idle session (see bmc_session_keep_s) is replaced before it is
	 * used: with sampling intervals near or beyond ipmi_timeout, or after
	 * a pause between create() and start(), one session setup per request
	 * costs less than a request that cannot be answered. The BMC was
	 * answering, so this is done in the caller's thread. */
	int64_t now = ipmi_now_ns(CLOCK_MONOTONIC);
	if (s->is_open && now - s->last_used_mono_ns <= (int64_t)(bmc_session_keep_s(s->cfg) * 1e9))
		return 0;
	if (s->is_open) {
		ipmi_ctx_close(s->ctx);
		s->is_open = 0;
		s->refreshes++;
		int rc = bmc_session_open(s, why, why_len);
		if (rc)
			schedule_next_attempt(s, rc);
		return rc;
	}
	if (now < s->next_attempt_mono_ns) {
		char state[64];
		snprintf(state, sizeof(state), "next reconnect attempt in %.1f s",
			 (double)(s->next_attempt_mono_ns - now) / 1e9);
		say_waiting(s, state, why, why_len);
		return down_rc(s);
	}
	int rc = bmc_reconnect_start(s);
	if (rc) {
		snprintf(why, why_len, "BMC %s: cannot start reconnecting: %s", s->target, strerror(-rc));
		schedule_next_attempt(s, rc);
		return rc;
	}
	s->attempts++;
	say_waiting(s, "reconnecting in the background", why, why_len);
	return down_rc(s);
}

int bmc_session_fail(struct bmc_session *s, const char *what, char *why, size_t why_len)
{
	int lost = 0;
	int rc = bmc_explain(s, ipmi_ctx_errnum(s->ctx), what, why, why_len, &lost);
	if (lost && s->is_open) {
		ipmi_ctx_close(s->ctx);
		s->is_open = 0;
		s->breaks++;
		s->backoff_s = 0;
		schedule_next_attempt(s, rc);
		snprintf(s->last_error, sizeof(s->last_error), "%s", why);
	}
	return rc;
}

void bmc_session_destroy(struct bmc_session *s)
{
	bmc_reconnect_abandon(s);
	if (!s->ctx)
		return;
	if (s->is_open)
		ipmi_ctx_close(s->ctx);
	ipmi_ctx_destroy(s->ctx);
	s->ctx = NULL;
	s->is_open = 0;
}
