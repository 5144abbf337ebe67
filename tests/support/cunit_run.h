/* Run the tests registered with CUnit verbosely (so the summary lines reach
 * the CI log), clean up, and return the process exit status: 1 if anything
 * failed, else 0. One copy for every test program.
 *
 * A suite whose setup (init) or cleanup function fails runs none of its
 * tests and records no assertion failure, and a program that ran no test
 * proved nothing: both fail the program, so a fixture that cannot start
 * (e.g. the simulated BMC) is never reported as a pass. */
#ifndef CUNIT_RUN_H
#define CUNIT_RUN_H

#include <CUnit/Basic.h>
#include <stdio.h>

static inline int cunit_run_registered(void)
{
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned suites_failed = CU_get_number_of_suites_failed();
	unsigned ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (suites_failed)
		fprintf(stderr, "FAIL: %u suite(s) could not set up or clean up; their tests did not run\n",
		        suites_failed);
	if (ran == 0)
		fprintf(stderr, "FAIL: no test ran\n");
	return failed || suites_failed || ran == 0 ? 1 : 0;
}

/* Register one suite of `tests` (ended by CU_TEST_INFO_NULL) with its setup
 * and cleanup (either may be NULL), and run it as cunit_run_registered()
 * does: the exit status. */
static inline int cunit_run_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
                                  CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {{(char *)name, init, clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "FAIL: cannot register suite %s: %s\n", name, CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run_registered();
}

#endif
