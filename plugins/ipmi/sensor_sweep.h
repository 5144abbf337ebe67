/*
 * sensor_sweep.h — read the environmental sensors (temperature, voltage,
 * current, fan) at their own, slower interval, a few per sample() call, so
 * that they never delay a power reading by more than a request or two.
 */
#ifndef SENSOR_SWEEP_H
#define SENSOR_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "bmc_session.h"
#include "energy_plugin.h"
#include "sdr_catalog.h"

struct sensor_sweep {
	const struct sdr_sensor **sensors; /* into the catalog; Watts sensors excluded */
	size_t n;
	size_t pos;            /* next sensor of the sweep in progress */
	int active;            /* a sweep is in progress */
	int64_t period_ns;
	int64_t next_due_ns;   /* CLOCK_MONOTONIC */
	size_t per_call;       /* sensors read per sample() call */
	unsigned long reads;   /* readings emitted */
	unsigned long misses;  /* sensors that gave no reading when asked */
};

/* Pick the non-Watts sensors of `cat`. Returns 0 or -ENOMEM. */
int sensor_sweep_init(struct sensor_sweep *sw, const struct sdr_catalog *cat, double interval_s,
		      double power_interval_s);

/* First sweep at the next step. */
void sensor_sweep_reset(struct sensor_sweep *sw);

/* Read this call's share of sensors if a sweep is due or running, and emit
 * each reading. A sensor without a reading is skipped (logged at debug); a
 * failed request ends this call's share and the session error stays with
 * the session (the next power reading reports it). */
void sensor_sweep_step(struct sensor_sweep *sw, const struct energy_host *host, struct bmc_session *s,
		       ipmi_sensor_read_ctx_t reader);

void sensor_sweep_free(struct sensor_sweep *sw);

#endif
