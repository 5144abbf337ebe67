/* The reductions in core/series.c: trapezoid energy, counter wraps, gaps,
 * bounded memory. Compiled together with series.c (internal symbols). */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
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

/* ---- declared metrics (metric_decl.c) and their reduction by kind ---- */

static struct energy_metric metric(const char *key, uint32_t kind, uint32_t unit, uint32_t scope)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = kind, .unit = unit, .scope = scope};
	snprintf(m.key, sizeof(m.key), "%s", key);
	return m;
}

static int declare(struct energy_metric m, struct em_series *s)
{
	char why[ENERGY_REASON_MAX];
	return em_metric_series(&m, s, why, sizeof(why));
}

static void test_declared_counter_sums_wrapped_deltas(void)
{
	/* a GPU's 100 J counter at 70 W sampled each second for 20 s: 1400 J,
	 * 14 wraps; filed under its own key with no 1.0 quantity */
	struct energy_metric m = metric("gpu0_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR);
	m.counter_max = 100;
	m.index = 3;
	struct em_series s;
	CU_ASSERT_EQUAL_FATAL(declare(m, &s), 0);
	CU_ASSERT(s.declared);
	CU_ASSERT_STRING_EQUAL(s.key, "gpu0_energy");
	CU_ASSERT_EQUAL(s.quantity, 0);
	CU_ASSERT_EQUAL(s.index, 3);
	CU_ASSERT_STRING_EQUAL(em_series_unit(&s), "J");
	for (int i = 0; i <= 20; i++)
		em_series_push(&s, (int64_t)i * 1000000000, (int64_t)i * 1000000000, fmod(70.0 * i, 100.0), 0);
	CU_ASSERT_DOUBLE_EQUAL(s.total, 1400.0, 1e-9);
	CU_ASSERT_EQUAL(s.wraps, 14);
	CU_ASSERT_DOUBLE_EQUAL(s.covered_s, 20.0, 1e-12);
	em_series_free(&s);
}

/* ABI 1.3: a declared metric's resolution is every reading's, and bounds
 * the counter's delta (twice, plus once per wrap). A pre-1.3 plugin's
 * struct ends before the field: what lies beyond its struct_size is not
 * its, and must not become a resolution. */
/* A plugin stamps its readings (mono_ns): any int64. Regression: a reading
 * at -2^63 + 1 ns and the next at 2^63 - 1 ns overflowed the signed
 * difference (undefined behaviour; on x86 it wrapped to -2 ns), and the
 * series covered a negative time, which the monitor state refuses. */
static void test_timestamps_far_apart_do_not_overflow(void)
{
	struct energy_reading r = reading(ENERGY_Q_POWER_W, 0, 1, 0);
	r.mono_ns = INT64_MIN + 1;
	struct em_series s;
	em_series_init(&s, &r);
	em_series_add(&s, &r, 0);
	r.mono_ns = INT64_MAX;
	em_series_add(&s, &r, 0);
	CU_ASSERT_EQUAL(s.readings, 2);
	CU_ASSERT(s.covered_s > 1.8e10); /* 2^64 ns */
	CU_ASSERT(s.total > 1.8e10);
	em_series_gap_to(&s, INT64_MAX, 0, EM_GAP_FAILED_SAMPLES); /* not after: nothing */
	CU_ASSERT_EQUAL(s.gaps, 0);
	em_series_free(&s);

	r = reading(ENERGY_Q_ENERGY_J, 0, 5, 0);
	r.mono_ns = INT64_MIN + 1;
	em_series_init(&s, &r);
	em_series_add(&s, &r, 0);
	r.value = 7;
	r.mono_ns = INT64_MAX;
	em_series_add(&s, &r, 1); /* across a failure: a gap as long as the span */
	CU_ASSERT_EQUAL(s.gaps, 1);
	CU_ASSERT(s.gap_s > 1.8e10 || s.covered_s > 1.8e10);
	CU_ASSERT(s.gap_s >= 0 && s.covered_s >= 0);
	em_series_free(&s);
}

static void test_declared_resolution_reaches_the_series_only_from_1_3(void)
{
	struct energy_metric m = metric("gpu0_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR);
	m.counter_max = 100;
	m.resolution = 0.25;
	struct em_series s;
	CU_ASSERT_EQUAL_FATAL(declare(m, &s), 0);
	CU_ASSERT_EQUAL(s.resolution, 0.25);
	for (int i = 0; i <= 3; i++) /* 0, 40, 80, 20 (one wrap) */
		em_series_push(&s, (int64_t)i * 1000000000, (int64_t)i * 1000000000, fmod(40.0 * i, 100.0), 0);
	CU_ASSERT_EQUAL(s.wraps, 1);
	struct em_unc u;
	CU_ASSERT_FATAL(em_series_unc(&s, &u));
	CU_ASSERT_DOUBLE_EQUAL(u.res_j, 0.25 * 3, 1e-12);
	em_series_free(&s);

	struct energy_metric old = m; /* resolution 0.25 lies past its struct_size */
	old.struct_size = offsetof(struct energy_metric, resolution);
	CU_ASSERT_EQUAL_FATAL(declare(old, &s), 0);
	CU_ASSERT_EQUAL(s.resolution, 0.0);
	em_series_free(&s);

	double nonsense[] = {-1.0, NAN, INFINITY};
	for (size_t i = 0; i < sizeof(nonsense) / sizeof(nonsense[0]); i++) {
		m.resolution = nonsense[i];
		CU_ASSERT_EQUAL_FATAL(declare(m, &s), 0);
		CU_ASSERT_EQUAL(s.resolution, 0.0);
		em_series_free(&s);
	}
}

static void test_declared_gauge_integrates_to_a_time_weighted_mean(void)
{
	/* 40 degC for 3 s, then 80 degC for 1 s, sampled unevenly: the
	 * arithmetic mean of the readings (60) is not the time-weighted one */
	struct energy_metric m = metric("gpu_temp", ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS, ENERGY_SCOPE_ACCELERATOR);
	struct em_series s;
	CU_ASSERT_EQUAL_FATAL(declare(m, &s), 0);
	const double t[] = {0, 3, 3.000001, 4};
	const double v[] = {40, 40, 80, 80};
	for (int i = 0; i < 4; i++)
		em_series_push(&s, (int64_t)llround(t[i] * 1e9), (int64_t)llround(t[i] * 1e9), v[i], 0);
	CU_ASSERT_DOUBLE_EQUAL(s.mean, 60.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s.total / s.covered_s, 50.0, 1e-4);
	CU_ASSERT_EQUAL(s.wraps, 0);
	CU_ASSERT_STRING_EQUAL(em_series_unit(&s), "degC");
	em_series_free(&s);
}

static void test_declared_count_gauge_keeps_its_unit_name(void)
{
	struct energy_metric m = metric("load", ENERGY_KIND_GAUGE, ENERGY_UNIT_COUNT, ENERGY_SCOPE_OTHER);
	snprintf(m.unit_name, sizeof(m.unit_name), "load");
	struct em_series s;
	CU_ASSERT_EQUAL_FATAL(declare(m, &s), 0);
	CU_ASSERT_STRING_EQUAL(em_series_unit(&s), "load");
	/* a gauge that goes down is not a counter reset */
	em_series_push(&s, 0, 0, 3.0, 0);
	em_series_push(&s, 1000000000, 1000000000, 1.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(s.total, 2.0, 1e-12);
	CU_ASSERT_EQUAL(s.wraps, 0);
	em_series_free(&s);
}

/* An empty key is energymon's own: the series is the one a 1.0 reading of
 * that quantity and scope would have made, so it is filed the same way. */
static void test_keyless_declarations_become_the_1_0_series(void)
{
	static const struct {
		uint32_t kind, unit, scope, quantity;
		const char *sensor;
	} own[] = {
		{ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_CPU_PACKAGE, ENERGY_Q_ENERGY_J, "index-0"},
		{ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_DRAM, ENERGY_Q_ENERGY_J, "index-0"},
		{ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_SYSTEM, ENERGY_Q_ENERGY_J, "index-0"},
		{ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_SYSTEM, ENERGY_Q_POWER_W, "index-0"},
		{ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND, ENERGY_SCOPE_PROCESS, ENERGY_Q_CPU_TIME_S, "tree"},
		{ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND, ENERGY_SCOPE_SYSTEM, ENERGY_Q_CPU_TIME_S, "busy"},
	};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		struct em_series s;
		CU_ASSERT_EQUAL_FATAL(declare(metric("", own[i].kind, own[i].unit, own[i].scope), &s), 0);
		CU_ASSERT_EQUAL(s.quantity, own[i].quantity);
		CU_ASSERT_EQUAL(s.scope, own[i].scope);
		CU_ASSERT_STRING_EQUAL(s.sensor, own[i].sensor);
		CU_ASSERT_STRING_EQUAL(s.key, "");
	}
	/* the same counter as a 1.0 reading and as a keyless metric: same totals */
	struct em_series decl, old;
	CU_ASSERT_EQUAL_FATAL(declare(metric("", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_CPU_PACKAGE),
	                              &decl), 0);
	struct energy_reading r = reading(ENERGY_Q_ENERGY_J, 0, 0, 0);
	r.scope = ENERGY_SCOPE_CPU_PACKAGE;
	em_series_init(&old, &r);
	for (int i = 0; i <= 10; i++) {
		r = reading(ENERGY_Q_ENERGY_J, i * 0.1, 30.0 * i * 0.1, 0);
		em_series_add(&old, &r, 0);
		em_series_push(&decl, r.mono_ns, r.wall_ns, r.value, 0);
	}
	CU_ASSERT_EQUAL(decl.kind, old.kind);
	CU_ASSERT_EQUAL(decl.unit, old.unit);
	CU_ASSERT_DOUBLE_EQUAL(decl.total, old.total, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(decl.total, 30.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(decl.covered_s, old.covered_s, 1e-12);
	em_series_free(&decl);
	em_series_free(&old);
}

static void expect_refused(const struct energy_metric *m, const char *needle)
{
	needle = needle ? needle : ""; /* gcc under ASan cannot prove it is set */
	struct em_series s;
	char why[ENERGY_REASON_MAX] = "";
	CU_ASSERT_EQUAL(em_metric_series(m, &s, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, needle);
}

static void test_bad_declarations_are_refused_with_a_reason(void)
{
	char long_key[70];
	memset(long_key, 'k', 64);
	long_key[64] = '\0';
	struct {
		struct energy_metric m;
		const char *needle;
	} bad[] = {
		{metric("pkg", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR), "energymon's own"},
		{metric("system", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_OTHER), "energymon's own"},
		{metric("energy_x", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR), "energy_"},
		{metric("attributed_x", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR), "attributed_"},
		{metric("GPU-energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR), "a-z, 0-9"},
		{metric("0gpu", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR), "starting with"},
		{metric("busy", ENERGY_KIND_SECONDS, ENERGY_UNIT_WATT, ENERGY_SCOPE_ACCELERATOR), "cannot be in W"},
		{metric("heat", ENERGY_KIND_COUNTER, ENERGY_UNIT_CELSIUS, ENERGY_SCOPE_ACCELERATOR), "cannot be in degC"},
		{metric("odd", 7, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR), "unknown kind"},
		{metric("odd", ENERGY_KIND_GAUGE, 99, ENERGY_SCOPE_ACCELERATOR), "unknown kind"},
		{metric("odd", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, 10), "unknown kind"},
		{metric("", ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS, ENERGY_SCOPE_ACCELERATOR), "no key of its own"},
		{metric("", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR), "no key of its own"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(&bad[i].m, bad[i].needle);
	/* 64 characters fill the key's array with no NUL: refused, not cut to 63 */
	struct energy_metric unterminated = metric("", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_OTHER);
	memset(unterminated.key, 'k', sizeof(unterminated.key));
	expect_refused(&unterminated, "1-63");
	struct energy_metric unit_unterminated = metric("load", ENERGY_KIND_GAUGE, ENERGY_UNIT_COUNT, ENERGY_SCOPE_OTHER);
	memset(unit_unterminated.unit_name, 'u', sizeof(unit_unterminated.unit_name));
	expect_refused(&unit_unterminated, "unit_name");
	/* a key of exactly 63 characters is fine */
	long_key[63] = '\0';
	struct em_series s;
	CU_ASSERT_EQUAL(declare(metric(long_key, ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_OTHER), &s), 0);
	/* a struct too small to hold counter_max (an older or broken plugin) */
	struct energy_metric small = metric("small", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_OTHER);
	small.struct_size = offsetof(struct energy_metric, counter_max);
	char why[ENERGY_REASON_MAX] = "";
	CU_ASSERT_EQUAL(em_metric_series(&small, &s, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "struct_size");
	struct energy_metric inf = metric("inf", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_OTHER);
	inf.counter_max = INFINITY;
	CU_ASSERT_EQUAL(em_metric_series(&inf, &s, why, sizeof(why)), -EINVAL);
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
		{"time stamps 2^64 ns apart do not overflow", test_timestamps_far_apart_do_not_overflow},
		{"a day at 10 Hz stays bounded and exact", test_a_day_at_10hz_stays_bounded_and_exact},
		{"interval quantiles", test_interval_quantiles},
		{"declared counter sums wrapped deltas", test_declared_counter_sums_wrapped_deltas},
		{"declared resolution reaches the series only from 1.3",
		 test_declared_resolution_reaches_the_series_only_from_1_3},
		{"declared gauge integrates to a time-weighted mean", test_declared_gauge_integrates_to_a_time_weighted_mean},
		{"declared count gauge keeps its unit name", test_declared_count_gauge_keeps_its_unit_name},
		{"keyless declarations become the 1.0 series", test_keyless_declarations_become_the_1_0_series},
		{"bad declarations are refused with a reason", test_bad_declarations_are_refused_with_a_reason},
		CU_TEST_INFO_NULL,
	};
	return run_suite("series", tests);
}
