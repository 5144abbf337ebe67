/*
 * test_wait.c — BMCs that are down, hang or refuse the login while a
 * monitor runs (ipmi_wait_for_bmc): create() does not depend on the BMC,
 * sample() fails with the errno that says why, a hung BMC costs each
 * sample() at most one request timeout, a refused login is not retried
 * before its long pause, and readings come as soon as the BMC answers.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipmi_fixture.h"

#define TICK_S 0.1
#define TIMEOUT_S 0.5
/* A correctness bound on one sample() against a hung BMC (one request
 * timeout, plus scheduling slack on a loaded 2-core VM), not a benchmark. */
#define SAMPLE_BOUND_S (TIMEOUT_S + 1.0)

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void tick(void)
{
	const struct timespec t = {0, (long)(TICK_S * 1e9)};
	nanosleep(&t, NULL);
}

/* sample() until one succeeds, for at most `max` ticks; how many failed
 * first, or -1 when none succeeded. */
static int sample_until_ok(struct harness *h, int max)
{
	for (int i = 0; i < max; i++) {
		if (h->plugin->sample(h->instance) == 0)
			return i;
		tick();
	}
	return -1;
}

static void test_down_at_start(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	CU_ASSERT_EQUAL_FATAL(simbmc_stop(&bmc), 0); /* files stay: it can be started again */
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, TICK_S), 0);
	harness_set(&h, "ipmi_wait_for_bmc", "true");
	harness_set(&h, "ipmi_timeout", "0.5");
	int rc = harness_create(&h);
	if (rc)
		fprintf(stderr, "create: %s\n", h.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(h.plugin->start(h.instance), 0);

	size_t timed_out = 0, other = 0;
	for (int i = 0; i < 15; i++) {
		h.error[0] = '\0';
		rc = h.plugin->sample(h.instance);
		CU_ASSERT(rc < 0);
		if (rc == -ETIMEDOUT && strstr(h.error, bmc.host) && strstr(h.error, "no answer within 0.5 s"))
			timed_out++;
		else if (rc != -ENOTCONN) /* only while the first attempt has no result yet */
			other++, printf("\n  unexpected rc %d: %s", rc, h.error);
		tick();
	}
	printf("\n  BMC down: %zu samples said -ETIMEDOUT\n", timed_out);
	CU_ASSERT(timed_out >= 5);
	CU_ASSERT_EQUAL(other, 0);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", ENERGY_Q_POWER_W), 0);

	CU_ASSERT_EQUAL_FATAL(simbmc_restart(&bmc), 0);
	/* backoff: at most 4 s since the outage began at this point, plus one timeout */
	int failed = sample_until_ok(&h, 100);
	printf("  after the BMC started: %d failed samples, then a reading\n", failed);
	CU_ASSERT(failed >= 0);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 5, TICK_S), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", ENERGY_Q_POWER_W), 6);
	const struct energy_reading *r = harness_last(&h, "dcmi", ENERGY_Q_POWER_W);
	CU_ASSERT(r && r->value == 100.0); /* the simulator's default constant profile */
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	const struct harness_note *src = harness_note(&h, "power_source");
	CU_ASSERT(src && strcmp(src->text, "dcmi") == 0);
	const struct harness_note *attempts = harness_note(&h, "connect_attempts");
	CU_ASSERT(attempts && attempts->number >= 2);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

static void test_hung_mid_run(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, TICK_S), 0);
	harness_set(&h, "ipmi_timeout", "0.5");
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL(h.plugin->start(h.instance), 0);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 5, TICK_S), 0);

	CU_ASSERT_EQUAL_FATAL(simbmc_hang(&bmc), 0);
	double longest = 0;
	size_t timed_out = 0;
	for (int i = 0; i < 12; i++) {
		double t0 = mono_s();
		int rc = h.plugin->sample(h.instance);
		double took = mono_s() - t0;
		if (took > longest)
			longest = took;
		if (rc == -ETIMEDOUT && strstr(h.error, bmc.host))
			timed_out++;
		else
			printf("\n  rc %d: %s", rc, h.error);
		tick();
	}
	printf("\n  hung BMC: %zu of 12 samples -ETIMEDOUT, longest call %.3f s (bound %.1f s)\n", timed_out,
	       longest, SAMPLE_BOUND_S);
	CU_ASSERT_EQUAL(timed_out, 12);
	CU_ASSERT(longest < SAMPLE_BOUND_S);

	CU_ASSERT_EQUAL_FATAL(simbmc_resume(&bmc), 0);
	int failed = sample_until_ok(&h, 150);
	printf("  after resume: %d failed samples, then a reading\n", failed);
	CU_ASSERT(failed >= 0);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 5, TICK_S), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", ENERGY_Q_POWER_W), 11);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	CU_ASSERT(harness_note(&h, "reconnects")->number >= 1);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

static void test_refused_login_pauses(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	char path[sizeof(bmc.dir) + 16];
	snprintf(path, sizeof(path), "%s/wrong.pw", bmc.dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "not-the-password\n", 17) == 17);
	close(fd);
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load_as(&h, &bmc, TICK_S, bmc.user, path), 0);
	harness_set(&h, "ipmi_wait_for_bmc", "true");
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL(h.plugin->start(h.instance), 0);
	size_t refused = 0, paused = 0;
	for (int i = 0; i < 20; i++) {
		h.error[0] = '\0';
		int rc = h.plugin->sample(h.instance);
		double wait_s = 0;
		const char *next = strstr(h.error, "next reconnect attempt in ");
		if (rc == -EACCES && strstr(h.error, "wrong password"))
			refused++;
		if (next && sscanf(next, "next reconnect attempt in %lf s", &wait_s) == 1 && wait_s > 50)
			paused++;
		CU_ASSERT_PTR_NULL(strstr(h.error, "not-the-password"));
		tick();
	}
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	const struct harness_note *attempts = harness_note(&h, "connect_attempts");
	printf("\n  refused login: %zu samples -EACCES, %zu in the long pause, %g attempts\n", refused, paused,
	       attempts ? attempts->number : -1);
	CU_ASSERT(refused >= 10);
	CU_ASSERT(paused >= 10);
	CU_ASSERT(attempts && attempts->number == 1);
	const struct harness_note *err = harness_note(&h, "bmc_error");
	CU_ASSERT(err && strstr(err->text, "wrong password"));
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"BMC down at start, started later", test_down_at_start},
		{"BMC hung mid-run and resumed", test_hung_mid_run},
		{"refused login waits out its pause", test_refused_login_pauses},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi wait for bmc", NULL, NULL, tests);
}
