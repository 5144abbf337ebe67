/*
 * Plugins are hostile input: a reading's resolution, range or averaging
 * window may be finite yet absurd (1e308). Regression: resolution 1e308
 * made res_j infinite and res_var_j2 NaN, a range of +-1e308 made the
 * burst terms infinite; the bound came out [-inf, inf], which jansson
 * refuses (the metric's whole entry vanished from "metrics"), and the
 * monitor state wrote the term as null, which its reader refuses (an
 * agent's client lost every source's measurement). Every term stays
 * finite, and a figure whose terms overflow anyway has no bound rather
 * than an infinite one.
 */
#include <float.h>
#include <stdio.h>

#include "../support/cunit_run.h"
#include "hostile_reading.h"

static void expect_finite_terms(const struct em_unc *u)
{
	CU_ASSERT(isfinite(u->lo_j) && isfinite(u->hi_j) && isfinite(u->mid_j) && isfinite(u->var_j2));
	CU_ASSERT(isfinite(u->burst_lo_j) && isfinite(u->burst_hi_j));
	CU_ASSERT(isfinite(u->res_j) && isfinite(u->res_var_j2) && isfinite(u->ranged_s));
}

/* A bound that can be written: finite and ordered; around the value
 * unless averages are involved (their edge term may say the truth lies
 * to one side of the integral of averages, docs/uncertainty.md). */
static void expect_usable_bound(const struct em_series *s, bool around)
{
	struct em_unc u;
	struct em_bound b;
	CU_ASSERT_FATAL(em_series_unc(s, &u));
	expect_finite_terms(&u);
	em_bound_of(&u, s->total, s->gap_s, &b);
	printf("\n  value %g, bound [%g, %g], half-width %g", b.value, b.low, b.high, b.half_width);
	CU_ASSERT_PTR_NOT_NULL(b.method);
	CU_ASSERT(isfinite(b.low) && isfinite(b.high) && isfinite(b.half_width) && b.half_width >= 0);
	CU_ASSERT(isfinite(b.resolution) && isfinite(b.integration) && isfinite(b.burst));
	CU_ASSERT(b.low <= b.high);
	if (around)
		CU_ASSERT(b.low <= b.value && b.value <= b.high);
}

typedef void (*say_fn)(struct energy_reading *r, int i);

static void feed(say_fn say, int n, struct em_series *s)
{
	struct energy_reading r;
	hostile_reading(&r, 0, 100);
	em_series_init(s, &r);
	for (int i = 0; i < n; i++) {
		hostile_reading(&r, 0.9 * i, 100 + i % 3);
		say(&r, i);
		em_series_add(s, &r, 0);
	}
}

static void huge_resolution(struct energy_reading *r, int i)
{
	r->resolution = i % 2 ? DBL_MAX : 1e308;
}

static void huge_range(struct energy_reading *r, int i)
{
	(void)i;
	r->flags = ENERGY_READING_RANGE;
	r->range_low = -1e308;
	r->range_high = DBL_MAX;
	r->range_s = 1;
}

static void huge_average(struct energy_reading *r, int i)
{
	r->flags = ENERGY_READING_AVERAGE | ENERGY_READING_RANGE;
	r->average_s = 1e308;
	r->range_low = -1e300;
	r->range_high = 1e300;
	r->range_s = 1e308;
	r->lag_s = i % 2 ? 1e308 : 0;
}

static void test_huge_resolution(void)
{
	struct em_series s;
	feed(huge_resolution, 6, &s);
	expect_usable_bound(&s, true);
	em_series_free(&s);
}

static void test_huge_range(void)
{
	struct em_series s;
	feed(huge_range, 6, &s);
	expect_usable_bound(&s, true);
	em_series_free(&s);
}

static void test_huge_average_lag(void)
{
	struct em_series s;
	feed(huge_average, 6, &s);
	expect_usable_bound(&s, false);
	CU_ASSERT(s.look_s <= 2 * EM_UNC_LOOK_MAX_S); /* the lag and window are cut, as the doc says */
	em_series_free(&s);
}

/* A declared counter's resolution (struct energy_metric, ABI 1.3). */
static void test_huge_metric_resolution(void)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = ENERGY_KIND_COUNTER, .unit = ENERGY_UNIT_JOULE,
	                          .scope = ENERGY_SCOPE_ACCELERATOR, .resolution = 1e308};
	strcpy(m.key, "gpu0_energy");
	struct em_series s;
	char why[ENERGY_REASON_MAX];
	CU_ASSERT_EQUAL_FATAL(em_metric_series(&m, &s, why, sizeof(why)), 0);
	for (int i = 0; i < 4; i++)
		em_series_push(&s, (int64_t)(1000 + i) * 1000000000, (int64_t)(1700000000 + i) * 1000000000, 10.0 * i, 0);
	expect_usable_bound(&s, true);
	em_series_free(&s);
}

/* Readings that are themselves absurd (finite, +-1e308 W, 2 s apart)
 * overflow the terms whatever the plugin says of them: no bound, never an
 * infinite one. */
static void test_overflow_means_no_bound(void)
{
	struct em_series s;
	struct energy_reading r;
	hostile_reading(&r, 0, 1e308);
	em_series_init(&s, &r);
	for (int i = 0; i < 6; i++) {
		hostile_reading(&r, 2.0 * i, i % 2 ? -1e308 : 1e308);
		em_series_add(&s, &r, 0);
	}
	CU_ASSERT(isfinite(s.total));
	struct em_bound b;
	hostile_bound(&s, &b);
	CU_ASSERT_PTR_NULL(b.method);
	CU_ASSERT(isnan(b.low) && isnan(b.high) && isnan(b.half_width));
	em_series_free(&s);
}

int main(void)
{
	CU_TestInfo tests[] = {{"resolution 1e308: finite terms and bound", test_huge_resolution},
	                       {"range +-1e308: finite terms and bound", test_huge_range},
	                       {"average_s, lag_s, range_s 1e308: finite", test_huge_average_lag},
	                       {"a declared metric's resolution 1e308", test_huge_metric_resolution},
	                       {"terms that overflow: no bound, not an infinite one", test_overflow_means_no_bound},
	                       CU_TEST_INFO_NULL};
	return cunit_run_suite("uncertainty-huge-terms", NULL, NULL, tests);
}
