/*
 * sensor_reader.h — read every SDR sensor of a BMC through libipmimonitoring
 * (as the IPMI plugin's SDR path would), with a private SDR cache.
 */
#ifndef SIMBMC_TEST_SENSOR_READER_H
#define SIMBMC_TEST_SENSOR_READER_H

#include <stddef.h>

#define SENSOR_READER_MAX 32

struct sensor_value {
	char name[64];
	int units;        /* IPMI_MONITORING_SENSOR_UNITS_* */
	double value;
};

struct sensor_reader {
	char cache_dir[64]; /* fresh, mode 0700, removed by close */
	struct sensor_value v[SENSOR_READER_MAX];
	size_t n;
	char error[512];
};

int sensor_reader_open(struct sensor_reader *r);

/* Read all sensors of host ("127.0.0.1:PORT") at USER privilege.
 * Returns 0 or -1 with r->error set. */
int sensor_reader_read(struct sensor_reader *r, const char *host,
		       const char *user, const char *password);

/* The last read value of the sensor called name, or NULL. */
const struct sensor_value *sensor_reader_find(const struct sensor_reader *r,
					      const char *name);

/* Re-read until name reads within tol of want (sensor files are polled every
 * 100 ms), for at most ~3 s. Returns the last value read (NAN if none). */
double sensor_reader_wait_for(struct sensor_reader *r, const char *host,
			      const char *user, const char *password,
			      const char *name, double want, double tol);

void sensor_reader_close(struct sensor_reader *r);

#endif
