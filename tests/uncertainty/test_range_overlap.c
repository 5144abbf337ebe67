/*
 * A ceiling comes with every reading (ipmi_max_power_w: "up to 1000 W over
 * the last lag_s") and, read ten times per lag, the ranges overlap ten
 * deep. Regression: each overlapping range added its own excess, so the
 * burst ceiling grew with the sampling rate, past anything physically
 * possible (found by the hostile pass: [-6.25e7, 4.45e8] J for power that
 * could only make [0, 1.0e7] J). At each instant only the widest range
 * covering it counts.
 */
#include <stdio.h>

#include "../support/cunit_run.h"
#include "hostile_reading.h"

/* 100 W for `seconds`, read every `every_s`, each reading saying the power
 * was within [low, high] over the last `range_s`. */
static void burst_terms(double seconds, double every_s, double range_s, double low, double high, struct em_unc *u,
                        double *covered_s)
{
	struct em_series s;
	struct energy_reading r;
	hostile_reading(&r, 0, 100);
	em_series_init(&s, &r);
	for (double t = 0; t <= seconds + 1e-9; t += every_s) {
		hostile_reading(&r, t, 100);
		r.resolution = 1;
		r.lag_s = range_s;
		r.flags = ENERGY_READING_RANGE;
		r.range_low = low;
		r.range_high = high;
		r.range_s = range_s;
		em_series_add(&s, &r, 0);
	}
	CU_ASSERT_FATAL(em_series_unc(&s, u));
	*covered_s = s.covered_s;
	em_series_free(&s);
}

static void test_overlapping_ceilings_count_once(void)
{
	for (double every = 1.0; every >= 0.01; every /= 10) {
		struct em_unc u;
		double covered;
		burst_terms(100, every, 1.1, 40, 1000, &u, &covered);
		double most_above = (1000 - 100) * covered, most_below = (40 - 100) * covered;
		printf("\n  read every %.2f s: burst ceiling +%.0f / %.0f J; one range over all of it: +%.0f / %.0f J",
		       every, u.burst_hi_j, u.burst_lo_j, most_above, most_below);
		/* never more than one range over the whole span ... */
		CU_ASSERT(u.burst_hi_j <= most_above * (1 + 1e-9));
		CU_ASSERT(u.burst_lo_j >= most_below * (1 + 1e-9));
		/* ... and the ranges do cover it, whatever the rate */
		CU_ASSERT(u.burst_hi_j >= 0.95 * most_above);
		CU_ASSERT(u.burst_lo_j <= 0.95 * most_below);
	}
}

int main(void)
{
	CU_TestInfo tests[] = {{"overlapping ceilings count once per instant", test_overlapping_ceilings_count_once},
	                       CU_TEST_INFO_NULL};
	return cunit_run_suite("uncertainty-range-overlap", NULL, NULL, tests);
}
