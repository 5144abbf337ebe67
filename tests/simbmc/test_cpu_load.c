/* The demo power model's CPU busy fraction, from a /proc/stat-like file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "cpu_load.h"

static char dir[] = "/tmp/simbmc-cpu-XXXXXX";
static char path[64];

static void put(const char *line)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "%s\ncpu0 1 2 3 4 5 6 7 8 0 0\n", line);
	fclose(f);
}

static void test_fraction(void)
{
	struct cpu_load c;
	double f = -1;

	cpu_load_init(&c, path);
	CHECK_INT(cpu_load_fraction(&c, 0, &f), ==, -EAGAIN);
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	put("cpu  100 0 100 700 100 0 0 0 50 0");
	CHECK_INT(cpu_load_tick(&c), ==, 0);
	CHECK_INT(cpu_load_fraction(&c, 0, &f), ==, -EAGAIN); /* no time passed */
	/* +150 busy (user 100, softirq 50), +50 idle, +100 iowait; guest
	 * is part of user already and must not count twice. */
	put("cpu  200 0 100 750 200 0 50 0 90 0");
	CHECK_INT(cpu_load_fraction(&c, 0, &f), ==, 0);
	CHECK_NEAR(f, 150.0 / 300.0, 1e-12);
}

static void test_missing_file(void)
{
	struct cpu_load c;

	cpu_load_init(&c, "/nonexistent/stat");
	CHECK_INT(cpu_load_tick(&c), ==, -ENOENT);
	put("intr 5");
	cpu_load_init(&c, path);
	CHECK_INT(cpu_load_tick(&c), ==, -EIO);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/stat", dir);
	CU_TestInfo tests[] = {
		{"busy fraction", test_fraction},
		{"missing or odd file", test_missing_file},
		CU_TEST_INFO_NULL,
	};
	int failed = cunit_run_suite("cpu_load", NULL, NULL, tests);
	unlink(path);
	rmdir(dir);
	return failed ? 1 : 0;
}
