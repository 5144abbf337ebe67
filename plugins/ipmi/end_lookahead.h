/*
 * end_lookahead.h — at stop, one more DCMI refresh. A BMC shows the power
 * of its last seconds only at its next refresh; without it, the bound must
 * assume what those seconds did (docs/uncertainty.md). So stop() keeps
 * asking, at most the BMC's lag (and never more than END_LOOKAHEAD_MAX_S,
 * inside the host's stop budget), until the answer is fresh, and emits it
 * as an ENERGY_READING_LOOKAHEAD reading: bound only, never energy.
 */
#ifndef END_LOOKAHEAD_H
#define END_LOOKAHEAD_H

#include "bmc_session.h"
#include "dcmi_cadence.h"
#include "power_source.h"

#define END_LOOKAHEAD_MAX_S 4.5
#define END_LOOKAHEAD_POLL_S 0.1

/* end_lookahead()'s return when the BMC answered but did not refresh in
 * time (not -ETIMEDOUT: that is a request it did not answer). */
#define END_LOOKAHEAD_NO_REFRESH 1

/* lag_s: the last reading's. Returns 0 when a fresh answer was emitted,
 * END_LOOKAHEAD_NO_REFRESH, or the request's error; every outcome leaves
 * the run's result as it was but for the bound. */
int end_lookahead(const struct energy_host *host, struct dcmi_cadence *c, const struct power_source *ps,
		  struct bmc_session *s, ipmi_sensor_read_ctx_t reader, double lag_s);

#endif
