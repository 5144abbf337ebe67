/*
 * dcmi_power.h — DCMI Get Power Reading on an open session.
 */
#ifndef DCMI_POWER_H
#define DCMI_POWER_H

#include <stddef.h>

#include "bmc_session.h"
#include "dcmi_cadence.h"

/* One reading: every figure of the answer (current, minimum, maximum and
 * average power, the BMC's time stamp and statistics period), stamped with
 * the midpoint of the request. Returns 0; -EOPNOTSUPP when the BMC has no DCMI power
 * reading (invalid command / not supported completion codes); -ENODATA when
 * the BMC says power measurement is not active (it would answer 0 W, which
 * is not a measurement); another negative errno when the request failed
 * (the session may have been closed for reconnection). `why` names the BMC. */
int dcmi_power_read(struct bmc_session *s, struct dcmi_answer *out, char *why, size_t why_len);

#endif
