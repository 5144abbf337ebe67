/*
 * The simulated BMC's DCMI power, read the way the IPMI plugin reads it:
 * one FreeIPMI lanplus session, Get Power Reading per sample.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "dcmi_session.h"
#include "simbmc_client.h"

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double unix_time)
{
	double d = unix_time - now_unix();

	if (d > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

static ipmi_ctx_t open_admin(struct simbmc *b)
{
	char why[512];
	ipmi_ctx_t ctx = dcmi_session_open(b->host, b->user, b->password,
					   IPMI_PRIVILEGE_LEVEL_ADMIN, why, sizeof(why));
	if (!ctx)
		fprintf(stderr, "%s\n", why);
	return ctx;
}

static void test_power_follows_profile(void)
{
	struct simbmc b;
	struct dcmi_power p;
	int cc;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);

	/* The default profile: a constant 100 W. */
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(cc, ==, 0);
	CHECK_INT(p.current_w, ==, 100);
	CHECK_INT(p.active, ==, 1);
	CHECK_NEAR(p.timestamp, now_unix(), 5);

	/* A step 0.4 s ahead: the reading is the first level until then, the
	 * second one after; fractional watts round to the nearest integer. */
	double t0 = now_unix();
	double t[] = { t0 - 60, t0 + 0.4 };
	double w[] = { 137.4, 211.6 };
	CHECK_OK(simbmc_write_profile(&b, t, w, 2), b.error);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 137);
	sleep_until(t[1] + 0.05);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 212);
	/* Statistics cover the BMC's life, all of it inside this profile. */
	CHECK_INT(p.min_w, ==, 137);
	CHECK_INT(p.max_w, ==, 212);
	CU_ASSERT(p.avg_w >= 137 && p.avg_w <= 212);
	CU_ASSERT(p.period_ms > 400);

	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
}

static void test_quick_rewrites_are_seen(void)
{
	struct simbmc b;
	struct dcmi_power p;
	int cc;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	/* Same size, same second: only the rename's new inode tells the
	 * module the file changed. */
	for (int i = 0; i < 5; i++) {
		double t = 0, w = 300 + i;
		CHECK_OK(simbmc_write_profile(&b, &t, &w, 1), b.error);
		CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
		CHECK_INT(p.current_w, ==, 300 + i);
	}
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
}

static void test_missing_then_bad_profile(void)
{
	char dir[] = "/tmp/simbmc-prof-XXXXXX", path[64];
	struct simbmc_options o = { 0 };
	struct simbmc b;
	struct dcmi_power p;
	int cc;
	double t = 0, w = 55;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/profile", dir);
	o.profile = path;
	CHECK_OK(simbmc_start(&b, &o), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);

	/* No profile yet: no reading rather than an invented one. */
	CU_ASSERT_NOT_EQUAL(dcmi_session_read(ctx, &p, &cc), 0);
	CHECK_INT(cc, ==, 0xD5);
	CHECK_OK(simbmc_write_profile(&b, &t, &w, 1), b.error);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 55);

	/* A broken rewrite: the last good profile stays in force. */
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("0 66\nnot a number\n", f);
	fclose(f);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 55);

	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
	remove(path);
	rmdir(dir);
}

static void test_capability_and_ipmi15(void)
{
	struct simbmc b;
	struct dcmi_power p;
	char why[512];
	int cc, supported = -1;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_power_supported(ctx, &supported), ==, 0);
	CHECK_INT(supported, ==, 1);
	dcmi_session_close(ctx);

	ctx = dcmi_session_open_lan15(b.host, b.user, b.password,
				      IPMI_PRIVILEGE_LEVEL_ADMIN, why, sizeof(why));
	if (!ctx)
		fprintf(stderr, "%s\n", why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 100);
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
}

static void test_no_dcmi_is_invalid_command(void)
{
	struct simbmc_options o = { .no_dcmi = 1 };
	struct simbmc b;
	struct dcmi_power p;
	int cc;

	CHECK_OK(simbmc_start(&b, &o), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==,
		  IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED);
	CHECK_INT(cc, ==, 0xC1);
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
}

static void test_user_privilege_gets_no_dcmi(void)
{
	struct simbmc b;
	struct dcmi_power p;
	char why[512];
	int cc;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	ipmi_ctx_t ctx = dcmi_session_open(b.host, SIMBMC_VIEWER_USER, b.password,
					   IPMI_PRIVILEGE_LEVEL_USER, why, sizeof(why));
	if (!ctx)
		fprintf(stderr, "%s\n", why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	/* ipmi_sim only lets ADMIN use netfn 0x2C. */
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==,
		  IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT);
	CHECK_INT(cc, ==, 0xD4);
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
}

static void test_kill_and_restart_on_same_port(void)
{
	struct simbmc b;
	struct dcmi_power p;
	int cc, port;
	double t = 0, w = 180;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	port = b.port;
	CHECK_OK(simbmc_write_profile(&b, &t, &w, 1), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 180);

	CHECK_OK(simbmc_kill(&b), b.error);
	/* A dead BMC: the session's request times out. */
	CU_ASSERT_NOT_EQUAL(dcmi_session_read(ctx, &p, &cc), 0);
	dcmi_session_close(ctx);

	CHECK_OK(simbmc_restart(&b), b.error);
	CHECK_INT(b.port, ==, port);
	ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 180);
	dcmi_session_close(ctx);

	CHECK_OK(simbmc_stop(&b), b.error);
	CHECK_OK(simbmc_restart(&b), b.error);
	ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL(ctx);
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
	simbmc_cleanup(&b); /* twice is safe */
}

static void test_cpu_model_stays_within_idle_and_peak(void)
{
	struct simbmc_options o = { .cpu_model = 1, .cpu_idle_w = 60, .cpu_peak_w = 60 };
	struct simbmc b;
	struct dcmi_power p;
	int cc;

	/* idle == peak: the load cannot move the reading. */
	CHECK_OK(simbmc_start(&b, &o), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 60);
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);

	o.cpu_peak_w = 160;
	CHECK_OK(simbmc_start(&b, &o), b.error);
	ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, >=, 60);
	CHECK_INT(p.current_w, <=, 160);
	CU_ASSERT(p.min_w <= p.avg_w && p.avg_w <= p.max_w);
	CHECK_INT(simbmc_write_profile(&b, &(double){ 0 }, &(double){ 1 }, 1), ==, -EINVAL);
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
}

int main(void)
{
	require_simbmc();
	CU_TestInfo tests[] = {
		{"power follows the profile", test_power_follows_profile},
		{"quick rewrites are seen", test_quick_rewrites_are_seen},
		{"capability info, and IPMI 1.5", test_capability_and_ipmi15},
		{"missing, then bad profile", test_missing_then_bad_profile},
		{"--no-dcmi answers invalid command", test_no_dcmi_is_invalid_command},
		{"USER privilege gets no DCMI", test_user_privilege_gets_no_dcmi},
		{"kill and restart on the same port", test_kill_and_restart_on_same_port},
		{"cpu model within idle..peak", test_cpu_model_stays_within_idle_and_peak},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("simbmc_dcmi", NULL, NULL, tests);
}
