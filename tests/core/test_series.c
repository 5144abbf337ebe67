/* The reductions in core/series.c: trapezoid energy, counter wraps, gaps,
 * bounded memory. Compiled together with series.c (internal symbols). */
#include "../../core/internal.h"
#include "test_util.h"

#include <math.h>

static struct energy_reading reading(uint32_t q, double t_s, double v, double max)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = q, .scope = ENERGY_SCOPE_SYSTEM,
	                           .sensor = "s", .value = v, .counter_max = max};
	r.mono_ns = (int64_t)llround(t_s * 1e9);
	r.wall_ns = r.mono_ns + 1700000000LL * 1000000000LL;
	return r;
}

static void test_trapezoid_of_ramp_is_exact(void)
{
	/* P(t) = 10 t on uneven sample times: the integral from 0 to 3 is 45 J */
	const double t[] = {0, 0.5, 0.6, 1.7, 3.0};
	struct energy_reading r = reading(ENERGY_Q_POWER_W, 0, 0, 0);
	struct em_series s;
	em_series_init(&s, &r);
	for (size_t i = 0; i < 5; i++) {
		r = reading(ENERGY_Q_POWER_W, t[i], 10 * t[i], 0);
		em_series_add(&s, &r, 0);
	}
	CU_ASSERT_DOUBLE_EQUAL(s.total, 45.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.covered_s, 3.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.min, 0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.max, 30, 1e-12);
	em_series_free(&s);
}

static void test_counter_wraps_are_unwrapped(void)
{
	/* 7 J counter advancing 3 J per step for 10 steps: 30 J, 4 wraps */
	struct energy_reading r = reading(ENERGY_Q_ENERGY_J, 0, 0, 7);
	struct em_series s;
	em_series_init(&s, &r);
	for (int i = 0; i <= 10; i++) {
		r = reading(ENERGY_Q_ENERGY_J, i, fmod(3.0 * i, 7.0), 7);
		em_series_add(&s, &r, 0);
	}
	CU_ASSERT_DOUBLE_EQUAL(s.total, 30.0, 1e-9);
	CU_ASSERT_EQUAL(s.wraps, 4);
	em_series_free(&s);
}

static void test_failed_sample_leaves_a_gap_not_an_interpolation(void)
{
	struct energy_reading r = reading(ENERGY_Q_POWER_W, 0, 100, 0);
	struct em_series s;
	em_series_init(&s, &r);
	em_series_add(&s, &r, 0);
	r = reading(ENERGY_Q_POWER_W, 1, 100, 0);
	em_series_add(&s, &r, 0);
	r = reading(ENERGY_Q_POWER_W, 4, 100, 0); /* a failure happened: epoch 1 */
	em_series_add(&s, &r, 1);
	r = reading(ENERGY_Q_POWER_W, 5, 100, 0);
	em_series_add(&s, &r, 1);
	CU_ASSERT_DOUBLE_EQUAL(s.total, 200.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.covered_s, 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.gap_s, 3.0, 1e-9);
	CU_ASSERT_EQUAL(s.gaps, 1);
	em_series_free(&s);
}

/* The case: a 100 J counter at 300 J/s, sampled every 0.1 s (wrap-
 * safe interval 1/6 s), loses the samples at 1.1, 1.2 and 1.3 s. Across
 * that 0.4 s gap it wrapped once but reads only 20 J higher; counting that
 * delta gave 500 J for 600 J. The span is not counted: the energy covers
 * the measured 1.6 s at exactly 300 J/s, and the gap says why. */
static void test_wrap_lost_across_a_gap_is_not_counted(void)
{
	struct energy_reading r = reading(ENERGY_Q_ENERGY_J, 0, 0, 100);
	struct em_series s;
	em_series_init(&s, &r);
	s.wrap_safe_s = 1.0 / 6;
	unsigned epoch = 0;
	for (int i = 0; i <= 20; i++) {
		if (i >= 11 && i <= 13) {
			epoch++; /* sample() failed */
			continue;
		}
		r = reading(ENERGY_Q_ENERGY_J, i / 10.0, fmod(30.0 * i, 100.0), 100);
		em_series_add(&s, &r, epoch);
	}
	CU_ASSERT_DOUBLE_EQUAL(s.covered_s, 1.6, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.total, 300 * 1.6, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.gap_s, 0.4, 1e-9);
	CU_ASSERT_EQUAL(s.gaps, 1);
	CU_ASSERT_EQUAL(s.gap_list[0].why, EM_GAP_WRAP_UNSAFE);
	CU_ASSERT_PTR_NOT_NULL(strstr(em_gap_reason(s.gap_list[0].why), "wrapped more than once"));
	em_series_free(&s);
}

/* With no wrap-safe interval declared, a counter that reads lower after a
 * gap may have wrapped any number of times: not counted. One that reads
 * higher after a gap is counted (the gap is still reported). */
static void test_counter_lower_after_a_gap_is_not_counted_without_declared_interval(void)
{
	const double t[] = {0, 1, 3, 4, 6}, v[] = {0, 50, 20, 70, 90};
	const unsigned epoch[] = {0, 0, 1, 1, 2};
	struct energy_reading r = reading(ENERGY_Q_ENERGY_J, 0, 0, 100);
	struct em_series s;
	em_series_init(&s, &r);
	for (size_t i = 0; i < 5; i++) {
		r = reading(ENERGY_Q_ENERGY_J, t[i], v[i], 100);
		em_series_add(&s, &r, epoch[i]);
	}
	CU_ASSERT_DOUBLE_EQUAL(s.total, 50 + 50 + 20, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.covered_s, 1 + 1 + 2, 1e-9);
	CU_ASSERT_EQUAL(s.gaps, 2);
	CU_ASSERT_EQUAL(s.gap_list[0].why, EM_GAP_WRAP_UNSAFE);
	CU_ASSERT_EQUAL(s.gap_list[1].why, EM_GAP_FAILED_SAMPLES);
	CU_ASSERT_EQUAL(s.wraps, 0);
	em_series_free(&s);
}

static void test_out_of_order_reading_is_dropped(void)
{
	struct energy_reading r = reading(ENERGY_Q_POWER_W, 1, 5, 0);
	struct em_series s;
	em_series_init(&s, &r);
	em_series_add(&s, &r, 0);
	r = reading(ENERGY_Q_POWER_W, 1, 500, 0);
	em_series_add(&s, &r, 0);
	CU_ASSERT_EQUAL(s.readings, 1);
	CU_ASSERT_EQUAL(s.dropped, 1);
	CU_ASSERT_DOUBLE_EQUAL(s.max, 5, 1e-12);
	em_series_free(&s);
}

static void test_a_day_at_10hz_stays_bounded_and_exact(void)
{
	/* 864000 readings of a 0/200 W square wave: kept points never exceed the
	 * cap, and the energy stays the exact trapezoid sum */
	struct energy_reading r = reading(ENERGY_Q_POWER_W, 0, 0, 0);
	struct em_series s;
	em_series_init(&s, &r);
	double expect = 0, prev = 0;
	for (long i = 0; i < 864000; i++) {
		double v = (i / 10) % 2 ? 200 : 0;
		r = reading(ENERGY_Q_POWER_W, (double)i / 10, v, 0);
		em_series_add(&s, &r, 0);
		if (i)
			expect += 0.5 * (prev + v) * 0.1;
		prev = v;
	}
	CU_ASSERT(s.npoints <= EM_SERIES_POINTS_MAX);
	CU_ASSERT(s.npoints >= EM_SERIES_POINTS_MAX / 2);
	CU_ASSERT_DOUBLE_EQUAL(s.total, expect, expect * 1e-9);
	CU_ASSERT_EQUAL(s.readings, 864000);
	em_series_free(&s);
}

static void test_interval_quantiles(void)
{
	static struct em_interval_stats st; /* 4.8 KB: keep it off the stack */
	memset(&st, 0, sizeof(st));
	for (int i = 0; i < 95; i++)
		em_interval_add(&st, 0.1);
	for (int i = 0; i < 5; i++)
		em_interval_add(&st, 1.0);
	CU_ASSERT_DOUBLE_EQUAL(em_interval_quantile(&st, 0.5), 0.1, 0.1 * 0.02);
	CU_ASSERT_DOUBLE_EQUAL(em_interval_quantile(&st, 0.95), 0.1, 0.1 * 0.02);
	CU_ASSERT_DOUBLE_EQUAL(em_interval_quantile(&st, 0.99), 1.0, 1.0 * 0.02);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"trapezoid of a ramp is exact", test_trapezoid_of_ramp_is_exact},
		{"counter wraps are unwrapped", test_counter_wraps_are_unwrapped},
		{"failed sample leaves a gap", test_failed_sample_leaves_a_gap_not_an_interpolation},
		{"wrap lost across a gap is not counted", test_wrap_lost_across_a_gap_is_not_counted},
		{"counter lower after a gap, no declared interval: not counted",
		 test_counter_lower_after_a_gap_is_not_counted_without_declared_interval},
		{"out-of-order reading is dropped", test_out_of_order_reading_is_dropped},
		{"a day at 10 Hz stays bounded and exact", test_a_day_at_10hz_stays_bounded_and_exact},
		{"interval quantiles", test_interval_quantiles},
		CU_TEST_INFO_NULL,
	};
	return run_suite("series", tests);
}
