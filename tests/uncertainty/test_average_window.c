/*
 * An average's edge term (truth - integral of averages = W1/2 P1 - W0/2 P0,
 * docs/uncertainty.md) holds only for one averaging window W. A plugin may
 * change average_s between readings (a DCMI statistics period reconfigured,
 * or a hostile plugin), or stop setting ENERGY_READING_AVERAGE. Regression:
 * a constant 100 W for 4 s whose last average was over 60 s instead of 1 s
 * was bounded to [3350, 3350] J: zero width, 2950 J from the truth, 400 J.
 */
#include <stdio.h>

#include "../support/cunit_run.h"
#include "hostile_reading.h"

/* A constant 100 W, averaged over window_s(i) at reading i (0: no AVERAGE). */
static void constant_with_windows(const double *window_s, int n, struct em_bound *b)
{
	struct em_series s;
	struct energy_reading r;
	hostile_reading(&r, 0, 100);
	em_series_init(&s, &r);
	for (int i = 0; i < n; i++) {
		hostile_reading(&r, i, 100);
		if (window_s[i] > 0) {
			r.flags = ENERGY_READING_AVERAGE;
			r.average_s = window_s[i];
		}
		em_series_add(&s, &r, 0);
	}
	CU_ASSERT_DOUBLE_EQUAL(s.total, 100.0 * (n - 1), 1e-9);
	hostile_bound(&s, b);
	em_series_free(&s);
}

static void expect_truth_inside(const double *window_s, int n)
{
	struct em_bound b;
	double truth = 100.0 * (n - 1);
	constant_with_windows(window_s, n, &b);
	printf("\n  truth %g J, bound [%g, %g]", truth, b.low, b.high);
	CU_ASSERT_PTR_NOT_NULL(b.method);
	CU_ASSERT(b.low <= truth + 1e-9);
	CU_ASSERT(b.high >= truth - 1e-9);
}

static void test_window_grows(void)
{
	const double w[] = {1, 1, 1, 1, 60};
	expect_truth_inside(w, 5);
}

static void test_window_shrinks(void)
{
	const double w[] = {30, 30, 30, 2, 2, 2};
	expect_truth_inside(w, 6);
}

static void test_window_changes_often(void)
{
	const double w[] = {1, 10, 1, 10, 1, 10, 60, 5};
	expect_truth_inside(w, 8);
}

/* Averaged, then instantaneous, then averaged again: each averaged stretch
 * is bounded at its own edges. */
static void test_average_flag_toggles(void)
{
	const double w[] = {10, 10, 0, 0, 20, 20};
	expect_truth_inside(w, 6);
}

/* One window throughout keeps the edge term, which is exact for a constant. */
static void test_one_window_stays_exact(void)
{
	const double w[] = {10, 10, 10, 10};
	struct em_bound b;
	constant_with_windows(w, 4, &b);
	CU_ASSERT_DOUBLE_EQUAL(b.low, 300, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b.high, 300, 1e-9);
}

int main(void)
{
	CU_TestInfo tests[] = {{"average window grows: the truth stays inside", test_window_grows},
	                       {"average window shrinks: the truth stays inside", test_window_shrinks},
	                       {"average window changes often", test_window_changes_often},
	                       {"AVERAGE set, cleared, set again", test_average_flag_toggles},
	                       {"one window: a constant's bound is exact", test_one_window_stays_exact},
	                       CU_TEST_INFO_NULL};
	return cunit_run_suite("uncertainty-average-window", NULL, NULL, tests);
}
