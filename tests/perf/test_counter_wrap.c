/* counter_wrap: the delta rule and the wrap guard, checked exactly. */
#include "counter_wrap.h"

#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <stdint.h>

static void test_delta_without_wrap(void)
{
	uint64_t d = 0;
	int wrapped = -1;
	CU_ASSERT_EQUAL(counter_delta(100, 350, 1000, &d, &wrapped), 0);
	CU_ASSERT_EQUAL(d, 250);
	CU_ASSERT_EQUAL(wrapped, 0);
	CU_ASSERT_EQUAL(counter_delta(7, 7, 1000, &d, &wrapped), 0);
	CU_ASSERT_EQUAL(d, 0);
}

static void test_delta_across_one_wrap(void)
{
	uint64_t d = 0;
	int wrapped = 0;
	CU_ASSERT_EQUAL(counter_delta(900, 50, 1000, &d, &wrapped), 0);
	CU_ASSERT_EQUAL(d, 150);
	CU_ASSERT_EQUAL(wrapped, 1);
	/* The range's top value and zero are the same point. */
	CU_ASSERT_EQUAL(counter_delta(1000, 20, 1000, &d, &wrapped), 0);
	CU_ASSERT_EQUAL(d, 20);
	CU_ASSERT_EQUAL(counter_delta(990, 1000, 1000, &d, &wrapped), 0);
	CU_ASSERT_EQUAL(d, 10);
}

static void test_delta_full_width(void)
{
	uint64_t d = 0;
	int wrapped = 0;
	CU_ASSERT_EQUAL(counter_delta(UINT64_MAX - 9, 5, 0, &d, &wrapped), 0);
	CU_ASSERT_EQUAL(d, 15);
	CU_ASSERT_EQUAL(wrapped, 1);
	CU_ASSERT_EQUAL(counter_delta(5, UINT64_MAX, 0, &d, &wrapped), 0);
	CU_ASSERT_EQUAL(d, UINT64_MAX - 5);
	CU_ASSERT_EQUAL(wrapped, 0);
}

static void test_delta_rejects_foreign_values(void)
{
	uint64_t d = 0;
	int wrapped = 0;
	CU_ASSERT_EQUAL(counter_delta(1001, 5, 1000, &d, &wrapped), -ERANGE);
	CU_ASSERT_EQUAL(counter_delta(5, 1001, 1000, &d, &wrapped), -ERANGE);
}

static void test_track_sums_many_wraps_exactly(void)
{
	/* 37 steps of 700 units on a 1000-unit counter: 25 wraps, 25900 units. */
	struct counter_track t;
	counter_track_init(&t, 1000);
	uint64_t d = 0, value = 123, expected = 0;
	CU_ASSERT_EQUAL(counter_track_update(&t, value, &d), 0);
	CU_ASSERT_EQUAL(d, 0);
	for (int i = 0; i < 37; i++) {
		value = (value + 700) % 1000;
		expected += 700;
		CU_ASSERT_EQUAL(counter_track_update(&t, value, &d), 0);
		CU_ASSERT_EQUAL(d, 700);
	}
	CU_ASSERT_EQUAL(t.total, expected);
	CU_ASSERT_EQUAL(t.wraps, (123 + expected) / 1000);
}

static void test_track_ignores_a_bad_reading(void)
{
	struct counter_track t;
	counter_track_init(&t, 1000);
	uint64_t d = 0;
	CU_ASSERT_EQUAL(counter_track_update(&t, 5000, &d), -ERANGE);
	CU_ASSERT_EQUAL(t.primed, 0);
	CU_ASSERT_EQUAL(counter_track_update(&t, 10, &d), 0);
	CU_ASSERT_EQUAL(counter_track_update(&t, 5000, &d), -ERANGE);
	CU_ASSERT_EQUAL(counter_track_update(&t, 30, &d), 0);
	CU_ASSERT_EQUAL(d, 20);
	CU_ASSERT_EQUAL(t.total, 20);
}

static void test_guard_interval(void)
{
	/* A 262143 J counter (a common Intel range) at 2000 W: 65.5 s. */
	CU_ASSERT_DOUBLE_EQUAL(counter_wrap_guard_s(262143.328850, 2000.0), 65.5358322125, 1e-9);
	/* Energy over the guard interval at full power is half the range: a
	 * reading late by a whole interval still sees less than one range. */
	double g = counter_wrap_guard_s(1.0, 10.0);
	CU_ASSERT_DOUBLE_EQUAL(g, 0.05, 1e-15);
	CU_ASSERT(2 * g * 10.0 <= 1.0);
	CU_ASSERT_EQUAL(counter_wrap_guard_s(0, 10.0), 0);
	CU_ASSERT_EQUAL(counter_wrap_guard_s(1.0, 0), 0);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("counter_wrap", NULL, NULL);
	CU_add_test(s, "delta without wrap", test_delta_without_wrap);
	CU_add_test(s, "delta across one wrap", test_delta_across_one_wrap);
	CU_add_test(s, "delta of a 64-bit counter", test_delta_full_width);
	CU_add_test(s, "values beyond the range are refused", test_delta_rejects_foreign_values);
	CU_add_test(s, "many wraps sum exactly", test_track_sums_many_wraps_exactly);
	CU_add_test(s, "a bad reading is ignored", test_track_ignores_a_bad_reading);
	CU_add_test(s, "guard interval", test_guard_interval);
	return cunit_run_registered();
}
