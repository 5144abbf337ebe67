/*
 * dcmi_notes.c — the result's notes on what the DCMI answers showed: how
 * fresh and how complete the BMC's readings were, which the host's energy
 * bound relies on and a reader needs to judge it.
 */
#include "dcmi_notes.h"

#include "ipmi_reading_config.h"

void dcmi_notes(const struct energy_host *host, const struct dcmi_cadence *c)
{
	double refresh_s = dcmi_cadence_refresh_s(c);
	if (refresh_s > 0)
		host->note_number(host->ctx, "bmc_refresh_s", refresh_s, "s");
	else
		host->note_string(host->ctx, "bmc_refresh_s", "not yet seen: fewer than two changes of the reading");
	host->note_string(host->ctx, "dcmi_timestamp", dcmi_cadence_stamp_behaviour(c));
	if (c->have_last)
		host->note_number(host->ctx, "dcmi_statistics_period_s", c->last.period_ms / 1000.0, "s");
	host->note_string(host->ctx, "power_reading", ipmi_power_reading_name(c->choice));
	host->note_string(host->ctx, "burst_ceiling", dcmi_cadence_burst_ceiling(c));
	host->note_number(host->ctx, "bmc_refreshes_seen", (double)c->refreshes, "");
	host->note_number(host->ctx, "stale_power_answers", (double)c->stale, "");
}
