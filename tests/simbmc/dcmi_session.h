/*
 * dcmi_session.h — the client side of the simulated BMC tests: one FreeIPMI
 * lanplus session, as the IPMI plugin would hold it, and a DCMI power read.
 */
#ifndef SIMBMC_TEST_DCMI_SESSION_H
#define SIMBMC_TEST_DCMI_SESSION_H

#include <stdint.h>

#include <freeipmi/freeipmi.h>

struct dcmi_power {
	unsigned current_w, min_w, max_w, avg_w;
	uint32_t timestamp, period_ms;
	int active;         /* power measurement state bit */
};

/* Open an IPMI 2.0 session to host ("127.0.0.1:PORT") at the given
 * privilege (IPMI_PRIVILEGE_LEVEL_ADMIN / _USER). NULL on failure, with the
 * reason in why. Short timeouts, so tests against a dead BMC end quickly. */
ipmi_ctx_t dcmi_session_open(const char *host, const char *user,
			     const char *password, uint8_t privilege,
			     char *why, size_t why_len);

/* The same over IPMI 1.5 (RMCP, MD5 authentication). */
ipmi_ctx_t dcmi_session_open_lan15(const char *host, const char *user,
				   const char *password, uint8_t privilege,
				   char *why, size_t why_len);

/* Get DCMI Capability Info, parameter 1: 0 and *supported = the "power
 * management / monitoring" bit, or the FreeIPMI errnum. */
int dcmi_session_power_supported(ipmi_ctx_t ctx, int *supported);

/* One Get Power Reading (system power statistics mode). Returns 0, or the
 * FreeIPMI errnum; *comp_code gets the completion code when one arrived
 * (else -1). */
int dcmi_session_read(ipmi_ctx_t ctx, struct dcmi_power *p, int *comp_code);

void dcmi_session_close(ipmi_ctx_t ctx);

#endif
