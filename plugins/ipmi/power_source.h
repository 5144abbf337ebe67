/*
 * power_source.h — where the system's power comes from: DCMI Get Power
 * Reading, or the sum of the SDR sensors in Watts that measure PSU input.
 */
#ifndef POWER_SOURCE_H
#define POWER_SOURCE_H

#include "bmc_session.h"
#include "dcmi_cadence.h"
#include "ipmi_config.h"
#include "sdr_catalog.h"

struct power_source {
	int use_dcmi;
	const struct sdr_sensor *sensors[IPMI_POWER_SENSORS_MAX]; /* into the catalog, when !use_dcmi */
	size_t nsensors;
	char description[ENERGY_REASON_MAX]; /* "dcmi" or "sdr:PSU1 Input Power+PSU2 Input Power" */
	const char *sensor_label;            /* the reading's sensor field: "dcmi" or "sdr" */
};

/* True when choosing may need the SDR catalog (power source auto or sdr). */
int power_source_may_need_sdr(const struct ipmi_config *cfg);

/* Decide on the source by taking one reading from it. `cat` may be NULL
 * (no SDR available). Returns 0; -ENODEV when neither DCMI nor a Watts
 * sensor gives a reading, with `why` saying what was tried; another
 * negative errno when the BMC failed to answer. */
int power_source_choose(struct power_source *ps, struct bmc_session *s, const struct ipmi_config *cfg,
			const struct sdr_catalog *cat, ipmi_sensor_read_ctx_t reader, char *why, size_t why_len);

/* Pick the SDR Watts sensors to sum (no I/O): those named in the config,
 * else by the PSU input rule (README.md). Returns 0; -ENOENT for a named
 * sensor that is not there; -ENODEV when the rule finds none. `why` lists
 * the Watts sensors the BMC has. */
int power_source_select_sensors(struct power_source *ps, const struct ipmi_config *cfg,
				const struct sdr_catalog *cat, const char *target, char *why, size_t why_len);

/* One power reading in W (DCMI's current power). With several SDR
 * sensors, all must answer: a partial sum would under-report, so it fails
 * instead. From DCMI, `dcmi` (may be NULL) receives the whole answer. */
int power_source_read(const struct power_source *ps, struct bmc_session *s, ipmi_sensor_read_ctx_t reader,
		      double *watts, struct ipmi_stamp *when, struct dcmi_answer *dcmi, char *why, size_t why_len);

#endif
