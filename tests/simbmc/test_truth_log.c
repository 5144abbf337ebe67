/* The truth log: created 0600, appended to, never through a symlink, and
 * its points read back to exactly the doubles the profile held. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "truth_log.h"

static void test_round_trip_and_append(void)
{
	char dir[] = "/tmp/simbmc-truth-XXXXXX", path[64], line[256];
	const double t[] = { 1712345678.123456789, 1712345679.5 }, w[] = { 137.4, 0.1 };
	const struct bmc_behaviour b = { .refresh_s = 1.5, .window_s = 0.25, .quantise = 1,
					 .stamp = BMC_STAMP_REFRESH };
	struct stat st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/truth.log", dir);
	for (int run = 0; run < 2; run++) {
		int fd = truth_log_open(path);
		CU_ASSERT_FATAL(fd >= 0);
		CHECK_INT(truth_log_header(fd, 1712345670.25, &b), ==, 0);
		CHECK_INT(truth_log_profile(fd, 1712345671.0, t, w, 2), ==, 0);
		close(fd);
	}
	CHECK_INT(stat(path, &st), ==, 0);
	CHECK_INT(st.st_mode & 0777, ==, 0600);

	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	int headers = 0, blocks = 0, points = 0;
	while (fgets(line, sizeof(line), f)) {
		double tv, wv;
		if (strncmp(line, "# simbmc truth log: ", 20) == 0) {
			headers++;
			CU_ASSERT_PTR_NOT_NULL(strstr(line, "refresh_ms=1500 window_ms=250 quantise=1 stamp=refresh"));
			CU_ASSERT_PTR_NOT_NULL(strstr(line, "start=1712345670.25"));
		} else if (strncmp(line, "# profile loaded at ", 20) == 0) {
			blocks++;
		} else if (sscanf(line, "%lf %lf", &tv, &wv) == 2) {
			/* Bit for bit: the test's truth is the module's. */
			CU_ASSERT(tv == t[points % 2] && wv == w[points % 2]);
			points++;
		} else {
			CU_FAIL("unexpected line");
		}
	}
	fclose(f);
	CHECK_INT(headers, ==, 2);
	CHECK_INT(blocks, ==, 2);
	CHECK_INT(points, ==, 4);

	/* A symlink planted at the path is not followed. */
	char link[80];
	snprintf(link, sizeof(link), "%s/link.log", dir);
	CHECK_INT(symlink(path, link), ==, 0);
	CHECK_INT(truth_log_open(link), ==, -ELOOP);
	unlink(link);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"round trip and append", test_round_trip_and_append},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("truth_log", NULL, NULL, tests);
}
