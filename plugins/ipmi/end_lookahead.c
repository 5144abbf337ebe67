#include "end_lookahead.h"

#include <errno.h>
#include <math.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int end_lookahead(const struct energy_host *host, struct dcmi_cadence *c, const struct power_source *ps,
		  struct bmc_session *s, ipmi_sensor_read_ctx_t reader, double lag_s)
{
	double deadline = now_s() + fmin(lag_s + END_LOOKAHEAD_POLL_S, END_LOOKAHEAD_MAX_S);
	char why[ENERGY_REASON_MAX];
	while (now_s() < deadline) {
		struct timespec pause = {0, (long)(END_LOOKAHEAD_POLL_S * 1e9)};
		nanosleep(&pause, NULL);
		double watts;
		struct ipmi_stamp when;
		struct dcmi_answer a;
		/* the last sample may be an interval ago: a session idle too
		 * long for FreeIPMI is replaced first (never reopened after a
		 * break here: that is the background attempts' work) */
		int rc = s->is_open ? bmc_session_ensure(s, why, sizeof(why)) : -ENOTCONN;
		if (rc == 0)
			rc = power_source_read(ps, s, reader, &watts, &when, &a, why, sizeof(why));
		if (rc)
			return rc; /* a BMC that fails now costs the look-ahead, nothing else */
		struct energy_reading r;
		dcmi_cadence_reading(c, &a, &r);
		if (r.flags & ENERGY_READING_STALE)
			continue;
		r.flags |= ENERGY_READING_LOOKAHEAD;
		return host->emit(host->ctx, &r);
	}
	return END_LOOKAHEAD_NO_REFRESH;
}
