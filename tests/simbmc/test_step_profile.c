/* The step-profile arithmetic that both the module and the tests' truth use. */
#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "step_profile.h"

static const double t[] = { 100, 110, 110, 130 };
static const double w[] = { 10, 20, 30, 40 };

static void test_power_at(void)
{
	CHECK_NEAR(step_profile_power_w(t, w, 4, 0), 10, 0);     /* before */
	CHECK_NEAR(step_profile_power_w(t, w, 4, 100), 10, 0);
	CHECK_NEAR(step_profile_power_w(t, w, 4, 109.999), 10, 0);
	/* Two points at 110: the later one wins, the first lasts no time. */
	CHECK_NEAR(step_profile_power_w(t, w, 4, 110), 30, 0);
	CHECK_NEAR(step_profile_power_w(t, w, 4, 130), 40, 0);
	CHECK_NEAR(step_profile_power_w(t, w, 4, 1e9), 40, 0);   /* after */
	CHECK_NEAR(step_profile_power_w(t, w, 1, 1e9), 10, 0);
}

static void test_energy(void)
{
	/* 90..100 at 10 W, 100..110 at 10 W, 110..130 at 30 W, 130..140 at 40. */
	CHECK_NEAR(step_profile_energy_j(t, w, 4, 90, 140), 100 + 100 + 600 + 400, 1e-9);
	CHECK_NEAR(step_profile_energy_j(t, w, 4, 105, 120), 50 + 300, 1e-9);
	CHECK_NEAR(step_profile_energy_j(t, w, 4, 200, 210), 400, 1e-9);
	CHECK_NEAR(step_profile_energy_j(t, w, 4, 0, 50), 500, 1e-9);
	CHECK_NEAR(step_profile_energy_j(t, w, 4, 120, 120), 0, 0);
	CHECK_NEAR(step_profile_energy_j(t, w, 4, 120, 110), 0, 0);
	CHECK_NEAR(step_profile_energy_j(t, w, 1, 0, 3), 30, 1e-9);
}

static void test_range(void)
{
	double lo, hi;

	step_profile_range_w(t, w, 4, 90, 140, &lo, &hi);
	CHECK_NEAR(lo, 10, 0);
	CHECK_NEAR(hi, 40, 0);
	step_profile_range_w(t, w, 4, 111, 129, &lo, &hi);
	CHECK_NEAR(lo, 30, 0);
	CHECK_NEAR(hi, 30, 0);
	step_profile_range_w(t, w, 4, 105, 110, &lo, &hi);
	CHECK_NEAR(lo, 10, 0);
	CHECK_NEAR(hi, 30, 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"power at an instant", test_power_at},
		{"exact energy", test_energy},
		{"min and max over a window", test_range},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("step_profile", NULL, NULL, tests);
}
