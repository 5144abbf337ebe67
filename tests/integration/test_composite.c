/*
 * The real pieces together, through the host library: the ipmi plugin
 * against the simulated BMC when the BMC dies, hangs or is unreachable, and
 * the files written then. (Energy and attribution against independent
 * truths: test_energy_truth.c.) Skips (77) when the BMC cannot run here.
 */
#include "integration_fixture.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct simbmc bmc;
static char sdr_dir[128];

/* An ipmi-only monitor, started, against a BMC held at constant `watts`
 * (the monitor keeps its own copy of the configuration). */
static struct em_monitor *start_ipmi_monitor(double watts)
{
	double t[] = {now_unix()}, w[] = {watts};
	CU_ASSERT_EQUAL(simbmc_write_profile(&bmc, t, w, 1), 0);
	char cfg_text[2048];
	config_for(cfg_text, sizeof(cfg_text), &bmc, sdr_dir, "\"ipmi\"", 0.1);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	if (em_config_load_string(cfg_text, &cfg, &err) != 0 || em_monitor_create(cfg, 0, &mon, &err) != 0 ||
	    em_monitor_start(mon, &err) != 0) {
		fprintf(stderr, "\n    %s\n", err.message);
		em_monitor_destroy(mon);
		mon = NULL;
	}
	em_config_free(cfg);
	return mon;
}

/* Stop, return the parsed result, destroy the monitor. */
static json_t *stop_monitor(struct em_monitor *mon)
{
	struct em_error err = {0};
	json_t *res = NULL;
	if (em_monitor_stop(mon, &err) == 0) {
		char *text = em_monitor_result_json(mon);
		res = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
	}
	em_monitor_destroy(mon);
	return res;
}

/* The gap in `power` that covers [from, to] (unix s), or NULL. */
static const json_t *gap_covering(const json_t *power, double from, double to)
{
	size_t i;
	json_t *gap;
	json_array_foreach(json_object_get(power, "gaps"), i, gap)
		if (num(gap, "from") <= from && num(gap, "to") >= to)
			return gap;
	return NULL;
}

/* How many of the series' points are stamped between two unix times. */
static size_t points_between(const json_t *power, double from, double to)
{
	size_t i, n = 0;
	json_t *pt;
	json_array_foreach(json_object_get(power, "points"), i, pt) {
		double t = json_number_value(json_array_get(pt, 0));
		n += t > from && t < to;
	}
	return n;
}

/* No reading and one gap over [from, to] (unix s), shrunk by the 10 ms to
 * which the result's times are written; prints the readings and gaps near
 * the window when not. */
static void assert_silent_between(const json_t *power, double from, double to)
{
	from += 0.02, to -= 0.02;
	size_t inside = points_between(power, from, to);
	const json_t *gap = gap_covering(power, from, to);
	CU_ASSERT_EQUAL(inside, 0);
	CU_ASSERT_PTR_NOT_NULL(gap);
	if (inside == 0 && gap)
		return;
	printf("\n  expected no reading in %.3f .. %.3f; readings near it:", from, to);
	size_t i;
	json_t *pt;
	json_array_foreach(json_object_get(power, "points"), i, pt) {
		double t = json_number_value(json_array_get(pt, 0));
		if (t > from - 1 && t < to + 1)
			printf(" %.3f (%.0f W)", t, json_number_value(json_array_get(pt, 1)));
	}
	json_array_foreach(json_object_get(power, "gaps"), i, pt)
		printf("; gap %.3f .. %.3f", num(pt, "from"), num(pt, "to"));
	printf("\n");
}

/* `watts` held constant over the span of the series' own points, first to
 * last, less its gaps: the energy the BMC's profile says was measured. */
static double constant_truth_j(const json_t *power, double watts)
{
	const json_t *pts = json_object_get(power, "points");
	size_t n = json_array_size(pts);
	if (n < 2)
		return NAN;
	double span = json_number_value(json_array_get(json_array_get(pts, n - 1), 0)) -
	              json_number_value(json_array_get(json_array_get(pts, 0), 0));
	size_t i;
	json_t *gap;
	json_array_foreach(json_object_get(power, "gaps"), i, gap)
		span -= num(gap, "to") - num(gap, "from");
	return watts * span;
}

/* The sleeps below shape the scenario (how long the BMC is up, down, back);
 * what is asserted is where the readings and the gap fall, never a time. */
static void test_bmc_death_mid_run_leaves_a_gap_and_sampling_resumes(void)
{
	struct em_monitor *mon = start_ipmi_monitor(200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	sleep_s(1.0);
	/* the BMC is surely down from when kill returns until restart begins */
	CU_ASSERT_EQUAL(simbmc_kill(&bmc), 0);
	double killed = now_unix();
	sleep_s(1.5);
	double restarted = now_unix();
	CU_ASSERT_EQUAL(simbmc_restart(&bmc), 0);
	sleep_s(2.5);
	json_t *res = stop_monitor(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *ipmi = monitor_of(res, "ipmi");
	CU_ASSERT(json_is_false(json_object_get(ipmi, "complete")));
	CU_ASSERT(json_is_false(json_object_get(ipmi, "placeholder")));
	const json_t *sampling = json_object_get(ipmi, "sampling");
	CU_ASSERT(json_integer_value(json_object_get(sampling, "failed_samples")) >= 1);
	ASSERT_CONTAINS(json_string_value(json_object_get(sampling, "first_failure")), bmc.host);
	const json_t *power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(power, "points_keep_every")), 1);
	assert_silent_between(power, killed, restarted);
	CU_ASSERT(points_between(power, 0, killed) >= 2);
	CU_ASSERT(points_between(power, restarted, INFINITY) >= 2); /* sampling resumed */
	double truth = constant_truth_j(power, 200);
	CU_ASSERT_DOUBLE_EQUAL(num(power, "energy_j"), truth, truth * 0.01);
	json_decref(res);
}

static pid_t bmc_pid(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/ipmi_sim.pid", bmc.dir);
	FILE *f = fopen(path, "r");
	int pid = 0;
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

static void test_hung_bmc_stalls_only_its_own_samples(void)
{
	/* SIGSTOP: the BMC neither answers nor refuses, as a wedged BMC does */
	struct em_monitor *mon = start_ipmi_monitor(120);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pid_t pid = bmc_pid();
	CU_ASSERT_FATAL(pid > 0);
	sleep_s(1.0);
	kill(pid, SIGSTOP);
	double stopped = now_unix(); /* hung from here until SIGCONT */
	sleep_s(3.0);
	double continued = now_unix();
	kill(pid, SIGCONT);
	sleep_s(3.0);
	json_t *res = stop_monitor(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *ipmi = monitor_of(res, "ipmi");
	CU_ASSERT(json_is_false(json_object_get(ipmi, "complete")));
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(ipmi, "sampling"), "failed_samples")) >= 1);
	const json_t *power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	/* A request sent in the last ipmi_timeout (2 s) of the hang is answered
	 * after SIGCONT, stamped at its round trip's midpoint: only up to then
	 * can no reading fall. */
	double silent_until = continued - 2.0;
	assert_silent_between(power, stopped, silent_until);
	CU_ASSERT(points_between(power, continued, INFINITY) >= 2); /* resumed */
	double truth = constant_truth_j(power, 120);
	CU_ASSERT_DOUBLE_EQUAL(num(power, "energy_j"), truth, truth * 0.01);
	json_decref(res);
}

static void test_unreachable_bmc_gives_a_placeholder_file_naming_the_host(void)
{
	char cfg_text[2048], dir[] = "/tmp/energymon-unreach-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	/* a port nothing listens on: the BMC's own port after it is stopped */
	CU_ASSERT_EQUAL_FATAL(simbmc_stop(&bmc), 0);
	snprintf(cfg_text, sizeof(cfg_text),
	         "{\"lithops\": {\"energy_strategy\": \"ipmi\"}, \"energy_allow_unavailable\": true,"
	         " \"ipmi_host\": \"%s\", \"ipmi_username\": \"%s\", \"ipmi_password_file\": \"%s\","
	         " \"ipmi_workarounds\": [\"opensesspriv\"], \"ipmi_sdr_cache_dir\": \"%s\"}",
	         bmc.host, bmc.user, bmc.password_file, sdr_dir);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(cfg_text, &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_start(mon, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "job", "7", &err), 0);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/job_7_ipmi.json", dir);
	json_t *f = json_load_file(path, 0, NULL);
	const json_t *ec = json_object_get(f, "energy_consumption");
	CU_ASSERT(json_is_true(json_object_get(ec, "placeholder")));
	CU_ASSERT(json_is_null(json_object_get(ec, "energy_system")));
	ASSERT_CONTAINS(json_string_value(json_object_get(ec, "reason")), bmc.host);
	json_decref(f);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	CU_ASSERT_EQUAL(simbmc_restart(&bmc), 0);
}

int main(void)
{
	static CU_TestInfo bmc_death[] = {
		{"BMC death mid-run: gap, resume", test_bmc_death_mid_run_leaves_a_gap_and_sampling_resumes},
		{"hung BMC stalls only its own samples", test_hung_bmc_stalls_only_its_own_samples},
		{"unreachable BMC: placeholder file naming the host",
		 test_unreachable_bmc_gives_a_placeholder_file_naming_the_host},
		CU_TEST_INFO_NULL,
	};
	int rc = start_bmc(&bmc, sdr_dir, sizeof(sdr_dir));
	if (rc != 0)
		return rc;
	rc = run_suite("BMC death", bmc_death);
	simbmc_cleanup(&bmc);
	return rc;
}
