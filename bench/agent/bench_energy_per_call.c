/*
 * bench_energy_per_call.c — one worker's energy per call through energymond
 * against in-process, on the same simulated BMC and the same power profile:
 * the calls alternate (agent, in-process, agent, ...), each a monitor
 * around a fixed 1 s of busy work, and the energies must agree within 1 %.
 * Each call's energy is also compared with the profile's exact integral
 * over that call's own span.
 *
 *   bench_energy_per_call [CALLS_EACH [WATTS]]   (defaults 10 and 200)
 */
#include "bench_agent.h"
#include "energymon.h"
#include "simbmc_client.h"
#include "test_agent_fixture.h"

#include <math.h>
#include <sys/stat.h>

#define MAX_CALLS 200
#define CALL_S 1.0

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Spin for `seconds` of wall time: a call of fixed length. */
static void busy_for(double seconds)
{
	double until = bench_now_s() + seconds;
	volatile unsigned long x = 0;
	while (bench_now_s() < until)
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
}

struct call {
	double energy_j, duration_s, truth_j;
};

static int one_call(const char *config, const struct simbmc *bmc, double watts, struct call *out)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	int rc = em_config_load_string(config, &cfg, &err);
	if (rc == 0)
		rc = em_monitor_create(cfg, getpid(), &mon, &err);
	if (rc == 0 && (rc = em_monitor_start(mon, &err)) == 0) {
		busy_for(CALL_S);
		rc = em_monitor_stop(mon, &err);
	}
	char *text = rc == 0 ? em_monitor_result_json(mon) : NULL;
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (rc)
		fprintf(stderr, "call: %s\n", err.message);
	json_t *e = json_object_get(json_object_get(res, "energy"), "system");
	out->energy_j = json_is_number(e) ? json_number_value(e) : NAN;
	out->duration_s = json_number_value(json_object_get(res, "duration"));
	double from = json_number_value(json_object_get(res, "timestamp"));
	double t[1] = {from}, w[1] = {watts};
	out->truth_j = simbmc_profile_energy_j(t, w, 1, from, from + out->duration_s);
	(void)bmc;
	json_decref(res);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	return rc ? rc : isnan(out->energy_j) ? -ENODATA : 0;
}

static void summary(const char *what, const struct call *c, int n, double *median_j)
{
	double e[MAX_CALLS], d[MAX_CALLS], r[MAX_CALLS];
	for (int i = 0; i < n; i++)
		e[i] = c[i].energy_j, d[i] = c[i].duration_s, r[i] = c[i].energy_j / c[i].truth_j;
	*median_j = bench_percentile(e, (size_t)n, 50);
	printf("%-12s %12.3f %12.3f %12.3f %12.4f %12.4f\n", what, *median_j, e[0], e[n - 1],
	       bench_percentile(d, (size_t)n, 50), bench_percentile(r, (size_t)n, 50));
}

int main(int argc, char **argv)
{
	int calls = argc > 1 ? atoi(argv[1]) : 10;
	double watts = argc > 2 ? atof(argv[2]) : 200;
	if (calls <= 0 || calls > MAX_CALLS || !(watts > 0 && watts <= 500)) {
		fprintf(stderr, "usage: %s [CALLS_EACH<=%d [WATTS]]\n", argv[0], MAX_CALLS);
		return 2;
	}
	bench_use_build_tree();
	char why[512];
	if (simbmc_available(why, sizeof(why)) != 0) {
		fprintf(stderr, "bench_energy_per_call: %s\n", why);
		return 77;
	}
	struct simbmc bmc;
	struct simbmc_options o = {0};
	if (simbmc_start(&bmc, &o) != 0) {
		fprintf(stderr, "bench_energy_per_call: %s\n", bmc.error);
		return 1;
	}
	double t0 = wall_now() - 60;
	char sdr[128], host[64], user[64], password[200], sdr_arg[200];
	snprintf(sdr, sizeof(sdr), "%s/sdr-cache", bmc.dir);
	mkdir(sdr, 0700);
	snprintf(host, sizeof(host), "ipmi_host=%s", bmc.host);
	snprintf(user, sizeof(user), "ipmi_username=%s", bmc.user);
	snprintf(password, sizeof(password), "ipmi_password_file=%s", bmc.password_file);
	snprintf(sdr_arg, sizeof(sdr_arg), "ipmi_sdr_cache_dir=%s", sdr);
	const char *args[] = {"--plugins", "ipmi", "--interval", "0.1", "--set", host, "--set", user, "--set", password,
	                      "--set", "ipmi_workarounds=opensesspriv", "--set", sdr_arg, NULL};
	struct agent agent = {0};
	int rc = simbmc_write_profile(&bmc, &t0, &watts, 1);
	if (rc == 0 && agent_start(&agent, args) != 0) {
		fprintf(stderr, "bench_energy_per_call: %s\n", agent.error);
		rc = -EIO;
	}
	setenv("ENERGYMON_SOCKET", agent.socket, 1);
	char in_process[2048], through_agent[512];
	snprintf(in_process, sizeof(in_process),
	         "{\"energy_agent\": \"off\", \"lithops\": {\"energy_strategy\": \"ipmi\"},"
	         " \"energy_sampling_interval\": 0.1, \"ipmi_host\": \"%s\", \"ipmi_username\": \"%s\","
	         " \"ipmi_password_file\": \"%s\", \"ipmi_workarounds\": [\"opensesspriv\"],"
	         " \"ipmi_sdr_cache_dir\": \"%s\"}",
	         bmc.host, bmc.user, bmc.password_file, sdr);
	snprintf(through_agent, sizeof(through_agent),
	         "{\"energy_agent\": \"required\", \"lithops\": {\"energy_strategy\": \"ipmi\"},"
	         " \"energy_sampling_interval\": 0.1}");
	static struct call agent_calls[MAX_CALLS], local_calls[MAX_CALLS];
	for (int i = 0; rc == 0 && i < calls; i++) {
		rc = one_call(through_agent, &bmc, watts, &agent_calls[i]);
		if (rc == 0)
			rc = one_call(in_process, &bmc, watts, &local_calls[i]);
	}
	if (rc == 0) {
		bench_print_load();
		printf("simulated BMC at a constant %.0f W; %d calls each way, alternating, each %.1f s of busy work\n",
		       watts, calls, CALL_S);
		printf("%-12s %12s %12s %12s %12s %12s\n", "per call", "median J", "min J", "max J", "median s",
		       "J / profile");
		double a, l;
		summary("agent", agent_calls, calls, &a);
		summary("in-process", local_calls, calls, &l);
		printf("agent / in-process (median energy per call): %.4f; goal: within 1 %%: %s\n", a / l,
		       fabs(a / l - 1) <= 0.01 ? "met" : "NOT met");
	} else {
		fprintf(stderr, "bench_energy_per_call: failed: %s\n", strerror(-rc));
	}
	agent_cleanup(&agent);
	simbmc_cleanup(&bmc);
	return rc ? 1 : 0;
}
