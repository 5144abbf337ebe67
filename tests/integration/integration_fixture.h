/*
 * What the integration tests share: the simulated BMC they run against, the
 * configuration that reaches it, and small readers of the result JSON.
 */
#ifndef INTEGRATION_FIXTURE_H
#define INTEGRATION_FIXTURE_H

#include "../core/test_util.h"
#include "simbmc_client.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static inline double now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Configuration JSON for `bmc`, strategy `strategy` (JSON text) and the
 * sampling interval in s. */
static inline void config_for(char *buf, size_t len, const struct simbmc *bmc, const char *sdr_dir,
                              const char *strategy, double interval)
{
	snprintf(buf, len,
	         "{\"lithops\": {\"energy_strategy\": %s}, \"energy_sampling_interval\": %g,"
	         " \"ipmi_host\": \"%s\", \"ipmi_username\": \"%s\", \"ipmi_password_file\": \"%s\","
	         " \"ipmi_workarounds\": [\"opensesspriv\"], \"ipmi_sdr_cache_dir\": \"%s\","
	         " \"ipmi_sensor_interval\": 1}",
	         strategy, interval, bmc->host, bmc->user, bmc->password_file, sdr_dir);
}

/* main()'s start: the simulated BMC running, with an empty SDR cache dir
 * (sdr_dir) in its dir. 0, or main's exit status: 77 (saying why) where
 * simbmc cannot run, 1 when it does not start. */
static inline int start_bmc(struct simbmc *bmc, char *sdr_dir, size_t len)
{
	char why[512];
	if (simbmc_available(why, sizeof(why)) != 0) {
		printf("skipped: %s\n", why);
		return 77;
	}
	struct simbmc_options o = {0};
	if (simbmc_start(bmc, &o) != 0) {
		fprintf(stderr, "cannot start the simulated BMC: %s\n", bmc->error);
		return 1;
	}
	snprintf(sdr_dir, len, "%s/sdr-cache", bmc->dir);
	if (mkdir(sdr_dir, 0700) != 0) {
		simbmc_cleanup(bmc);
		return 1;
	}
	return 0;
}

static inline const json_t *monitor_of(const json_t *res, const char *name)
{
	return json_object_get(json_object_get(res, "monitors"), name);
}

static inline double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* The ipmi monitor's power series, or NULL. */
static inline const json_t *power_series(const json_t *res)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(monitor_of(res, "ipmi"), "series"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "quantity")), "power"))
			return s;
	return NULL;
}

#endif
