/* The BMC model on a simulated clock: what a real BMC's DCMI answer says
 * for a known profile, refresh period, window, quantisation and stamp mode.
 * The expected figures are worked out by hand from the profiles below. */
#include <errno.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "bmc_model.h"
#include "check.h"

static struct bmc_answer ask(const struct bmc_behaviour *b, const double *t, const double *w, size_t n,
			     double start, double now)
{
	struct bmc_answer a;

	bmc_model_answer(b, t, w, n, start, now, &a);
	return a;
}

static void test_refresh_holds_the_reading(void)
{
	/* 100 W, then 200 W from 1002.5; the BMC refreshes every second
	 * from 1000: the step shows only at the 1003 refresh. */
	const double t[] = { 1000, 1002.5 }, w[] = { 100, 200 };
	const struct bmc_behaviour b = { .refresh_s = 1.0, .stamp = BMC_STAMP_REFRESH };

	for (double now = 1002.0; now < 1002.995; now += 0.05) {
		struct bmc_answer a = ask(&b, t, w, 2, 1000, now);
		CHECK_NEAR(a.current_w, 100, 0);
		CHECK_NEAR(a.refreshed_at, 1002, 1e-9);
		CHECK_INT(a.timestamp, ==, 1002);
	}
	struct bmc_answer a = ask(&b, t, w, 2, 1000, 1003.0);
	CHECK_NEAR(a.current_w, 200, 0);
	CHECK_NEAR(a.refreshed_at, 1003, 1e-9);
	CHECK_INT(a.timestamp, ==, 1003);

	/* refresh 0: every request is a refresh and sees the step at once. */
	const struct bmc_behaviour every = { 0 };
	a = ask(&every, t, w, 2, 1000, 1002.5);
	CHECK_NEAR(a.current_w, 200, 0);
	CHECK_NEAR(a.refreshed_at, 1002.5, 0);
}

static void test_window_average_is_the_exact_integral(void)
{
	/* Window [1004, 1008] at the 1008 refresh: 1 s of 100 W, 2 s of
	 * 300 W, 1 s of 50 W = 750 J over 4 s. */
	const double t[] = { 0, 1005, 1007 }, w[] = { 100, 300, 50 };
	const struct bmc_behaviour b = { .refresh_s = 1.0, .window_s = 4.0 };
	struct bmc_answer a = ask(&b, t, w, 3, 1000, 1008.5);

	CHECK_NEAR(a.avg_w, 187.5, 1e-9);
	CHECK_NEAR(a.min_w, 50, 0);
	CHECK_NEAR(a.max_w, 300, 0);
	CHECK_NEAR(a.current_w, 50, 0);
	CHECK_INT(a.period_ms, ==, 4000);

	/* A window reaching before the start covers only [start, r]: at the
	 * 1006 refresh that is 5 s of 100 W and 1 s of 300 W. */
	const struct bmc_behaviour wide = { .refresh_s = 1.0, .window_s = 10.0 };
	a = ask(&wide, t, w, 3, 1000, 1006.2);
	CHECK_NEAR(a.avg_w, 800.0 / 6.0, 1e-9);
	CHECK_INT(a.period_ms, ==, 6000);

	/* Without a window: since the start, 1000..1008 = 500 + 600 + 50. */
	const struct bmc_behaviour all = { .refresh_s = 1.0 };
	a = ask(&all, t, w, 3, 1000, 1008.5);
	CHECK_NEAR(a.avg_w, 1150.0 / 8.0, 1e-9);
	CHECK_NEAR(a.min_w, 50, 0);
	CHECK_NEAR(a.max_w, 300, 0);
	CHECK_INT(a.period_ms, ==, 8000);

	/* At the start the period is empty: the average is the reading. */
	a = ask(&all, t, w, 3, 1000, 1000.4);
	CHECK_NEAR(a.avg_w, 100, 0);
	CHECK_INT(a.period_ms, ==, 0);
}

static void test_burst_between_refreshes(void)
{
	/* 400 W for 0.2 s at 1002.3, inside one 1 s refresh period. */
	const double t[] = { 0, 1002.3, 1002.5 }, w[] = { 100, 400, 100 };
	const struct bmc_behaviour b = { .refresh_s = 1.0, .window_s = 1.0 };
	double highest_current = 0;

	for (double now = 1000.0; now < 1010.0; now += 0.01) {
		struct bmc_answer a = ask(&b, t, w, 3, 1000, now);
		if (a.current_w > highest_current)
			highest_current = a.current_w;
	}
	/* The reading never catches it... */
	CHECK_NEAR(highest_current, 100, 0);
	/* ...the statistics of the period that held it do: max and average. */
	struct bmc_answer a = ask(&b, t, w, 3, 1000, 1003.5);
	CHECK_NEAR(a.max_w, 400, 0);
	CHECK_NEAR(a.min_w, 100, 0);
	CHECK_NEAR(a.avg_w, 0.8 * 100 + 0.2 * 400, 1e-9);
	/* One window later the burst has left the statistics. */
	a = ask(&b, t, w, 3, 1000, 1004.5);
	CHECK_NEAR(a.max_w, 100, 0);
	CHECK_NEAR(a.avg_w, 100, 1e-9);
	/* Statistics since the start keep it for good. */
	const struct bmc_behaviour all = { .refresh_s = 1.0 };
	a = ask(&all, t, w, 3, 1000, 1009.5);
	CHECK_NEAR(a.max_w, 400, 0);
}

static void test_quantisation(void)
{
	const double t[] = { 0, 1001, 1002 }, w[] = { 100.4, 100.5, 99.49 };
	const struct bmc_behaviour q = { .refresh_s = 1.0, .quantise = 1 };
	const struct bmc_behaviour exact = { .refresh_s = 1.0 };

	struct bmc_answer a = ask(&q, t, w, 3, 1000, 1001.5);
	CHECK_NEAR(a.current_w, 101, 0);  /* 100.5 rounds up */
	CHECK_NEAR(a.min_w, 100, 0);      /* 100.4 */
	CHECK_NEAR(a.max_w, 101, 0);
	CHECK_NEAR(a.avg_w, 100, 0);      /* 100.4 over [1000, 1001] */
	a = ask(&q, t, w, 3, 1000, 1002.5);
	CHECK_NEAR(a.current_w, 99, 0);   /* 99.49 */
	CHECK_NEAR(a.avg_w, 100, 0);      /* (100.4 + 100.5) / 2 = 100.45 */
	a = ask(&exact, t, w, 3, 1000, 1002.5);
	CHECK_NEAR(a.current_w, 99.49, 0);
	CHECK_NEAR(a.avg_w, 100.45, 1e-9);
}

static void test_stamp_modes(void)
{
	const double t[] = { 0 }, w[] = { 100 };
	struct bmc_behaviour b = { .refresh_s = 2.0 };
	const double start = 1000.7;

	/* The 1004.7 refresh, asked at 1005.2 and 1006.6. */
	b.stamp = BMC_STAMP_REFRESH;
	CHECK_INT(ask(&b, t, w, 1, start, 1005.2).timestamp, ==, 1004);
	CHECK_INT(ask(&b, t, w, 1, start, 1006.6).timestamp, ==, 1004);
	CHECK_INT(ask(&b, t, w, 1, start, 1006.8).timestamp, ==, 1006);
	b.stamp = BMC_STAMP_REQUEST;
	CHECK_INT(ask(&b, t, w, 1, start, 1005.2).timestamp, ==, 1005);
	CHECK_INT(ask(&b, t, w, 1, start, 1006.6).timestamp, ==, 1006);
	b.stamp = BMC_STAMP_FROZEN;
	CHECK_INT(ask(&b, t, w, 1, start, 1005.2).timestamp, ==, 1000);
	CHECK_INT(ask(&b, t, w, 1, start, 99999.0).timestamp, ==, 1000);
}

static void test_period_ms(void)
{
	const double t[] = { 0 }, w[] = { 100 };
	const struct bmc_behaviour every = { 0 };
	const struct bmc_behaviour windowed = { .refresh_s = 0.1, .window_s = 10.0 };

	CHECK_INT(ask(&every, t, w, 1, 1000, 1001.25).period_ms, ==, 1250);
	/* The window fills, then stays at its length. */
	CHECK_INT(ask(&windowed, t, w, 1, 1000, 1003.05).period_ms, ==, 3000);
	CHECK_INT(ask(&windowed, t, w, 1, 1000, 1030.05).period_ms, ==, 10000);
	/* A BMC up for ~50 days overflows the 32-bit field: clamped. */
	CHECK_INT(ask(&every, t, w, 1, 1000, 1000 + 5e6).period_ms, ==, UINT32_MAX);
}

static void test_options(void)
{
	struct bmc_behaviour b = { 0 };

	CHECK_INT(bmc_behaviour_option(&b, "refresh_ms=1500"), ==, 0);
	CHECK_NEAR(b.refresh_s, 1.5, 1e-12);
	CHECK_INT(bmc_behaviour_option(&b, "window_ms=250.5"), ==, 0);
	CHECK_NEAR(b.window_s, 0.2505, 1e-12);
	CHECK_INT(bmc_behaviour_option(&b, "quantise=1"), ==, 0);
	CHECK_INT(b.quantise, ==, 1);
	CHECK_INT(bmc_behaviour_option(&b, "stamp=frozen"), ==, 0);
	CHECK_INT(b.stamp, ==, BMC_STAMP_FROZEN);
	CHECK_INT(bmc_behaviour_option(&b, "stamp=refresh"), ==, 0);
	CHECK_INT(b.stamp, ==, BMC_STAMP_REFRESH);
	CHECK_INT(bmc_behaviour_option(&b, "refresh_ms=0"), ==, 0);
	CHECK_NEAR(b.refresh_s, 0, 0);

	static const char *const bad[] = {
		"refresh_ms", "refresh_ms=", "refresh_ms=-1", "refresh_ms=abc", "refresh_ms=1x",
		"refresh_ms=nan", "refresh_ms=inf", "refresh_ms= 5", "refresh_ms=1e400",
		"window_ms=-0.5", "quantise=2", "quantise=", "quantise=yes", "stamp=now",
		"stamp=", "stamp=Refresh", "bogus=1", "=1", "", "refresh_ms =5", "refresh=5",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = bmc_behaviour_option(&b, bad[i]);
		if (rc != -EINVAL)
			fprintf(stderr, "option \"%s\" accepted\n", bad[i]);
		CHECK_INT(rc, ==, -EINVAL);
	}
	/* A rejected option leaves the behaviour as it was. */
	CHECK_NEAR(b.refresh_s, 0, 0);
	CHECK_NEAR(b.window_s, 0.2505, 1e-12);
	CHECK_INT(b.quantise, ==, 1);
	CHECK_INT(b.stamp, ==, BMC_STAMP_REFRESH);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"refresh holds the reading", test_refresh_holds_the_reading},
		{"window average is the exact integral", test_window_average_is_the_exact_integral},
		{"burst between refreshes shows in max only", test_burst_between_refreshes},
		{"quantisation", test_quantisation},
		{"stamp modes", test_stamp_modes},
		{"statistics period", test_period_ms},
		{"option parsing", test_options},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("bmc_model", NULL, NULL, tests);
}
