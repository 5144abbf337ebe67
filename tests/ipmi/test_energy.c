/*
 * test_energy.c — the energy of a scripted power profile, integrated from
 * the plugin's DCMI readings, against the profile's exact integral.
 *
 * Two plugin instances (two sessions) sample the same BMC over the same
 * 13 s: one every 0.1 s, one every 1 s. The trapezoid rule over a step
 * profile errs by at most half of each step's size times the interval that
 * contains it; at 0.1 s that must stay within 1% of the truth, at 1 s within
 * that bound itself.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipmi_fixture.h"

#define NSTEPS 5
static const double step_w[NSTEPS] = {200, 260, 180, 300, 220}; /* steps of 60, 80, 120, 80 W */
#define STEP_S 2.5

static double total_step_change(void)
{
	double sum = 0;
	for (int i = 1; i < NSTEPS; i++)
		sum += fabs(step_w[i] - step_w[i - 1]);
	return sum;
}

static void sample_both(struct harness *fine, struct harness *coarse, size_t ticks)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (size_t i = 0; i < ticks; i++) {
		CU_ASSERT_EQUAL(fine->plugin->sample(fine->instance), 0);
		if (i % 10 == 0)
			CU_ASSERT_EQUAL(coarse->plugin->sample(coarse->instance), 0);
		deadline.tv_nsec += 100000000;
		if (deadline.tv_nsec >= 1000000000)
			deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
			;
	}
}

/* Allowed error: `relative` x the truth, plus `per_second_of_interval` x the
 * longest interval actually seen between two readings, plus `slack_j`. */
static void check(const char *label, const struct harness *h, const double *t, const double *w,
		  double relative, double per_second_of_interval, double slack_j)
{
	double first, last, gap;
	double measured = ipmi_fixture_trapezoid_j(h, "dcmi", &first, &last, &gap);
	double exact = simbmc_profile_energy_j(t, w, NSTEPS, first, last);
	double bound = relative * exact + per_second_of_interval * gap + slack_j;
	printf("\n  %s: %zu readings over %.2f s, measured %.2f J, exact %.2f J, error %.2f J, allowed %.2f J\n",
	       label, harness_count(h, "dcmi", ENERGY_Q_POWER_W), last - first, measured, exact,
	       measured - exact, bound);
	CU_ASSERT(last - first >= 10.0);
	CU_ASSERT(fabs(measured - exact) <= bound);
}

/* DCMI readings say how good they are, and the notes what the BMC showed
 * (simbmc refreshes on every request; its profile holds each step 2.5 s). */
static void check_quality_notes(struct harness *h)
{
	const struct energy_reading *last = harness_last(h, "dcmi", ENERGY_Q_POWER_W);
	CU_ASSERT_PTR_NOT_NULL_FATAL(last);
	CU_ASSERT_EQUAL(last->resolution, 1.0);
	CU_ASSERT(last->lag_s > 0);
	CU_ASSERT_EQUAL(h->plugin->get_data(h->instance), 0);
	static const char *const keys[] = {"bmc_refresh_s", "dcmi_timestamp", "dcmi_statistics_period_s",
					   "power_reading", "burst_ceiling", "stale_power_answers"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(harness_note(h, keys[i]));
		if (!harness_note(h, keys[i]))
			printf("\n  note %s missing\n", keys[i]);
	}
	if (!harness_note(h, "power_reading") || !harness_note(h, "burst_ceiling") ||
	    !harness_note(h, "stale_power_answers") || !harness_note(h, "dcmi_statistics_period_s"))
		return;
	CU_ASSERT_STRING_EQUAL(harness_note(h, "power_reading")->text, "instantaneous");
	CU_ASSERT_STRING_EQUAL(harness_note(h, "burst_ceiling")->text, "dcmi_maximum");
	CU_ASSERT(harness_note(h, "dcmi_statistics_period_s")->number > 0);
	/* 131 answers, the current power changing at 4 steps: most repeat */
	CU_ASSERT(harness_note(h, "stale_power_answers")->number >= 60);
	printf("  notes: bmc_refresh_s %s%g, dcmi_timestamp \"%s\", stale_power_answers %g\n",
	       harness_note(h, "bmc_refresh_s")->text, harness_note(h, "bmc_refresh_s")->number,
	       harness_note(h, "dcmi_timestamp")->text, harness_note(h, "stale_power_answers")->number);
}

static void test_step_profile_energy(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	double t[NSTEPS], w[NSTEPS];
	double t0 = ipmi_fixture_now_unix() + 1.0;
	for (int i = 0; i < NSTEPS; i++)
		t[i] = t0 + i * STEP_S, w[i] = step_w[i];
	CU_ASSERT_EQUAL_FATAL(simbmc_write_profile(&bmc, t, w, NSTEPS), 0);

	struct harness fine, coarse;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&fine, &bmc, 0.1), 0);
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&coarse, &bmc, 1.0), 0);
	harness_set(&fine, "ipmi_sensors", "false");
	harness_set(&coarse, "ipmi_sensors", "false");
	int rc = harness_create(&fine);
	if (rc)
		fprintf(stderr, "create: %s\n", fine.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(harness_create(&coarse), 0);
	CU_ASSERT_STRING_EQUAL(harness_note(&fine, "power_source")->text, "dcmi");
	fine.plugin->start(fine.instance);
	coarse.plugin->start(coarse.instance);

	/* From 0.5 s before the first step to 2.5 s after the last one. */
	sample_both(&fine, &coarse, 131);
	fine.plugin->stop(fine.instance);
	coarse.plugin->stop(coarse.instance);

	check("0.1 s sampling", &fine, t, w, 0.01, 0, 0);
	check_quality_notes(&fine);
	/* The trapezoid's own error: each step's size x interval / 2, summed;
	 * 1 J more for time-stamp jitter (0.1 ms of a 300 W reading is 0.03 J). */
	check("1 s sampling", &coarse, t, w, 0, total_step_change() / 2, 1.0);
	harness_close(&fine);
	harness_close(&coarse);
	simbmc_cleanup(&bmc);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"step profile energy at 0.1 s and 1 s sampling", test_step_profile_energy},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi energy", NULL, NULL, tests);
}
