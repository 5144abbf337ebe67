#include "sensor_reader.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ipmi_monitoring.h>

int sensor_reader_open(struct sensor_reader *r)
{
	int errnum;

	memset(r, 0, sizeof(*r));
	if (ipmi_monitoring_init(0, &errnum) < 0) {
		snprintf(r->error, sizeof(r->error), "ipmi_monitoring_init: %s",
			 ipmi_monitoring_ctx_strerror(errnum));
		return -1;
	}
	/* A cache per reader: one keyed by host:port would go stale when the
	 * next test's BMC reuses the port. mkdtemp makes it 0700, as
	 * libipmimonitoring demands. */
	strcpy(r->cache_dir, "/tmp/simbmc-sdr-XXXXXX");
	if (!mkdtemp(r->cache_dir)) {
		snprintf(r->error, sizeof(r->error), "mkdtemp failed");
		r->cache_dir[0] = '\0';
		return -1;
	}
	return 0;
}

int sensor_reader_read(struct sensor_reader *r, const char *host,
		       const char *user, const char *password)
{
	struct ipmi_monitoring_ipmi_config conf = {
		.driver_type = -1,
		.protocol_version = IPMI_MONITORING_PROTOCOL_VERSION_2_0,
		.username = (char *)user,
		.password = (char *)password,
		.privilege_level = IPMI_MONITORING_PRIVILEGE_LEVEL_USER,
		.authentication_type = -1,
		.cipher_suite_id = 3,
		.session_timeout_len = 2000,
		.retransmission_timeout_len = 250,
		.workaround_flags =
			IPMI_MONITORING_WORKAROUND_FLAGS_PROTOCOL_VERSION_2_0_OPEN_SESSION_PRIVILEGE,
	};
	ipmi_monitoring_ctx_t c = ipmi_monitoring_ctx_create();
	int rc = -1, count;

	r->n = 0;
	if (!c) {
		snprintf(r->error, sizeof(r->error), "ipmi_monitoring_ctx_create failed");
		return -1;
	}
	if (ipmi_monitoring_ctx_sdr_cache_directory(c, r->cache_dir) < 0) {
		snprintf(r->error, sizeof(r->error), "sdr cache dir: %s",
			 ipmi_monitoring_ctx_errormsg(c));
		goto out;
	}
	count = ipmi_monitoring_sensor_readings_by_record_id(c, host, &conf, 0,
							      NULL, 0, NULL, NULL);
	if (count < 0) {
		snprintf(r->error, sizeof(r->error), "reading sensors of %s: %s", host,
			 ipmi_monitoring_ctx_errormsg(c));
		goto out;
	}
	for (int i = 0; i < count && r->n < SENSOR_READER_MAX; i++) {
		struct sensor_value *v = &r->v[r->n];
		const char *name = ipmi_monitoring_sensor_read_sensor_name(c);
		void *reading = ipmi_monitoring_sensor_read_sensor_reading(c);

		if (name && reading && ipmi_monitoring_sensor_read_sensor_reading_type(c) ==
					       IPMI_MONITORING_SENSOR_READING_TYPE_DOUBLE) {
			snprintf(v->name, sizeof(v->name), "%s", name);
			v->units = ipmi_monitoring_sensor_read_sensor_units(c);
			v->value = *(double *)reading;
			r->n++;
		}
		if (ipmi_monitoring_sensor_iterator_next(c) <= 0)
			break;
	}
	rc = 0;
out:
	ipmi_monitoring_ctx_destroy(c);
	return rc;
}

const struct sensor_value *sensor_reader_find(const struct sensor_reader *r,
					      const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

double sensor_reader_wait_for(struct sensor_reader *r, const char *host,
			      const char *user, const char *password,
			      const char *name, double want, double tol)
{
	const struct timespec step = { 0, 50 * 1000 * 1000 };
	double last = NAN;

	for (int i = 0; i < 60; i++) {
		if (sensor_reader_read(r, host, user, password) == 0) {
			const struct sensor_value *v = sensor_reader_find(r, name);
			if (v) {
				last = v->value;
				if (fabs(last - want) <= tol)
					break;
			}
		}
		nanosleep(&step, NULL);
	}
	return last;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

void sensor_reader_close(struct sensor_reader *r)
{
	if (r->cache_dir[0])
		nftw(r->cache_dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	r->cache_dir[0] = '\0';
}
