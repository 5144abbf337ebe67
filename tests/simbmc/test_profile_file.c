/* The module's view of a profile file: parsing, errors, reloading. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "profile_file.h"

static char dir[] = "/tmp/simbmc-prof-XXXXXX";
static char path[64];

static void put(const char *text)
{
	char tmp[80];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(rename(tmp, path), 0);
}

static void test_parse_and_reload(void)
{
	struct profile_file p;
	char why[256] = "";

	CHECK_OK(profile_file_init(&p, path), "init");
	put("# comment\n\n100 5.5\n  200\t7\r\n");
	CHECK_OK(profile_file_refresh(&p, why, sizeof(why)), why);
	CHECK_INT(p.n, ==, 2);
	CHECK_NEAR(p.t[1], 200, 0);
	CHECK_NEAR(p.w[0], 5.5, 0);
	/* Same size, rewritten through a rename: seen. */
	put("# comment\n\n100 5.5\n  200\t8\r\n");
	CHECK_OK(profile_file_refresh(&p, why, sizeof(why)), why);
	CHECK_NEAR(p.w[1], 8, 0);
	profile_file_release(&p);
}

static void test_bad_content_keeps_last_good(void)
{
	struct profile_file p;
	char why[256] = "";

	CHECK_OK(profile_file_init(&p, path), "init");
	put("1 10\n");
	CHECK_OK(profile_file_refresh(&p, why, sizeof(why)), why);
	put("1 10\n2\n");
	CHECK_INT(profile_file_refresh(&p, why, sizeof(why)), ==, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":2:"));
	put("5 10\n4 20\n");
	CHECK_INT(profile_file_refresh(&p, why, sizeof(why)), ==, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "backwards"));
	put("5 10 extra\n");
	CHECK_INT(profile_file_refresh(&p, why, sizeof(why)), ==, -EINVAL);
	put("# nothing\n");
	CHECK_INT(profile_file_refresh(&p, why, sizeof(why)), ==, -EINVAL);
	unlink(path);
	CHECK_INT(profile_file_refresh(&p, why, sizeof(why)), ==, -ENOENT);
	/* Through all of that, the last good points stayed in use. */
	CHECK_INT(p.n, ==, 1);
	CHECK_NEAR(p.w[0], 10, 0);
	profile_file_release(&p);
}

static void test_long_path_refused(void)
{
	struct profile_file p;
	static char longpath[5000];

	memset(longpath, 'a', sizeof(longpath) - 1);
	CHECK_INT(profile_file_init(&p, longpath), ==, -ENAMETOOLONG);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/profile", dir);
	CU_TestInfo tests[] = {
		{"parse and reload", test_parse_and_reload},
		{"bad content keeps the last good", test_bad_content_keeps_last_good},
		{"long path refused", test_long_path_refused},
		CU_TEST_INFO_NULL,
	};
	int failed = cunit_run_suite("profile_file", NULL, NULL, tests);
	unlink(path);
	rmdir(dir);
	return failed ? 1 : 0;
}
