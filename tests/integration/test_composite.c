/*
 * The real pieces together, through the host library: the ipmi plugin
 * against the simulated BMC, the ebpf plugin in the real kernel, the
 * composite merge and attribution, a BMC that dies mid-run, and the CLI's
 * files. Skips (77) when the BMC cannot run here or, for eBPF, without root.
 */
#include "../core/test_util.h"
#include "simbmc_client.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static struct simbmc bmc;
static char sdr_dir[128];

static double now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Configuration JSON for this BMC and `strategy`. */
static void config_for(char *buf, size_t len, const char *strategy, double interval)
{
	snprintf(buf, len,
	         "{\"lithops\": {\"energy_strategy\": %s}, \"energy_sampling_interval\": %g,"
	         " \"ipmi_host\": \"%s\", \"ipmi_username\": \"%s\", \"ipmi_password_file\": \"%s\","
	         " \"ipmi_workarounds\": [\"opensesspriv\"], \"ipmi_sdr_cache_dir\": \"%s\","
	         " \"ipmi_sensor_interval\": 1}",
	         strategy, interval, bmc.host, bmc.user, bmc.password_file, sdr_dir);
}

static void burn_cpu(double seconds)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	(void)x;
}

static const json_t *monitor_of(const json_t *res, const char *name)
{
	return json_object_get(json_object_get(res, "monitors"), name);
}

static void test_ipmi_and_ebpf_attribute_system_energy_by_cpu_share(void)
{
	double t[] = {now_unix()}, w[] = {150};
	CU_ASSERT_EQUAL_FATAL(simbmc_write_profile(&bmc, t, w, 1), 0);
	char cfg_text[2048];
	config_for(cfg_text, sizeof(cfg_text), "[\"ipmi\", \"ebpf\"]", 0.1);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(cfg_text, &cfg, &err), 0);
	int gate[2];
	CU_ASSERT_FATAL(pipe(gate) == 0);
	pid_t child = fork();
	if (child == 0) {
		char go;
		close(gate[1]);
		if (read(gate[0], &go, 1) != 1)
			_exit(1);
		burn_cpu(1.0);
		_exit(0);
	}
	close(gate[0]);
	int rc = em_monitor_create(cfg, child, &mon, &err);
	if (rc)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	CU_ASSERT_EQUAL(write(gate[1], "g", 1), 1);
	close(gate[1]);
	int status;
	struct rusage ru;
	wait4(child, &status, 0, &ru);
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	char *text = em_monitor_result_json(mon);
	json_t *res = json_loads(text, 0, NULL);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);

	double system = energy_of(res, NULL, "system"), share = energy_of(res, NULL, "cpu_share");
	double covered = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(monitor_of(res, "ipmi"), "series"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "quantity")), "power"))
			covered = json_number_value(json_object_get(s, "covered_s"));
	CU_ASSERT(covered > 0.9);
	CU_ASSERT_DOUBLE_EQUAL(system, 150 * covered, 150 * covered * 0.01);
	CU_ASSERT(share > 0 && share <= 1);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "attributed_system"), system * share, system * 1e-9);
	/* the tree's CPU time is what the kernel charged the child */
	double kernel_cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	                    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "cpu_time"), kernel_cpu, kernel_cpu * 0.05);
	const json_t *sources = json_object_get(res, "energy_sources");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(sources, "system")), "ipmi");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(sources, "cpu_share")), "ebpf");
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(res, "attribution"), "rule")),
	                "attributed_X = X x cpu_share");
	json_decref(res);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

/* An ipmi-only monitor, started, against a BMC held at constant `watts`
 * (the monitor keeps its own copy of the configuration). */
static struct em_monitor *start_ipmi_monitor(double watts)
{
	double t[] = {now_unix()}, w[] = {watts};
	CU_ASSERT_EQUAL(simbmc_write_profile(&bmc, t, w, 1), 0);
	char cfg_text[2048];
	config_for(cfg_text, sizeof(cfg_text), "\"ipmi\"", 0.1);
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

static const json_t *power_series(const json_t *res)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(monitor_of(res, "ipmi"), "series"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "quantity")), "power"))
			return s;
	return NULL;
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void test_bmc_death_mid_run_leaves_a_gap_and_sampling_resumes(void)
{
	struct em_monitor *mon = start_ipmi_monitor(200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	sleep_s(1.0);
	CU_ASSERT_EQUAL(simbmc_kill(&bmc), 0);
	sleep_s(1.5);
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
	double covered = num(power, "covered_s");
	CU_ASSERT(num(power, "gap_s") >= 1.4);
	CU_ASSERT(covered >= 2.0); /* sampling resumed after the restart */
	CU_ASSERT_DOUBLE_EQUAL(num(power, "energy_j"), 200 * covered, 200 * covered * 0.01);
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
	sleep_s(3.0);
	kill(pid, SIGCONT);
	sleep_s(3.0);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	json_t *res = stop_monitor(mon);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	/* stop is not held hostage: at most one request timeout (ipmi_timeout 2 s) */
	CU_ASSERT((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < 3.0);
	const json_t *ipmi = monitor_of(res, "ipmi");
	CU_ASSERT(json_is_false(json_object_get(ipmi, "complete")));
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(ipmi, "sampling"), "failed_samples")) >= 1);
	const json_t *power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	CU_ASSERT(num(power, "gap_s") >= 2.0);
	CU_ASSERT(num(power, "covered_s") >= 2.0); /* resumed */
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

int main(int argc, char **argv)
{
	static CU_TestInfo attribution[] = {
		{"ipmi + ebpf: system energy attributed by CPU share",
		 test_ipmi_and_ebpf_attribute_system_energy_by_cpu_share},
		CU_TEST_INFO_NULL,
	};
	static CU_TestInfo bmc_death[] = {
		{"BMC death mid-run: gap, resume", test_bmc_death_mid_run_leaves_a_gap_and_sampling_resumes},
		{"hung BMC stalls only its own samples", test_hung_bmc_stalls_only_its_own_samples},
		{"unreachable BMC: placeholder file naming the host",
		 test_unreachable_bmc_gives_a_placeholder_file_naming_the_host},
		CU_TEST_INFO_NULL,
	};
	bool want_attribution = argc > 1 && !strcmp(argv[1], "attribution");
	char why[512];
	if (want_attribution && geteuid() != 0) {
		printf("skipped: the ebpf plugin needs root (CAP_BPF and CAP_PERFMON) to load its program\n");
		return 77;
	}
	if (simbmc_available(why, sizeof(why)) != 0) {
		printf("skipped: %s\n", why);
		return 77;
	}
	struct simbmc_options o = {0};
	if (simbmc_start(&bmc, &o) != 0) {
		fprintf(stderr, "cannot start the simulated BMC: %s\n", bmc.error);
		return 1;
	}
	snprintf(sdr_dir, sizeof(sdr_dir), "%s/sdr-cache", bmc.dir);
	if (mkdir(sdr_dir, 0700) != 0)
		return 1;
	int rc = run_suite(want_attribution ? "composite attribution" : "BMC death", want_attribution ? attribution : bmc_death);
	simbmc_cleanup(&bmc);
	return rc;
}
