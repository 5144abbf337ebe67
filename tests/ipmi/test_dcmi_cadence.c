/*
 * test_dcmi_cadence.c — the DCMI cadence detector on a simulated clock:
 * sequences of answers from BMCs of known refresh period and time stamp
 * behaviour, and the readings (lag, STALE, AVERAGE, RANGE, resolution)
 * they must turn into. No BMC, no sleeping.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dcmi_cadence.h"

#define MS 1000000LL
#define BASE_UNIX 1700000000u

/* A simulated BMC: refreshes its figures at k * refresh_ms (k >= 0). */
enum stamp { BY_REFRESH, BY_REQUEST, FROZEN };
struct bmc {
	int64_t refresh_ms;
	enum stamp stamp;
	int steady;          /* the power never changes */
	uint32_t period_ms;  /* statistics period; 0: none */
	double max_w;        /* reported maximum; negative: 20 W above the value */
};

/* The power at refresh k: different from refresh k-1 unless steady. */
static double power_at(const struct bmc *b, int64_t k)
{
	return b->steady ? 200 : 200 + 10 * (double)(k % 5);
}

static struct dcmi_answer ask(const struct bmc *b, int64_t now_ms)
{
	int64_t k = now_ms / b->refresh_ms;
	struct dcmi_answer a = {.current_w = power_at(b, k), .min_w = 150, .avg_w = power_at(b, k) - 5,
				.period_ms = b->period_ms, .mono_ns = now_ms * MS, .wall_ns = now_ms * MS};
	a.max_w = b->max_w < 0 ? a.current_w + 20 : b->max_w;
	if (b->stamp == BY_REFRESH)
		a.timestamp = BASE_UNIX + (uint32_t)(k * b->refresh_ms / 1000);
	else if (b->stamp == BY_REQUEST)
		a.timestamp = BASE_UNIX + (uint32_t)(now_ms / 1000);
	else
		a.timestamp = BASE_UNIX;
	return a;
}

struct run {
	unsigned long readings, stale_flags, ranges;
	struct energy_reading last;
};

/* Sample the BMC every interval_ms from start_ms to end_ms (inclusive). */
static struct run sample(struct dcmi_cadence *c, const struct bmc *b, int64_t start_ms, int64_t end_ms,
			 int64_t interval_ms)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	for (int64_t t = start_ms; t <= end_ms; t += interval_ms) {
		struct dcmi_answer a = ask(b, t);
		dcmi_cadence_reading(c, &a, &r.last);
		r.readings++;
		r.stale_flags += (r.last.flags & ENERGY_READING_STALE) != 0;
		r.ranges += (r.last.flags & ENERGY_READING_RANGE) != 0;
		CU_ASSERT_EQUAL(r.last.resolution, 1.0);
	}
	return r;
}

static void expect_near(double got, double want, double tol, const char *what)
{
	CU_ASSERT(fabs(got - want) <= tol);
	if (fabs(got - want) > tol)
		printf("\n  %s: %g, expected %g +- %g\n", what, got, want, tol);
}

static void test_refresh_period_from_values_and_stamps(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
	struct bmc b = {.refresh_ms = 1000, .stamp = BY_REFRESH, .period_ms = 0, .max_w = 0};
	struct run r = sample(&c, &b, 50, 10050, 100);
	expect_near(dcmi_cadence_refresh_s(&c), 1.0, 0.001, "refresh period");
	expect_near(r.last.lag_s, 1.1, 0.001, "lag");
	CU_ASSERT_STRING_EQUAL(dcmi_cadence_stamp_behaviour(&c), "advances with refreshes");
	/* refreshes at 1..10 s, each seen once; the rest repeat one */
	CU_ASSERT_EQUAL(c.refreshes, 10);
	CU_ASSERT_EQUAL(r.stale_flags, r.readings - 11);
	CU_ASSERT_EQUAL(c.stale, r.stale_flags);
	CU_ASSERT_EQUAL(c.answers, r.readings);
	CU_ASSERT_EQUAL(r.last.quantity, ENERGY_Q_POWER_W);
	CU_ASSERT_EQUAL(r.last.scope, ENERGY_SCOPE_SYSTEM);
	CU_ASSERT_STRING_EQUAL(r.last.sensor, "dcmi");
	CU_ASSERT_EQUAL(r.last.flags & ENERGY_READING_AVERAGE, 0);
}

static void test_stale_exactly_on_repeats(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
	struct bmc b = {.refresh_ms = 1000, .stamp = BY_REFRESH};
	struct energy_reading out;
	int64_t times[] = {500, 700, 1100, 1300, 2050};
	int want_stale[] = {0, 1, 0, 1, 0};
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		struct dcmi_answer a = ask(&b, times[i]);
		dcmi_cadence_reading(&c, &a, &out);
		CU_ASSERT_EQUAL((out.flags & ENERGY_READING_STALE) != 0, want_stale[i]);
		CU_ASSERT_EQUAL(out.value, a.current_w);
	}
}

static void test_lag_before_two_refreshes(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
	struct bmc b = {.refresh_ms = 4000, .stamp = BY_REFRESH};
	struct energy_reading out;
	struct dcmi_answer a = ask(&b, 1000);
	dcmi_cadence_reading(&c, &a, &out);
	expect_near(out.lag_s, 5.0, 1e-9, "lag of the first answer (the prior)");
	a = ask(&b, 1200);
	dcmi_cadence_reading(&c, &a, &out);
	expect_near(out.lag_s, 5.2, 1e-9, "lag at the second answer (the 5 s prior and the interval)");
	a = ask(&b, 3700);
	dcmi_cadence_reading(&c, &a, &out);
	expect_near(out.lag_s, 7.5, 1e-9, "lag after 2.7 s without a refresh (the prior, not the quiet time)");
	a = ask(&b, 4100); /* one refresh seen: still no spacing */
	dcmi_cadence_reading(&c, &a, &out);
	expect_near(out.lag_s, 5.4, 1e-9, "lag after one refresh");
	CU_ASSERT_EQUAL(dcmi_cadence_refresh_s(&c), 0);
	/* the spacing from the first answer (1.0 s) to the refresh seen at
	 * 4.1 s would be 3.1 s: not a spacing, so none is known */
}

/* A stamp taken per request advances every second whatever the BMC does:
 * taken for refreshes, a 5 s BMC would look like a 1 s one. */
static void test_request_stamp_is_not_a_refresh(void)
{
	for (int64_t interval = 100; interval <= 1000; interval += 900) {
		struct dcmi_cadence c;
		dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
		struct bmc b = {.refresh_ms = 5000, .stamp = BY_REQUEST};
		struct run r = sample(&c, &b, 300, 40300, interval);
		CU_ASSERT_STRING_EQUAL(dcmi_cadence_stamp_behaviour(&c), "advances with every request");
		CU_ASSERT(c.stamp_advances >= 39);
		expect_near(dcmi_cadence_refresh_s(&c), 5.0, interval / 1000.0, "refresh period");
		CU_ASSERT(r.last.lag_s >= 5.0);
		CU_ASSERT(c.refreshes <= 9);
		CU_ASSERT(r.stale_flags >= r.readings - 9);
		if (c.refreshes > 9)
			printf("\n  interval %lld ms: %lu refreshes counted in 40 s of a 5 s BMC\n",
			       (long long)interval, c.refreshes);
	}
}

static void test_frozen_stamp_ignored(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
	struct bmc b = {.refresh_ms = 2000, .stamp = FROZEN};
	struct run r = sample(&c, &b, 100, 20100, 250);
	CU_ASSERT_STRING_EQUAL(dcmi_cadence_stamp_behaviour(&c), "does not advance");
	CU_ASSERT_EQUAL(c.stamp_advances, 0);
	expect_near(dcmi_cadence_refresh_s(&c), 2.0, 0.25, "refresh period");
	expect_near(r.last.lag_s, 2.25, 0.001, "lag");
	CU_ASSERT_EQUAL(c.refreshes, 10);
}

/* Steady power: only the stamp shows the BMC refreshed, and it held each
 * second for longer than a request clock would. */
static void test_refresh_stamp_with_steady_power(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
	struct bmc b = {.refresh_ms = 3000, .stamp = BY_REFRESH, .steady = 1};
	struct run r = sample(&c, &b, 100, 30100, 500);
	CU_ASSERT_STRING_EQUAL(dcmi_cadence_stamp_behaviour(&c), "advances with refreshes");
	expect_near(dcmi_cadence_refresh_s(&c), 3.0, 0.001, "refresh period");
	expect_near(r.last.lag_s, 3.5, 0.001, "lag");
	CU_ASSERT_EQUAL(c.refreshes, 10);
	CU_ASSERT_EQUAL(r.stale_flags, r.readings - 11);
}

static void test_average_mode(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_AVERAGE, 0);
	struct bmc b = {.refresh_ms = 1000, .stamp = BY_REFRESH, .period_ms = 10000, .max_w = -1};
	struct run r = sample(&c, &b, 50, 5050, 100);
	struct dcmi_answer a = ask(&b, 5050);
	CU_ASSERT_EQUAL(r.last.value, a.avg_w);
	CU_ASSERT_NOT_EQUAL(r.last.value, a.current_w);
	CU_ASSERT(r.last.flags & ENERGY_READING_AVERAGE);
	CU_ASSERT_EQUAL(r.last.average_s, 10.0);
	expect_near(r.last.lag_s, 1.1, 0.001, "lag");
}

/* Instantaneous readings: a maximum that does not rise says nothing new
 * (its peak is old, or a level the readings show), so no range; averages:
 * every answer carries its period's minimum and maximum, which bound what
 * the average hides at a run's edges. */
static void test_ranges_by_mode(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 500);
	struct bmc b = {.refresh_ms = 1000, .stamp = BY_REFRESH, .period_ms = 10000, .max_w = -1};
	struct run r = sample(&c, &b, 50, 5050, 100);
	CU_ASSERT(r.ranges < r.readings / 4);
	CU_ASSERT_STRING_EQUAL(dcmi_cadence_burst_ceiling(&c), "dcmi_maximum");
	dcmi_cadence_init(&c, DCMI_POWER_AVERAGE, 0);
	r = sample(&c, &b, 50, 5050, 100);
	CU_ASSERT_EQUAL(r.ranges, r.readings);
	CU_ASSERT(r.last.flags & ENERGY_READING_RANGE);
	CU_ASSERT_EQUAL(r.last.range_low, 150);
	CU_ASSERT_EQUAL(r.last.range_high, ask(&b, 5050).max_w);
	CU_ASSERT_EQUAL(r.last.range_s, 10.0);
}

/* A long period: a maximum that rises shows a burst since the previous
 * refresh that current power never showed. */
static void test_rising_max_gives_range(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
	struct dcmi_answer a = {.current_w = 200, .min_w = 180, .max_w = 300, .avg_w = 210,
				.timestamp = BASE_UNIX, .period_ms = 3600000, .mono_ns = 1000 * MS};
	struct energy_reading out;
	for (int i = 0; i < 3; i++, a.mono_ns += 500 * MS) {
		a.current_w = 200 + i, a.timestamp = BASE_UNIX + (uint32_t)i;
		dcmi_cadence_reading(&c, &a, &out);
	}
	/* sighted at 2.0 s, after an answer at 1.5 s */
	a.current_w = 205, a.max_w = 450, a.timestamp++;
	dcmi_cadence_reading(&c, &a, &out);
	CU_ASSERT(out.flags & ENERGY_READING_RANGE);
	CU_ASSERT_EQUAL(out.range_high, 450);
	CU_ASSERT_EQUAL(out.range_low, 205); /* the minimum did not fall: the value */
	expect_near(out.range_s, 0.5 + 0.5, 1e-9, "range_s (since the previous refresh, plus its interval)");
	/* a repeat of the same answer says nothing new about bursts */
	a.mono_ns += 500 * MS;
	dcmi_cadence_reading(&c, &a, &out);
	CU_ASSERT(out.flags & ENERGY_READING_STALE);
	CU_ASSERT_EQUAL(out.flags & ENERGY_READING_RANGE, 0);
	/* the maximum rising alone (same current, same stamp) is still news */
	a.mono_ns += 500 * MS, a.max_w = 500;
	dcmi_cadence_reading(&c, &a, &out);
	CU_ASSERT(out.flags & ENERGY_READING_STALE);
	CU_ASSERT(out.flags & ENERGY_READING_RANGE);
	CU_ASSERT_EQUAL(out.range_high, 500);
	expect_near(out.range_s, 1.0 + 0.5, 1e-9, "range_s for a maximum that rose alone");
}

static void test_ceiling_when_no_maximum(void)
{
	struct dcmi_cadence c;
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 800);
	struct bmc b = {.refresh_ms = 1000, .stamp = BY_REFRESH, .period_ms = 0, .max_w = 0};
	struct run r = sample(&c, &b, 50, 5050, 100);
	CU_ASSERT_EQUAL(r.ranges, r.readings); /* stale ones too: the ceiling always holds */
	CU_ASSERT_EQUAL(r.last.range_low, r.last.value);
	CU_ASSERT_EQUAL(r.last.range_high, 800);
	CU_ASSERT_EQUAL(r.last.range_s, r.last.lag_s);
	CU_ASSERT_STRING_EQUAL(dcmi_cadence_burst_ceiling(&c), "ipmi_max_power_w");

	/* a maximum without a period is no usable maximum either */
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 800);
	b.max_w = 900;
	r = sample(&c, &b, 50, 1050, 100);
	CU_ASSERT_EQUAL(r.last.range_high, 800);

	/* no ceiling: nothing bounds bursts, and the note says so */
	dcmi_cadence_init(&c, DCMI_POWER_INSTANTANEOUS, 0);
	b.max_w = 0;
	r = sample(&c, &b, 50, 5050, 100);
	CU_ASSERT_EQUAL(r.ranges, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(dcmi_cadence_burst_ceiling(&c), "none: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(dcmi_cadence_burst_ceiling(&c), "ipmi_max_power_w"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"refresh period from values and stamps", test_refresh_period_from_values_and_stamps},
		{"STALE exactly on repeated answers", test_stale_exactly_on_repeats},
		{"lag before two refreshes", test_lag_before_two_refreshes},
		{"a per-request stamp is not a refresh", test_request_stamp_is_not_a_refresh},
		{"a frozen stamp is ignored", test_frozen_stamp_ignored},
		{"refresh stamp with steady power", test_refresh_stamp_with_steady_power},
		{"average mode", test_average_mode},
		{"ranges: rising maxima (instantaneous), the period (average)", test_ranges_by_mode},
		{"rising maximum gives a range", test_rising_max_gives_range},
		{"ceiling when the BMC has no maximum", test_ceiling_when_no_maximum},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("dcmi cadence", NULL, NULL, tests);
}
