/*
 * bare_freeipmi.c — the floor: one reused FreeIPMI lanplus session and
 * nothing but DCMI Get Power Reading in a loop. The plugin's own work is
 * whatever it costs above this.
 */
#include <errno.h>
#include <freeipmi/freeipmi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_ipmi.h"

static int read_password(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

int bench_bare_freeipmi(const struct simbmc *bmc, size_t n, struct bench_result *out)
{
	char password[64];
	int rc = read_password(bmc->password_file, password, sizeof(password));
	if (rc)
		return rc;
	ipmi_ctx_t ctx = ipmi_ctx_create();
	fiid_obj_t rs = fiid_obj_create(tmpl_cmd_dcmi_get_power_reading_rs);
	double *lat = calloc(n, sizeof(*lat));
	memset(out, 0, sizeof(*out));
	out->label = "bare FreeIPMI loop, one session";
	rc = -EIO;
	if (!ctx || !rs || !lat)
		goto cleanup;
	if (ipmi_ctx_open_outofband_2_0(ctx, bmc->host, bmc->user, password, NULL, 0, IPMI_PRIVILEGE_LEVEL_ADMIN, 3,
					2000, 500, IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE,
					IPMI_FLAGS_DEFAULT) < 0) {
		fprintf(stderr, "bare FreeIPMI: %s\n", ipmi_ctx_errormsg(ctx));
		goto cleanup;
	}
	double cpu0 = bench_cpu_self_s(), wall0 = bench_mono_s();
	for (size_t i = 0; i < n; i++) {
		double t = bench_mono_s();
		if (ipmi_cmd_dcmi_get_power_reading(ctx, IPMI_DCMI_POWER_READING_MODE_SYSTEM_POWER_STATISTICS, 0, rs) < 0)
			out->failures++;
		else
			lat[out->readings++] = (bench_mono_s() - t) * 1e6;
	}
	out->wall_s = bench_mono_s() - wall0;
	out->cpu_s = bench_cpu_self_s() - cpu0;
	bench_percentiles(lat, out->readings, out);
	ipmi_ctx_close(ctx);
	rc = out->readings ? 0 : -EIO;
cleanup:
	memset(password, 0, sizeof(password));
	free(lat);
	if (rs)
		fiid_obj_destroy(rs);
	if (ctx)
		ipmi_ctx_destroy(ctx);
	return rc;
}
