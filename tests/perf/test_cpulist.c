/* The power PMU's cpumask: which CPUs to open one counter per package on. */
#include "perf_pmu.h"

#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>

static void test_lists_and_ranges(void)
{
	int cpus[8];
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("0", cpus, 8), 1);
	CU_ASSERT_EQUAL(cpus[0], 0);
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("0,18", cpus, 8), 2);
	CU_ASSERT_EQUAL(cpus[1], 18);
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("0-2,8,10-11", cpus, 8), 6);
	int want[] = { 0, 1, 2, 8, 10, 11 };
	for (int i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(cpus[i], want[i]);
}

static void test_malformed_and_too_long(void)
{
	int cpus[4];
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("", cpus, 4), 0);
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("a", cpus, 4), -EINVAL);
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("3-1", cpus, 4), -EINVAL);
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("1;2", cpus, 4), -EINVAL);
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("-1", cpus, 4), -EINVAL);
	CU_ASSERT_EQUAL(perf_pmu_parse_cpulist("0-4", cpus, 4), -E2BIG);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("perf cpumask", NULL, NULL);
	CU_add_test(s, "lists and ranges", test_lists_and_ranges);
	CU_add_test(s, "malformed and too long", test_malformed_and_too_long);
	return cunit_run_registered();
}
