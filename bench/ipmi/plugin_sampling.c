/*
 * plugin_sampling.c — the ipmi plugin's sample() back to back, through the
 * recording harness (a stand-in host that only stores readings).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_ipmi.h"
#include "plugin_harness.h"

static int load(struct harness *h, const struct simbmc *bmc, const char *so_path, int sensors)
{
	if (harness_load(h, so_path) != 0) {
		fprintf(stderr, "bench: %s\n", h->error);
		return -ENOENT;
	}
	char cache[sizeof(bmc->dir) + 16];
	snprintf(cache, sizeof(cache), "%s/sdr-cache", bmc->dir);
	harness_set(h, "ipmi_host", bmc->host);
	harness_set(h, "ipmi_username", bmc->user);
	harness_set(h, "ipmi_password_file", bmc->password_file);
	harness_set(h, "ipmi_workarounds", "opensesspriv");
	harness_set(h, "ipmi_sdr_cache_dir", cache);
	harness_set(h, "ipmi_sensors", sensors ? "true" : "false");
	/* The host asks for 1 ms; sensors then every 5 ms, spread over samples. */
	harness_set_target(h, 0, 0.001);
	int rc = harness_create(h);
	if (rc)
		fprintf(stderr, "bench: create: %s\n", h->error);
	else
		h->plugin->start(h->instance);
	return rc;
}

/* Sleep until the next deadline 1/hz after the last; count it missed when
 * it has already passed. */
static void wait_for_deadline(struct timespec *deadline, double hz, struct bench_result *out)
{
	deadline->tv_nsec += (long)(1e9 / hz);
	while (deadline->tv_nsec >= 1000000000)
		deadline->tv_sec++, deadline->tv_nsec -= 1000000000;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec > deadline->tv_nsec))
		out->missed_deadlines++;
	else
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL);
}

/* n sample() calls after `warmup` untimed ones, back to back (hz 0) or at
 * absolute deadlines 1/hz apart, each timed; then stop() and percentiles. */
static int measure(const struct simbmc *bmc, const char *so_path, size_t n, size_t warmup, int sensors, double hz,
		   struct bench_result *out)
{
	struct harness h;
	memset(&h, 0, sizeof(h));
	double *lat = calloc(n, sizeof(*lat));
	int rc = lat ? load(&h, bmc, so_path, sensors) : -ENOMEM;
	if (rc)
		goto cleanup;
	for (size_t i = 0; i < warmup; i++) /* caches, the first sensor sweep */
		h.plugin->sample(h.instance);
	harness_clear_readings(&h);
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	double cpu0 = bench_cpu_self_s(), wall0 = bench_mono_s();
	for (size_t i = 0; i < n; i++) {
		double t = bench_mono_s();
		if (h.plugin->sample(h.instance) == 0)
			lat[out->readings++] = (bench_mono_s() - t) * 1e6;
		else
			out->failures++;
		if (h.nreadings > 1000) /* the stand-in host's storage, not the plugin's work */
			harness_clear_readings(&h);
		if (hz > 0)
			wait_for_deadline(&deadline, hz, out);
	}
	out->wall_s = bench_mono_s() - wall0;
	out->cpu_s = bench_cpu_self_s() - cpu0;
	h.plugin->stop(h.instance);
	bench_percentiles(lat, out->readings, out);
	rc = out->readings ? 0 : -EIO;
cleanup:
	free(lat);
	harness_close(&h);
	return rc;
}

int bench_plugin_paced(const struct simbmc *bmc, const char *so_path, double hz, double seconds,
		       struct bench_result *out)
{
	memset(out, 0, sizeof(*out));
	out->label = "ipmi plugin paced at 1 kHz, power only";
	return measure(bmc, so_path, (size_t)(hz * seconds), 0, 0, hz, out);
}

int bench_plugin(const struct simbmc *bmc, const char *so_path, size_t n, int sensors, struct bench_result *out)
{
	memset(out, 0, sizeof(*out));
	out->label = sensors ? "ipmi plugin sample(), sensors on" : "ipmi plugin sample(), power only";
	return measure(bmc, so_path, n, 100, sensors, 0, out);
}
