/*
 * ENERGY_READING_LOOKAHEAD readings are taken after the end (from stop())
 * and bound the end only; the host never integrates them. A plugin may
 * send one at any time. Regression: look-ahead readings between ordinary
 * ones were taken as the next run, so each run was bounded up to the
 * look-ahead's time only and the rest of its span up to the next real
 * reading (which the total does integrate) had no bound at all: +-4050 J
 * became +-1100 J. A look-ahead before the first reading, at or before
 * the last one, or after a failure, changes nothing either.
 */
#include <stdio.h>

#include "../support/cunit_run.h"
#include "hostile_reading.h"

#define N 10

/* 1000 W and 100 W in turn each second; with `hostile`, a 0 W look-ahead
 * half-way between each pair (and one before the first reading). */
static void alternate(bool hostile, struct em_series *s)
{
	struct energy_reading r;
	hostile_reading(&r, 0, 1000);
	em_series_init(s, &r);
	for (int i = 0; i < N; i++) {
		if (hostile) {
			hostile_reading(&r, i - 0.5, 0);
			r.flags = ENERGY_READING_LOOKAHEAD;
			em_series_add(s, &r, 0);
		}
		hostile_reading(&r, i, i % 2 ? 100 : 1000);
		r.lag_s = 0.5;
		em_series_add(s, &r, 0);
	}
}

static void test_lookahead_between_readings(void)
{
	struct em_series plain, hostile;
	struct em_bound a, b;
	alternate(false, &plain);
	alternate(true, &hostile);
	CU_ASSERT_EQUAL(hostile.readings, N);
	CU_ASSERT_DOUBLE_EQUAL(hostile.total, plain.total, 1e-9);
	hostile_bound(&plain, &a);
	hostile_bound(&hostile, &b);
	printf("\n  without look-aheads [%g, %g], with [%g, %g]", a.low, a.high, b.low, b.high);
	CU_ASSERT_DOUBLE_EQUAL(b.low, a.low, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(b.high, a.high, 1e-6);
	em_series_free(&plain);
	em_series_free(&hostile);
}

/* At the end, a look-ahead still bounds the last seconds: one that shows
 * the power the run ended at narrows the blind end, one far off widens it. */
static void test_lookahead_at_the_end_still_counts(void)
{
	struct em_bound none, same, far;
	double at[3] = {NAN, 100, 5000};
	struct em_bound *out[3] = {&none, &same, &far};
	for (int k = 0; k < 3; k++) {
		struct em_series s;
		struct energy_reading r;
		hostile_reading(&r, 0, 100);
		em_series_init(&s, &r);
		for (int i = 0; i < N; i++) {
			hostile_reading(&r, i, i < N / 2 ? 300 : 100);
			r.lag_s = 2;
			em_series_add(&s, &r, 0);
		}
		if (!isnan(at[k])) {
			hostile_reading(&r, N - 1 + 1.5, at[k]); /* within its lag of the last reading */
			r.flags = ENERGY_READING_LOOKAHEAD;
			r.lag_s = 2;
			em_series_add(&s, &r, 0);
		}
		hostile_bound(&s, out[k]);
		em_series_free(&s);
	}
	printf("\n  end bound: none [%g, %g], same [%g, %g], far [%g, %g]", none.low, none.high, same.low, same.high,
	       far.low, far.high);
	CU_ASSERT(same.high - same.low < none.high - none.low);
	CU_ASSERT(far.high > same.high);
}

/* Before the first reading, at the last reading's time, or from another
 * failure epoch: ignored. */
static void test_lookahead_ignored(void)
{
	struct em_series s;
	struct energy_reading r;
	hostile_reading(&r, 0, 100);
	r.flags = ENERGY_READING_LOOKAHEAD;
	em_series_init(&s, &r);
	em_series_add(&s, &r, 0);
	CU_ASSERT_EQUAL(s.readings, 0);
	CU_ASSERT_EQUAL(s.npend, 0);
	hostile_reading(&r, 1, 100);
	em_series_add(&s, &r, 0);
	hostile_reading(&r, 2, 100);
	em_series_add(&s, &r, 0);
	size_t pend = s.npend;
	hostile_reading(&r, 2, 9999);
	r.flags = ENERGY_READING_LOOKAHEAD;
	em_series_add(&s, &r, 0);
	hostile_reading(&r, 1.5, 9999);
	r.flags = ENERGY_READING_LOOKAHEAD;
	em_series_add(&s, &r, 0);
	hostile_reading(&r, 3, 9999);
	r.flags = ENERGY_READING_LOOKAHEAD;
	em_series_add(&s, &r, 1); /* after a failure: the end it would bound is not this stretch's */
	CU_ASSERT_EQUAL(s.npend, pend);
	struct em_bound b;
	hostile_bound(&s, &b);
	CU_ASSERT_DOUBLE_EQUAL(b.low, 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b.high, 100, 1e-9);
	em_series_free(&s);
}

int main(void)
{
	CU_TestInfo tests[] = {{"look-aheads between readings change no bound", test_lookahead_between_readings},
	                       {"a look-ahead at the end still bounds the end", test_lookahead_at_the_end_still_counts},
	                       {"look-aheads first, late or after a failure: ignored", test_lookahead_ignored},
	                       CU_TEST_INFO_NULL};
	return cunit_run_suite("uncertainty-lookahead-order", NULL, NULL, tests);
}
