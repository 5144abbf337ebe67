/*
 * sdr_catalog.h — the BMC's sensor records that energymon can use, read once
 * per session (from a cache when it is still valid) and kept in memory.
 */
#ifndef SDR_CATALOG_H
#define SDR_CATALOG_H

#include <freeipmi/freeipmi.h>
#include <stddef.h>
#include <stdint.h>

#include "bmc_session.h"
#include "energy_plugin.h"
#include "ipmi_clock.h"

struct sdr_sensor {
	uint8_t record[IPMI_SDR_MAX_RECORD_LENGTH];
	unsigned int record_len;
	char name[ENERGY_NAME_MAX]; /* the SDR id string, trailing blanks removed */
	uint32_t quantity;          /* ENERGY_Q_TEMPERATURE_C/VOLTAGE_V/CURRENT_A/FAN_RPM/POWER_W */
	int fahrenheit;             /* the BMC reports degrees F; converted to C */
};

struct sdr_catalog {
	struct sdr_sensor *sensors;
	size_t n;
	char cache_file[600]; /* where the SDR was cached; "" when not kept */
	int from_cache;       /* 1: a still-valid cache was used, 0: read from the BMC */
};

/* Load the threshold sensors (full records) whose unit is degrees C/F, Volts, Amps, RPM or
 * Watts. `cache_dir` ("" for no lasting cache) holds one cache per BMC,
 * checked against the BMC's SDR repository timestamps before use and
 * rebuilt when they changed. Returns 0 or a negative errno with `why`. */
int sdr_catalog_load(struct sdr_catalog *cat, struct bmc_session *s, const char *cache_dir,
		     char *why, size_t why_len);

void sdr_catalog_free(struct sdr_catalog *cat);

/* Read one sensor's current value in its energymon unit. Returns 0;
 * -ENODATA when the BMC has no reading for it now (scanning disabled,
 * reading unavailable); another negative errno when the request failed. */
int sdr_sensor_read(ipmi_sensor_read_ctx_t reader, struct bmc_session *s, const struct sdr_sensor *sensor,
		    double *value, struct ipmi_stamp *when, char *why, size_t why_len);

#endif
