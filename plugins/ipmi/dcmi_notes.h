/*
 * dcmi_notes.h — the result's notes on what the DCMI answers showed.
 */
#ifndef DCMI_NOTES_H
#define DCMI_NOTES_H

#include "dcmi_cadence.h"
#include "energy_plugin.h"

/* bmc_refresh_s, dcmi_timestamp, dcmi_statistics_period_s, power_reading,
 * burst_ceiling, bmc_refreshes_seen, stale_power_answers (README.md). */
void dcmi_notes(const struct energy_host *host, const struct dcmi_cadence *c);

#endif
