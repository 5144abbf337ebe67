/*
 * plugin_sampling.c — the ipmi plugin's sample() back to back, through the
 * recording harness (a stand-in host that only stores readings).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_ipmi.h"
#include "plugin_harness.h"

int bench_plugin(const struct simbmc *bmc, const char *so_path, size_t n, int sensors, struct bench_result *out)
{
	struct harness h;
	memset(out, 0, sizeof(*out));
	out->label = sensors ? "ipmi plugin sample(), sensors on" : "ipmi plugin sample(), power only";
	if (harness_load(&h, so_path) != 0) {
		fprintf(stderr, "bench: %s\n", h.error);
		return -ENOENT;
	}
	char cache[sizeof(bmc->dir) + 16];
	snprintf(cache, sizeof(cache), "%s/sdr-cache", bmc->dir);
	harness_set(&h, "ipmi_host", bmc->host);
	harness_set(&h, "ipmi_username", bmc->user);
	harness_set(&h, "ipmi_password_file", bmc->password_file);
	harness_set(&h, "ipmi_workarounds", "opensesspriv");
	harness_set(&h, "ipmi_sdr_cache_dir", cache);
	harness_set(&h, "ipmi_sensors", sensors ? "true" : "false");
	/* The host asks for 1 ms; sensors then every 5 ms, spread over samples. */
	harness_set_target(&h, 0, 0.001);
	double *lat = calloc(n, sizeof(*lat));
	int rc = lat ? harness_create(&h) : -ENOMEM;
	if (rc) {
		fprintf(stderr, "bench: create: %s\n", h.error);
		goto cleanup;
	}
	h.plugin->start(h.instance);
	for (size_t i = 0; i < 100; i++) /* warm up: caches, first sensor sweep */
		h.plugin->sample(h.instance);
	harness_clear_readings(&h);
	double cpu0 = bench_cpu_self_s(), wall0 = bench_mono_s();
	for (size_t i = 0; i < n; i++) {
		double t = bench_mono_s();
		if (h.plugin->sample(h.instance) == 0)
			lat[out->readings++] = (bench_mono_s() - t) * 1e6;
		else
			out->failures++;
		if (h.nreadings > 1000) /* the stand-in host's storage, not the plugin's work */
			harness_clear_readings(&h);
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
