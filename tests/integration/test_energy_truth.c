/*
 * End-to-end numbers against truths the host did not compute: the ipmi
 * plugin through the host library against the simulated BMC following a
 * power profile whose exact integral is known, and the ebpf plugin's CPU
 * share against the kernel's own accounting (the reaped tree's rusage and
 * /proc/stat). Skips (77) when the BMC cannot run here or, for eBPF,
 * without root.
 */
#include "integration_fixture.h"
#include "lithops_format.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct simbmc bmc;
static char sdr_dir[128];

/* A ramp 100 -> 500 W over 2 s in 10 ms steps of 2 W (whole watts, as DCMI
 * reports them), 100 W before it and 500 W after. Sampled every 0.25 s the
 * trapezoid rule follows it to within a few joules, while a left Riemann sum
 * falls short by about (500 - 100) W x 0.25 s / 2 = 50 J. */
#define RAMP_STEPS 200
#define RAMP_FROM_W 100.0
#define RAMP_STEP_W 2.0
#define RAMP_STEP_S 0.01
#define INTERVAL_S 0.25
#define TOLERANCE_J 15.0

struct profile {
	double t[RAMP_STEPS + 2], w[RAMP_STEPS + 2];
	size_t n;
};

static void ramp_from(struct profile *p, double start_unix)
{
	p->n = 0;
	for (int i = 0; i <= RAMP_STEPS; i++, p->n++) {
		p->t[p->n] = start_unix + i * RAMP_STEP_S;
		p->w[p->n] = RAMP_FROM_W + i * RAMP_STEP_W;
	}
}

/* The profile's exact energy over the span the power series' own points
 * cover, first to last, less the gaps the host did not integrate. */
static double truth_over_points(const struct profile *p, const json_t *power, double *left_riemann_j)
{
	const json_t *pts = json_object_get(power, "points");
	size_t n = json_array_size(pts);
	double first = json_number_value(json_array_get(json_array_get(pts, 0), 0));
	double last = json_number_value(json_array_get(json_array_get(pts, n - 1), 0));
	double truth = simbmc_profile_energy_j(p->t, p->w, p->n, first, last);
	size_t i;
	json_t *gap;
	json_array_foreach(json_object_get(power, "gaps"), i, gap)
		truth -= simbmc_profile_energy_j(p->t, p->w, p->n, num(gap, "from"), num(gap, "to"));
	*left_riemann_j = 0;
	for (i = 0; i + 1 < n; i++) {
		const json_t *a = json_array_get(pts, i), *b = json_array_get(pts, i + 1);
		*left_riemann_j += json_number_value(json_array_get(a, 1)) *
		                   (json_number_value(json_array_get(b, 0)) - json_number_value(json_array_get(a, 0)));
	}
	return truth;
}

static void test_ipmi_energy_follows_a_ramp_exactly(void)
{
	struct profile flat = {.t = {now_unix()}, .w = {RAMP_FROM_W}, .n = 1};
	CU_ASSERT_EQUAL_FATAL(simbmc_write_profile(&bmc, flat.t, flat.w, flat.n), 0);
	char cfg_text[2048];
	config_for(cfg_text, sizeof(cfg_text), &bmc, sdr_dir, "\"ipmi\"", INTERVAL_S);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(cfg_text, &cfg, &err), 0);
	int rc = em_monitor_create(cfg, 0, &mon, &err);
	if (rc)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	/* the ramp starts just after sampling does, whatever create() cost */
	struct profile ramp;
	ramp_from(&ramp, now_unix() + 0.3);
	CU_ASSERT_EQUAL_FATAL(simbmc_write_profile(&bmc, ramp.t, ramp.w, ramp.n), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	sleep_s(3.0); /* the run: flat, ramp, flat */
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	char *text = em_monitor_result_json(mon);
	json_t *res = json_loads(text, 0, NULL);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);

	const json_t *power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	CU_ASSERT_EQUAL_FATAL(json_integer_value(json_object_get(power, "points_keep_every")), 1);
	CU_ASSERT_FATAL(json_array_size(json_object_get(power, "points")) >= 8);
	double left_riemann;
	double truth = truth_over_points(&ramp, power, &left_riemann);
	double measured = energy_of(res, "ipmi", "system");
	printf("\n  measured %.2f J, profile truth %.2f J, left Riemann sum %.2f J\n", measured, truth, left_riemann);
	CU_ASSERT_DOUBLE_EQUAL(measured, truth, TOLERANCE_J);
	CU_ASSERT_DOUBLE_EQUAL(num(power, "energy_j"), measured, 1e-9);
	/* the run was steep enough to tell the rules apart */
	CU_ASSERT(truth - left_riemann > 2 * TOLERANCE_J);
	/* the per-call file reads as the seed's extractor expects */
	char dir[] = "/tmp/energymon-truth-XXXXXX", file[64];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "job", "0", &err), 0);
	snprintf(file, sizeof(file), "%s/job_0_ipmi.json", dir);
	json_t *per_call = json_load_file(file, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(per_call);
	static const char *const ipmi_keys[] = {"energy_system", NULL};
	CU_ASSERT(per_call && lithops_format_problems(per_call, "ipmi", ipmi_keys, true, file) == 0);
	CU_ASSERT(json_array_size(json_object_get(per_call, "power_readings")) >= 8);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(per_call, "energy_consumption"),
	                                                         "energy_system")), measured, 1e-9);
	json_decref(per_call);
	char rm[96];
	snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(rm), 0);
	json_decref(res);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

/* Busy CPU time of the whole machine from /proc/stat, s. */
static double machine_busy_s(void)
{
	unsigned long long user, nice, system, idle, iowait, irq, softirq, steal;
	FILE *f = fopen("/proc/stat", "r");
	int got = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait,
	                     &irq, &softirq, &steal)
	            : 0;
	if (f)
		fclose(f);
	if (got != 8)
		return NAN;
	return (double)(user + nice + system + irq + softirq + steal) / (double)sysconf(_SC_CLK_TCK);
}

static void burn_cpu(double seconds)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	(void)x;
}

/* The child and a grandchild it waits for each burn 0.5 s of CPU. */
static void burn_as_a_tree(int gate)
{
	char go;
	if (read(gate, &go, 1) != 1)
		_exit(1);
	pid_t grandchild = fork();
	if (grandchild == 0) {
		burn_cpu(0.5);
		_exit(0);
	}
	burn_cpu(0.5);
	waitpid(grandchild, NULL, 0);
	_exit(0);
}

static void test_ipmi_and_ebpf_attribute_system_energy_by_cpu_share(void)
{
	struct profile flat = {.t = {now_unix()}, .w = {150}, .n = 1};
	CU_ASSERT_EQUAL_FATAL(simbmc_write_profile(&bmc, flat.t, flat.w, flat.n), 0);
	char cfg_text[2048];
	config_for(cfg_text, sizeof(cfg_text), &bmc, sdr_dir, "[\"ipmi\", \"ebpf\"]", 0.1);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(cfg_text, &cfg, &err), 0);
	int gate[2];
	CU_ASSERT_FATAL(pipe(gate) == 0);
	pid_t child = fork();
	if (child == 0) {
		close(gate[1]);
		burn_as_a_tree(gate[0]);
	}
	close(gate[0]);
	int rc = em_monitor_create(cfg, child, &mon, &err);
	if (rc)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	/* /proc/stat around the monitor's whole start and stop (outer) and
	 * between them (inner): ebpf's own span lies between the two, which
	 * matters when other work keeps the machine busy */
	double busy0 = machine_busy_s();
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	double inner0 = machine_busy_s();
	CU_ASSERT_EQUAL(write(gate[1], "g", 1), 1);
	close(gate[1]);
	int status;
	struct rusage ru;
	wait4(child, &status, 0, &ru);
	double inner = machine_busy_s() - inner0;
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	double machine_busy = machine_busy_s() - busy0;
	char *text = em_monitor_result_json(mon);
	json_t *res = json_loads(text, 0, NULL);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);

	/* energy: the BMC's constant 150 W over the span of the readings */
	const json_t *power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(power);
	double left_riemann;
	double truth = truth_over_points(&flat, power, &left_riemann);
	double system = energy_of(res, NULL, "system"), share = energy_of(res, NULL, "cpu_share");
	CU_ASSERT(truth >= 150 * 0.45); /* the readings span the tree's run: 0.5 s of CPU each, at least */
	CU_ASSERT_DOUBLE_EQUAL(system, truth, truth * 0.01);
	/* the tree's CPU time is what the kernel charged the child and the
	 * grandchild it reaped; the machine's busy time is /proc/stat's over
	 * the same interval */
	double kernel_tree = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	double ebpf_busy = energy_of(res, "ebpf", "machine_busy_time");
	printf("\n  tree CPU: ebpf %.3f s, kernel %.3f s; machine busy: ebpf %.3f s, /proc/stat %.3f s inside "
	       "the monitor's span, %.3f s around it; share %.4f, kernel's %.4f..%.4f\n",
	       energy_of(res, NULL, "cpu_time"), kernel_tree, ebpf_busy, inner, machine_busy, share,
	       kernel_tree / machine_busy, kernel_tree / inner);
	CU_ASSERT(kernel_tree >= 0.9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "cpu_time"), kernel_tree, kernel_tree * 0.05);
	/* /proc/stat counts in ticks (10 ms per CPU): a few of slack */
	CU_ASSERT(ebpf_busy >= inner * 0.95 - 0.05);
	CU_ASSERT(ebpf_busy <= machine_busy * 1.05 + 0.05);
	CU_ASSERT_DOUBLE_EQUAL(share, energy_of(res, NULL, "cpu_time") / ebpf_busy, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "attributed_system"), system * share, system * 1e-9);
	/* the attributed energy's bound: the system's, times the share's timing bound */
	const json_t *ab = json_object_get(json_object_get(res, "uncertainty"), "attributed_system");
	const json_t *sb = json_object_get(json_object_get(res, "uncertainty"), "system");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ab);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	printf("  attributed_system %.3f J, bound [%.3f, %.3f] J (system [%.3f, %.3f] J)\n", num(ab, "value"),
	       num(ab, "low"), num(ab, "high"), num(sb, "low"), num(sb, "high"));
	CU_ASSERT(num(ab, "low") <= num(ab, "value") && num(ab, "value") <= num(ab, "high"));
	CU_ASSERT(num(ab, "high") - num(ab, "low") >= share * (num(sb, "high") - num(sb, "low")) * 0.999);
	CU_ASSERT(num(ab, "high") < num(sb, "high")); /* a share of a bound, not the whole of it */
	ASSERT_CONTAINS(json_string_value(json_object_get(ab, "method")), "not whether energy follows CPU time");
	const json_t *sources = json_object_get(res, "energy_sources");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(sources, "system")), "ipmi");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(sources, "cpu_share")), "ebpf");
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(res, "attribution"), "rule")),
	                "attributed_X = X x cpu_share");
	json_decref(res);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

int main(int argc, char **argv)
{
	static CU_TestInfo energy[] = {
		{"ipmi energy follows a ramp profile's exact integral", test_ipmi_energy_follows_a_ramp_exactly},
		CU_TEST_INFO_NULL,
	};
	static CU_TestInfo attribution[] = {
		{"ipmi + ebpf: system energy attributed by the kernel's CPU share",
		 test_ipmi_and_ebpf_attribute_system_energy_by_cpu_share},
		CU_TEST_INFO_NULL,
	};
	bool want_attribution = argc > 1 && !strcmp(argv[1], "attribution");
	if (want_attribution && geteuid() != 0) {
		printf("skipped: the ebpf plugin needs root (CAP_BPF and CAP_PERFMON) to load its program\n");
		return 77;
	}
	int rc = start_bmc(&bmc, sdr_dir, sizeof(sdr_dir));
	if (rc != 0)
		return rc;
	rc = run_suite(want_attribution ? "energy attribution" : "energy truth", want_attribution ? attribution : energy);
	simbmc_cleanup(&bmc);
	return rc;
}
