/*
 * The bound against a real BMC (issue 13): profiles of the simulated-time
 * coverage test (sim_case.c), cut to CASE_S seconds, served by a real
 * ipmi_sim with simbmc's DCMI module refreshing, averaging and quantising
 * as a real BMC does, and measured through the energymon CLI. The exact
 * integral of what the module served, over the span the result's power
 * readings cover, must lie inside the result's bound. Also: the baseline
 * on a profile whose idle and load power are known. Skips (77) when the
 * simulated BMC cannot run here.
 * Usage: test_uncertainty_end_to_end /path/to/energymon
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../simbmc/simbmc_client.h"
#include "../support/cunit_run.h"
#include "sim_case.h"

#define CASE_S 20

static const char *cli;

static double now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* energymon --json ... -- sleep SECONDS, stdout into `out`; the exit status. */
static int run_cli(const char *config, const char *out, const char *interval, const char *seconds,
                   const char *baseline)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		const char *argv[16] = {cli, "--plugins", "ipmi", "--config", config, "--interval", interval, "--json",
		                        "--no-files"};
		int n = 9;
		if (baseline) {
			argv[n++] = "--baseline";
			argv[n++] = baseline;
		}
		argv[n++] = "--";
		argv[n++] = "sleep";
		argv[n++] = seconds;
		execv(cli, (char *const *)argv);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void write_config(const struct simbmc *b, const char *path, int average)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "{\"ipmi_host\": \"%s\", \"ipmi_username\": \"%s\", \"ipmi_password_file\": \"%s\","
	        " \"ipmi_workarounds\": [\"opensesspriv\"], \"ipmi_sdr_cache_dir\": \"%s/sdr\","
	        " \"ipmi_sensors\": false, \"ipmi_power_reading\": \"%s\", \"energy_agent\": \"off\"}",
	        b->host, b->user, b->password_file, b->dir, average ? "average" : "instantaneous");
	fclose(f);
	char sdr[256];
	snprintf(sdr, sizeof(sdr), "%s/sdr", b->dir);
	mkdir(sdr, 0700);
}

/* The ipmi source's power series and its system bound from a --json result. */
static int read_result(const char *path, double *first, double *last, double *gaps_j_from, const json_t **bound,
                       json_t **root)
{
	(void)gaps_j_from;
	json_error_t jerr;
	*root = json_load_file(path, 0, &jerr);
	if (!*root)
		return -1;
	const json_t *ipmi = json_object_get(json_object_get(*root, "monitors"), "ipmi");
	*bound = json_object_get(json_object_get(ipmi, "uncertainty"), "system");
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(ipmi, "series"), i, s) {
		if (strcmp(json_string_value(json_object_get(s, "quantity")), "power"))
			continue;
		const json_t *pts = json_object_get(s, "points");
		size_t n = json_array_size(pts);
		if (n < 2 || json_array_size(json_object_get(s, "gaps")))
			return -1; /* a gap would need the truth cut around it: none is expected here */
		*first = json_number_value(json_array_get(json_array_get(pts, 0), 0));
		*last = json_number_value(json_array_get(json_array_get(pts, n - 1), 0));
		return *bound ? 0 : -1;
	}
	return -1;
}

/* One profile: started now, its shape from sim_case's seed. */
static void run_case(uint64_t seed)
{
	struct sim_case *c = calloc(1, sizeof(*c));
	CU_ASSERT_FATAL(c != NULL);
	c->seed = seed;
	sim_case_generate(c);
	struct simbmc b;
	struct simbmc_options o = {.refresh_ms = c->refresh_s * 1000, .window_ms = c->window_s * 1000,
	                           .stamp = "refresh"};
	if (simbmc_start(&b, &o) != 0) {
		printf("\n  cannot start the simulated BMC: %s\n", b.error);
		CU_FAIL("simulated BMC did not start");
		free(c);
		return;
	}
	/* the profile, moved to start now (plus the averaging window: a BMC
	 * has been up longer than its statistics period) */
	double shift = now_unix() + 1 - c->start;
	for (size_t i = 0; i < c->n; i++)
		c->t[i] += shift;
	CU_ASSERT_FATAL(simbmc_write_profile(&b, c->t, c->w, c->n) == 0);
	/* The window full from the first answer on: the BMC answers from its
	 * last refresh, so a window plus one refresh (and a margin). A window
	 * still filling changes the statistics period with every answer, and
	 * each change ends an averaged stretch (docs/uncertainty.md): honest,
	 * and as wide as that says; not the case this test is about. */
	if (c->window_s > 0)
		usleep((useconds_t)((c->window_s + c->refresh_s + 0.5) * 1e6));
	char config[256], out[256], interval[32], seconds[16];
	snprintf(config, sizeof(config), "%s/energymon.json", b.dir);
	snprintf(out, sizeof(out), "%s/result.json", b.dir);
	snprintf(interval, sizeof(interval), "%.3f", fmax(c->interval_s, 0.1));
	snprintf(seconds, sizeof(seconds), "%d", CASE_S);
	write_config(&b, config, c->average);
	CU_ASSERT_EQUAL(run_cli(config, out, interval, seconds, NULL), 0);
	double first = 0, last = 0;
	const json_t *bound = NULL;
	json_t *root = NULL;
	CU_ASSERT_FATAL(read_result(out, &first, &last, NULL, &bound, &root) == 0);
	double truth = simbmc_profile_energy_j(c->t, c->w, c->n, first, last);
	double low = num(bound, "low"), high = num(bound, "high"), value = num(bound, "value");
	printf("\n  seed %llu refresh %.2f s window %.0f s interval %s s: truth %.1f J, estimate %.1f J, bound "
	       "[%.1f, %.1f] J %s", (unsigned long long)seed, c->refresh_s, c->window_s, interval, truth, value, low,
	       high, truth >= low && truth <= high ? "inside" : "OUTSIDE");
	CU_ASSERT(truth >= low && truth <= high);
	CU_ASSERT(high > low); /* a refreshing, quantising BMC is never exact */
	if (getenv("EM_E2E_KEEP")) { /* for a look at a failing case */
		char keep[512];
		snprintf(keep, sizeof(keep), "cp %s %s/seed%llu.json", out, getenv("EM_E2E_KEEP"), (unsigned long long)seed);
		if (system(keep) != 0)
			printf("\n  could not keep %s", out);
	}
	json_decref(root);
	simbmc_cleanup(&b);
	free(c);
}

/* Seeds chosen for their spread: instantaneous with a slow refresh,
 * averages over 1 s and over 10 s, a fast refresh. */
static void test_profiles_against_a_real_bmc(void)
{
	static const uint64_t seeds[] = {3, 4, 2, 35};
	const char *only = getenv("EM_E2E_SEED");
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		if (!only || strtoull(only, NULL, 10) == seeds[i])
			run_case(seeds[i]);
}

/* Idle 90 W through the baseline, 250 W from a known moment during the
 * command: dynamic energy = the integral of (P - 90 W) over what the run
 * covers, inside its bound. */
static void test_baseline_gives_dynamic_energy(void)
{
	struct simbmc b;
	struct simbmc_options o = {.refresh_ms = 1000, .stamp = "refresh"};
	CU_ASSERT_FATAL(simbmc_start(&b, &o) == 0);
	double t0 = now_unix();
	/* The baseline of 5 s and its look-ahead at stop end before the step.
	 * A constant idle does not show the BMC's cadence (its stamp, in whole
	 * seconds, could as well be a request clock), so the plugin keeps its
	 * 5 s prior lag and may look ahead for up to 4.5 s: a step at t0 + 8
	 * was seen by it and (rightly) widened the idle bound to 252 W. */
	double t[] = {t0, t0 + 12}, w[] = {90.3, 250.6};
	CU_ASSERT_FATAL(simbmc_write_profile(&b, t, w, 2) == 0);
	char config[256], out[256];
	snprintf(config, sizeof(config), "%s/energymon.json", b.dir);
	snprintf(out, sizeof(out), "%s/result.json", b.dir);
	write_config(&b, config, 0);
	CU_ASSERT_EQUAL(run_cli(config, out, "0.25", "6", "5"), 0);
	double first = 0, last = 0;
	const json_t *bound = NULL;
	json_t *root = NULL;
	CU_ASSERT_FATAL(read_result(out, &first, &last, NULL, &bound, &root) == 0);
	const json_t *base = json_object_get(json_object_get(json_object_get(root, "monitors"), "ipmi"), "baseline");
	const json_t *idle = json_object_get(json_object_get(base, "idle_power_w"), "system");
	const json_t *dyn = json_object_get(json_object_get(base, "dynamic_j"), "system");
	CU_ASSERT_FATAL(idle != NULL && dyn != NULL);
	CU_ASSERT(first > t0 + 5); /* the run began after the idle span */
	/* The run's session, opened at create() and left idle while the
	 * baseline ran (longer than ipmi_timeout), is replaced before its first
	 * request: the baseline costs the run no sample and no broken session. */
	const json_t *notes = json_object_get(json_object_get(json_object_get(root, "monitors"), "ipmi"), "notes");
	const char *counts[] = {"failed_power_samples", "session_breaks", "reconnects"};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		const json_t *n = json_object_get(notes, counts[i]);
		CU_ASSERT(n != NULL && num(n, "value") == 0);
		if (n && num(n, "value") != 0)
			printf("\n  the run after its baseline: %s %g", counts[i], num(n, "value"));
	}
	double truth = simbmc_profile_energy_j(t, w, 2, first, last) - 90.3 * (last - first);
	printf("\n  baseline: idle %.2f W [%.2f, %.2f]; dynamic truth %.1f J, estimate %.1f J, bound [%.1f, %.1f] J",
	       num(idle, "value"), num(idle, "low"), num(idle, "high"), truth, num(dyn, "value"), num(dyn, "low"),
	       num(dyn, "high"));
	CU_ASSERT(90.3 >= num(idle, "low") && 90.3 <= num(idle, "high"));
	CU_ASSERT(num(idle, "high") - num(idle, "low") < 5); /* a steady idle is measured to a few watts */
	CU_ASSERT(truth >= num(dyn, "low") && truth <= num(dyn, "high"));
	CU_ASSERT(num(dyn, "value") > 0.5 * truth); /* the step is there, not lost in the bound */
	json_decref(root);
	simbmc_cleanup(&b);
}

int main(int argc, char **argv)
{
	char why[512];
	if (argc < 2) {
		fprintf(stderr, "usage: %s /path/to/energymon\n", argv[0]);
		return 2;
	}
	cli = argv[1];
	if (simbmc_available(why, sizeof(why)) != 0) {
		printf("skipped: %s\n", why);
		return 77;
	}
	CU_TestInfo tests[] = {{"profiles against a real BMC through the CLI", test_profiles_against_a_real_bmc},
	                       {"a baseline gives dynamic energy within its bound", test_baseline_gives_dynamic_energy},
	                       CU_TEST_INFO_NULL};
	return cunit_run_suite("uncertainty-end-to-end", NULL, NULL, tests);
}
