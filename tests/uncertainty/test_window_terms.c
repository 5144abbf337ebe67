/*
 * A window of a continuous monitor bounds its energy by the difference of
 * two snapshots of the running terms (em_unc_sub). A snapshot bounds the
 * runs still waiting for their look-ahead provisionally, and settling them
 * later can shrink a term. Regression: an agent window over a BMC whose
 * lag was learned mid-run answered "unc.ranged_s: -0.02 is negative" and
 * its client lost the measurement. Every difference must keep each term on
 * its side of zero, and the monitor state must accept it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/internal.h"
#include "../support/cunit_run.h"

#define READINGS 400

/* A BMC seen at 10 Hz: steps and bursts, its range with every reading,
 * the plugin's 5 s prior lag until the cadence is learned. */
static void reading_at(int i, struct energy_reading *r)
{
	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	r->quantity = ENERGY_Q_POWER_W;
	r->scope = ENERGY_SCOPE_SYSTEM;
	strcpy(r->sensor, "dcmi");
	double t = 0.1 * i;
	r->value = (i / 37) % 2 ? 310 : 120;
	r->mono_ns = (int64_t)llround((1000 + t) * 1e9);
	r->wall_ns = (int64_t)llround((1.7e9 + t) * 1e9);
	r->resolution = 1;
	r->lag_s = i < 60 ? 5.1 : 0.2;
	r->flags = ENERGY_READING_RANGE;
	r->range_low = r->value - (i % 11 == 0 ? 40 : 0);
	r->range_high = r->value + (i % 7 == 0 ? 90 : 0);
	r->range_s = i < 60 ? 5.1 : 0.2;
}

static void expect_terms_on_their_side(const struct em_unc *d, uint64_t spans_now)
{
	CU_ASSERT(d->lo_j <= 0);
	CU_ASSERT(d->hi_j >= 0);
	CU_ASSERT(d->burst_lo_j <= 0);
	CU_ASSERT(d->burst_hi_j >= 0);
	CU_ASSERT(d->res_j >= 0);
	CU_ASSERT(d->var_j2 >= 0);
	CU_ASSERT(d->res_var_j2 >= 0);
	CU_ASSERT(d->ranged_s >= 0);
	CU_ASSERT(d->spans <= spans_now); /* no wrap below zero */
}

static void test_snapshot_differences(void)
{
	struct em_series s;
	struct energy_reading r;
	static struct em_unc marks[READINGS];
	reading_at(0, &r);
	em_series_init(&s, &r);
	unsigned shrank = 0;
	for (int i = 0; i < READINGS; i++) {
		reading_at(i, &r);
		em_series_add(&s, &r, 0);
		em_unc_runs_now(&s, &marks[i]);
		for (int j = 0; j < i; j++) {
			struct em_unc d;
			em_unc_sub(&d, &marks[i], &marks[j]);
			shrank += marks[i].ranged_s < marks[j].ranged_s;
			expect_terms_on_their_side(&d, marks[i].spans);
		}
	}
	/* the case this guards: a later snapshot with less of a term than an earlier one */
	printf("\n  %u of %d snapshot pairs had less ranged time later than earlier\n", shrank,
	       READINGS * (READINGS - 1) / 2);
	CU_ASSERT(shrank > 0);
	em_series_free(&s);
}

int main(void)
{
	CU_TestInfo tests[] = {{"a window's terms stay on their side of zero", test_snapshot_differences},
	                       CU_TEST_INFO_NULL};
	return cunit_run_suite("uncertainty-window-terms", NULL, NULL, tests);
}
