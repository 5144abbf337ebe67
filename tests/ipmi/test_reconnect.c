/*
 * test_reconnect.c — the BMC is killed in the middle of a run and started
 * again: sample() fails meanwhile with an error naming the BMC, the run
 * completes, the gap shows in the readings, and sampling resumes on a new
 * session without anyone calling create() again.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipmi_fixture.h"

#define TICK_S 0.1
#define KILL_AT_TICK 15
#define RESTART_AT_TICK 35
#define MAX_TICKS 250 /* 25 s: far beyond the 4 s backoff cap plus one timeout */
#define WANTED_AFTER_RESTART 10

static void sleep_until(struct timespec *deadline, double step_s)
{
	deadline->tv_nsec += (long)(step_s * 1e9);
	while (deadline->tv_nsec >= 1000000000)
		deadline->tv_sec++, deadline->tv_nsec -= 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL) == EINTR)
		;
}

/* A failed sample() whose power request went to the BMC on the sampling
 * thread: its error names the request itself. One answered from the state
 * of the reconnect running in the background says so ("reconnecting in the
 * background after: ...", "next reconnect attempt in ... after: ...", or
 * that attempt's own failure, "opening a session: ..."). */
static int request_went_to_the_bmc(const char *error)
{
	return strstr(error, "DCMI Get Power Reading") != NULL && strstr(error, " after: ") == NULL;
}

static void test_bmc_killed_and_restarted(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, TICK_S), 0);
	harness_set(&h, "ipmi_timeout", "0.5");
	int rc = harness_create(&h);
	if (rc)
		fprintf(stderr, "create: %s\n", h.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(h.plugin->start(h.instance), 0);

	size_t ok_before = 0, failed = 0, ok_after = 0, error_names_bmc = 0, waited_for_bmc = 0;
	double killed_unix = 0, restarted_unix = 0;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (int tick = 0; tick < MAX_TICKS && ok_after < WANTED_AFTER_RESTART; tick++) {
		if (tick == KILL_AT_TICK) {
			CU_ASSERT_EQUAL_FATAL(simbmc_kill(&bmc), 0);
			killed_unix = ipmi_fixture_now_unix();
		}
		if (tick == RESTART_AT_TICK) {
			CU_ASSERT_EQUAL_FATAL(simbmc_restart(&bmc), 0);
			restarted_unix = ipmi_fixture_now_unix();
			clock_gettime(CLOCK_MONOTONIC, &deadline); /* restart took a while */
		}
		h.error[0] = '\0';
		int rc_sample = h.plugin->sample(h.instance);
		if (rc_sample == 0) {
			if (tick < KILL_AT_TICK)
				ok_before++;
			else if (tick >= RESTART_AT_TICK)
				ok_after++;
		} else {
			failed++;
			error_names_bmc += strstr(h.error, bmc.host) != NULL;
			waited_for_bmc += request_went_to_the_bmc(h.error);
		}
		sleep_until(&deadline, TICK_S);
	}
	CU_ASSERT_EQUAL(h.plugin->stop(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);

	printf("\n  %zu samples before the kill, %zu failed, %zu after the restart\n", ok_before, failed, ok_after);
	CU_ASSERT_EQUAL(ok_before, KILL_AT_TICK);
	CU_ASSERT(failed >= 1);
	CU_ASSERT_EQUAL(error_names_bmc, failed);
	CU_ASSERT_EQUAL(ok_after, WANTED_AFTER_RESTART);
	/* Only the request that met the dead BMC goes to the wire and waits for
	 * it; every later failure is answered from the background reconnect's
	 * state, so reconnecting happens off the sampling thread. Told apart by
	 * what the plugin says, not by how long the call took. */
	printf("  failed calls that went to the dead BMC: %zu\n", waited_for_bmc);
	CU_ASSERT(waited_for_bmc <= 1);

	/* The gap: no power reading while the BMC was down, and the longest
	 * interval between readings spans the outage. */
	size_t during_outage = 0;
	for (size_t i = 0; i < h.nreadings; i++) {
		double t = (double)h.readings[i].wall_ns / 1e9;
		if (h.readings[i].quantity == ENERGY_Q_POWER_W && t > killed_unix && t < restarted_unix)
			during_outage++;
	}
	CU_ASSERT_EQUAL(during_outage, 0);
	double first, last, gap;
	ipmi_fixture_trapezoid_j(&h, "dcmi", &first, &last, &gap);
	printf("  outage %.2f s, longest gap between readings %.2f s\n", restarted_unix - killed_unix, gap);
	CU_ASSERT(gap >= restarted_unix - killed_unix);

	const struct harness_note *reconnects = harness_note(&h, "reconnects");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reconnects);
	CU_ASSERT(reconnects->number >= 1);
	CU_ASSERT_EQUAL(harness_note(&h, "failed_power_samples")->number, (double)failed);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

static void test_idle_session_replaced(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 1.0), 0);
	harness_set(&h, "ipmi_session_refresh", "0.5");
	harness_set(&h, "ipmi_sensors", "false");
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL(h.plugin->start(h.instance), 0);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 3, 1.0), 0); /* idle 1 s > 0.5 s before each */
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", ENERGY_Q_POWER_W), 3);
	CU_ASSERT_EQUAL(harness_note(&h, "idle_session_refreshes")->number, 2);
	CU_ASSERT_EQUAL(harness_note(&h, "session_breaks")->number, 0);
	CU_ASSERT_EQUAL(harness_note(&h, "failed_power_samples")->number, 0);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

/* FreeIPMI ends a LAN session that has heard nothing from the BMC for its
 * session timeout (ipmi_timeout), counted from the last answer: a request
 * on a session idle that long fails at once, without waiting for the BMC.
 * Idle spans longer than ipmi_timeout but shorter than ipmi_session_refresh
 * (25 s) happen: sampling slower than ipmi_timeout, and a command's session,
 * opened in create(), waiting out an idle baseline before start(). Either
 * must cost a session setup, not a broken session and lost samples. */
static void test_idle_beyond_timeout_replaced(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.8), 0);
	harness_set(&h, "ipmi_timeout", "0.5"); /* session refresh stays at 25 s */
	harness_set(&h, "ipmi_sensors", "false");
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	struct timespec pause = {0, 800000000};
	nanosleep(&pause, NULL); /* create() to start(): as while an idle baseline runs */
	CU_ASSERT_EQUAL(h.plugin->start(h.instance), 0);
	size_t failed = ipmi_fixture_sample_loop(&h, 3, 0.8); /* idle 0.8 s > 0.5 s before each */
	if (failed)
		printf("\n  %zu failed: %s", failed, h.error);
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(h.plugin->stop(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	CU_ASSERT(harness_count(&h, "dcmi", ENERGY_Q_POWER_W) >= 3);
	CU_ASSERT_EQUAL(harness_note(&h, "session_breaks")->number, 0);
	CU_ASSERT_EQUAL(harness_note(&h, "failed_power_samples")->number, 0);
	CU_ASSERT_EQUAL(harness_note(&h, "reconnects")->number, 0);
	CU_ASSERT(harness_note(&h, "idle_session_refreshes")->number >= 3);
	/* stop() came an interval after the last sample: its look-ahead too
	 * goes on a replaced session, not a dead one */
	const struct harness_note *lookahead = harness_note(&h, "end_lookahead");
	CU_ASSERT(lookahead && !strstr(lookahead->text, "the BMC failed"));
	if (lookahead)
		printf("\n  end_lookahead: %s", lookahead->text);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"BMC killed mid-run and restarted", test_bmc_killed_and_restarted},
		{"a session idle too long is replaced before use", test_idle_session_replaced},
		{"a session idle longer than ipmi_timeout is replaced, not broken", test_idle_beyond_timeout_replaced},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi reconnect", NULL, NULL, tests);
}
