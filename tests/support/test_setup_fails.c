/*
 * The runner itself (cunit_run_suite) under test: a suite whose setup fails runs none of its
 * tests, and the program must fail (meson marks these should_fail).
 * Usage: test_setup_fails init|cleanup|empty|pass (pass: the control, exits 0)
 */
#include "cunit_run.h"

#include <stdbool.h>
#include <string.h>

static int fails(void)
{
	return -1;
}

static int succeeds(void)
{
	return 0;
}

static void passes(void)
{
	CU_PASS("nothing to check: the suite's setup is what fails");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "init";
	bool empty = !strcmp(what, "empty");
	bool init_fails = !strcmp(what, "init"), cleanup_fails = !strcmp(what, "cleanup");
	CU_TestInfo tests[] = {
		{"a test that would pass", passes},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("setup fails", init_fails ? fails : succeeds, cleanup_fails ? fails : succeeds,
	                       empty ? tests + 1 : tests);
}
