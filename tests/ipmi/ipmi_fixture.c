#include "ipmi_fixture.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ipmi_fixture_require_bmc(void)
{
	char why[512];
	if (simbmc_available(why, sizeof(why)) != 0) {
		printf("SKIP: no simulated BMC here: %s\n", why);
		exit(IPMI_TEST_SKIP);
	}
}

int ipmi_fixture_start_bmc(struct simbmc *bmc, const struct simbmc_options *opts)
{
	struct simbmc_options defaults = {0};
	memset(bmc, 0, sizeof(*bmc));
	int rc = simbmc_start(bmc, opts ? opts : &defaults);
	if (rc)
		fprintf(stderr, "simbmc_start: %s\n", bmc->error);
	CU_ASSERT_EQUAL(rc, 0);
	return rc;
}

int ipmi_fixture_load(struct harness *h, const struct simbmc *bmc, double interval_s)
{
	return ipmi_fixture_load_as(h, bmc, interval_s, bmc->user, bmc->password_file);
}

int ipmi_fixture_load_as(struct harness *h, const struct simbmc *bmc, double interval_s, const char *user,
			 const char *password_file)
{
	int rc = harness_load(h, "ipmi");
	if (rc) {
		fprintf(stderr, "harness_load: %s\n", h->error);
		return rc;
	}
	char cache[sizeof(bmc->dir) + 16];
	snprintf(cache, sizeof(cache), "%s/sdr-cache", bmc->dir);
	harness_set(h, "ipmi_host", bmc->host);
	harness_set(h, "ipmi_username", user);
	harness_set(h, "ipmi_password_file", password_file);
	harness_set(h, "ipmi_workarounds", "opensesspriv");
	harness_set(h, "ipmi_sdr_cache_dir", cache);
	harness_set_target(h, 0, interval_s);
	return 0;
}

static void add_ns(struct timespec *ts, int64_t ns)
{
	ts->tv_nsec += ns % 1000000000;
	ts->tv_sec += ns / 1000000000 + ts->tv_nsec / 1000000000;
	ts->tv_nsec %= 1000000000;
}

size_t ipmi_fixture_sample_loop(struct harness *h, size_t n, double interval_s)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	size_t failed = 0;
	for (size_t i = 0; i < n; i++) {
		if (h->plugin->sample(h->instance) != 0)
			failed++;
		add_ns(&deadline, (int64_t)(interval_s * 1e9));
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
			;
	}
	return failed;
}

int ipmi_fixture_sample_until(struct harness *h, const char *sensor, unsigned q, double want, double tol,
			      size_t max_samples, double interval_s, size_t *failed)
{
	size_t nfailed = 0;
	int seen = 0;
	for (size_t i = 0; i < max_samples && !seen; i++) {
		nfailed += ipmi_fixture_sample_loop(h, 1, interval_s);
		const struct energy_reading *r = harness_last(h, sensor, q);
		seen = r && fabs(r->value - want) <= tol;
	}
	if (failed)
		*failed = nfailed;
	return seen ? 0 : -1;
}

double ipmi_fixture_trapezoid_j(const struct harness *h, const char *sensor, double *first_unix,
				double *last_unix, double *max_gap_s)
{
	double energy = 0, prev_t = 0, prev_w = 0, gap = 0;
	int have_prev = 0;
	*first_unix = *last_unix = 0;
	for (size_t i = 0; i < h->nreadings; i++) {
		const struct energy_reading *r = &h->readings[i];
		if (r->quantity != ENERGY_Q_POWER_W || strcmp(r->sensor, sensor) != 0)
			continue;
		double t = (double)r->wall_ns / 1e9;
		if (have_prev) {
			energy += (prev_w + r->value) / 2 * (t - prev_t);
			if (t - prev_t > gap)
				gap = t - prev_t;
		} else {
			*first_unix = t;
		}
		*last_unix = t;
		prev_t = t, prev_w = r->value, have_prev = 1;
	}
	if (max_gap_s)
		*max_gap_s = gap;
	return energy;
}

double ipmi_fixture_now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
