/*
 * Hostile readings: 200,000 (a day at ~2 Hz), every one a new value, with lags
 * and ranges alternating between nothing and the 60 s cap, so that no run
 * can ever be bounded on time. The pending queue stays within its 64 runs
 * in its one allocation, every run is bounded exactly once, and the bound
 * stays finite, ordered and around the value.
 */
#include <stdio.h>

#include "../support/cunit_run.h"
#include "hostile_reading.h"

/* Each run is bounded against up to 64 overlapping 60 s ranges (the
 * widest at each instant: O(64^2) per run), ~14 us a reading here. */
#define N 200000

static void test_many_alternating(void)
{
	struct em_series s;
	struct energy_reading r;
	hostile_reading(&r, 0, 100);
	em_series_init(&s, &r);
	const struct em_unc_seg *queue = NULL;
	size_t most = 0;
	bool moved = false;
	for (int i = 0; i < N; i++) {
		hostile_reading(&r, 0.01 * i, i % 2 ? 100 : 300 + i % 7);
		r.resolution = 1;
		r.lag_s = i % 2 ? 1e9 : 0.001;
		r.flags = ENERGY_READING_RANGE | (i % 5 == 0 ? ENERGY_READING_STALE : 0);
		r.range_low = 0;
		r.range_high = 1000 + i % 3;
		r.range_s = i % 2 ? 1e9 : 1;
		em_series_add(&s, &r, 0);
		if (!queue)
			queue = s.pend;
		moved |= s.pend != queue; /* never grown */
		if (s.npend > most)
			most = s.npend;
	}
	printf("\n  at most %zu runs pending of %d", most, EM_UNC_PENDING_MAX);
	CU_ASSERT(most <= EM_UNC_PENDING_MAX);
	CU_ASSERT(!moved);
	CU_ASSERT_EQUAL(s.readings, N);
	struct em_unc u;
	CU_ASSERT_FATAL(em_series_unc(&s, &u));
	CU_ASSERT_EQUAL(u.spans, N); /* each reading is a run of its own: each bounded once */
	em_unc_flush(&s);
	CU_ASSERT_EQUAL(s.unc.spans, N);
	CU_ASSERT_EQUAL(s.npend, 0);
	struct em_bound b;
	em_bound_of(&u, s.total, s.gap_s, &b);
	printf(", value %g J, bound [%g, %g]", b.value, b.low, b.high);
	CU_ASSERT_PTR_NOT_NULL(b.method);
	CU_ASSERT(isfinite(b.low) && isfinite(b.high) && b.low <= b.value && b.value <= b.high);
	em_series_free(&s);
}

int main(void)
{
	CU_TestInfo tests[] = {{"200,000 alternating readings: bounded queue, each run once", test_many_alternating},
	                       CU_TEST_INFO_NULL};
	return cunit_run_suite("uncertainty-many-readings", NULL, NULL, tests);
}
