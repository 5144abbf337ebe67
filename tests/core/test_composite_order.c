/*
 * The composite's strategy-order rule, with two sources that measure the
 * same scope (system) at different known constant powers: each merged key
 * comes from the first source in strategy order that measured it, whichever
 * order the strategy gives, and `energy_sources` names that source.
 */
#include "test_util.h"

#include <math.h>

#define LOW "samescope_low"   /* 100 W, system only */
#define HIGH "samescope_high" /* 250 W, and a 10 W package counter */

static json_t *measure_strategy(const char *first, const char *second)
{
	char cfg[512];
	snprintf(cfg, sizeof(cfg),
	         "{\"lithops\": {\"energy_strategy\": [\"%s\", \"%s\"]}, \"energy_sampling_interval\": 0.05}",
	         first, second);
	struct em_error err = {0};
	json_t *res = measure(cfg, 0.3, NULL, &err);
	if (!res)
		fprintf(stderr, "\n    %s\n", err.message);
	return res;
}

static const char *source_of(const json_t *res, const char *key)
{
	return json_string_value(json_object_get(json_object_get(res, "energy_sources"), key));
}

/* The merged `system` and the keys that go with it are the first source's,
 * the other source's system reading is kept in its own monitor only. */
static void assert_system_from(const json_t *res, const char *first, double first_watts, const char *second,
                               double second_watts)
{
	double merged = energy_of(res, NULL, "system");
	CU_ASSERT_STRING_EQUAL(source_of(res, "system"), first);
	CU_ASSERT_STRING_EQUAL(source_of(res, "avg_power"), first);
	CU_ASSERT_DOUBLE_EQUAL(merged, energy_of(res, first, "system"), 0);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "avg_power"), first_watts, 1e-9);
	/* the two sources' own results really differ, so the check can tell them apart */
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, first, "avg_power"), first_watts, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, second, "avg_power"), second_watts, 1e-9);
	CU_ASSERT(fabs(merged - energy_of(res, second, "system")) > 1.0);
	const json_t *strategy = json_object_get(res, "strategy");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(strategy, 0)), first);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(strategy, 1)), second);
}

static void test_low_first_gives_system_from_low(void)
{
	json_t *res = measure_strategy(LOW, HIGH);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	assert_system_from(res, LOW, 100, HIGH, 250);
	/* a key only the second source measures still comes from it */
	CU_ASSERT_STRING_EQUAL(source_of(res, "pkg"), HIGH);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "pkg"), energy_of(res, HIGH, "pkg"), 0);
	json_decref(res);
}

static void test_high_first_gives_system_from_high(void)
{
	json_t *res = measure_strategy(HIGH, LOW);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	assert_system_from(res, HIGH, 250, LOW, 100);
	CU_ASSERT_STRING_EQUAL(source_of(res, "pkg"), HIGH);
	json_decref(res);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"same scope twice: low first, system is low's", test_low_first_gives_system_from_low},
		{"same scope twice: high first, system is high's", test_high_first_gives_system_from_high},
		CU_TEST_INFO_NULL,
	};
	return run_suite("composite strategy order", tests);
}
