/* Run the tests registered with CUnit verbosely (so the summary lines reach
 * the CI log), clean up, and return the process exit status: 1 if anything
 * failed, else 0. One copy for every test program. */
#ifndef CUNIT_RUN_H
#define CUNIT_RUN_H

#include <CUnit/Basic.h>

static inline int cunit_run_registered(void)
{
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#endif
