/* The DCMI module's option string, as lan.conf hands it over: defaults that
 * keep the old behaviour, each extra option, and every error naming what
 * was wrong. */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "module_options.h"

static void test_defaults_are_the_old_behaviour(void)
{
	struct module_options o;
	char why[512] = "";

	CHECK_OK(module_options_parse("profile=/tmp/p", &o, why, sizeof(why)), why);
	CHECK_INT(o.source, ==, MODULE_SOURCE_PROFILE);
	CU_ASSERT_STRING_EQUAL(o.profile, "/tmp/p");
	CHECK_NEAR(o.behaviour.refresh_s, 0, 0);
	CHECK_NEAR(o.behaviour.window_s, 0, 0);
	CHECK_INT(o.behaviour.quantise, ==, 1);
	CHECK_INT(o.behaviour.stamp, ==, BMC_STAMP_REQUEST);
	CU_ASSERT_STRING_EQUAL(o.truth, "");

	CHECK_OK(module_options_parse("cpu=40,180", &o, why, sizeof(why)), why);
	CHECK_INT(o.source, ==, MODULE_SOURCE_CPU);
	CHECK_NEAR(o.idle_w, 40, 0);
	CHECK_NEAR(o.peak_w, 180, 0);
}

static void test_all_options(void)
{
	struct module_options o;
	char why[512] = "";

	CHECK_OK(module_options_parse("profile=/a/b,refresh_ms=1000,window_ms=5000,quantise=0,"
				      "stamp=frozen,truth=/a/truth.log", &o, why, sizeof(why)), why);
	CU_ASSERT_STRING_EQUAL(o.profile, "/a/b");
	CHECK_NEAR(o.behaviour.refresh_s, 1.0, 1e-12);
	CHECK_NEAR(o.behaviour.window_s, 5.0, 1e-12);
	CHECK_INT(o.behaviour.quantise, ==, 0);
	CHECK_INT(o.behaviour.stamp, ==, BMC_STAMP_FROZEN);
	CU_ASSERT_STRING_EQUAL(o.truth, "/a/truth.log");
}

static void test_errors_name_the_option(void)
{
	static const struct { const char *options, *named; } bad[] = {
		{ "profile=/p,refresh_ms=-5", "refresh_ms=-5" },
		{ "profile=/p,speed=3", "speed=3" },
		{ "profile=/p,stamp=late", "stamp=late" },
		{ "profile=/p,quantise=yes", "quantise=yes" },
		{ "profile=/p,,stamp=refresh", "\"\"" },
		{ "profile=/p,refresh_ms=1000,", "\"\"" },
		{ "profile=/p,truth=relative.log", "relative.log" },
		{ "profile=/p,truth=", "truth=" },
		{ "profile=", "profile=" },
		{ "profile=,refresh_ms=1", "profile=" },
		{ "cpu=40,180,refresh_ms=1000", "cpu=40,180,refresh_ms=1000" },
		{ "cpu=180,40", "cpu=180,40" },
		{ "", "profile=PATH" },
		{ "battery=1", "battery=1" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct module_options o;
		char why[512] = "";
		int rc = module_options_parse(bad[i].options, &o, why, sizeof(why));

		if (rc != -EINVAL || !strstr(why, bad[i].named))
			fprintf(stderr, "\"%s\": rc %d, why \"%s\", expected it to name %s\n",
				bad[i].options, rc, why, bad[i].named);
		CHECK_INT(rc, ==, -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[i].named));
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"defaults are the old behaviour", test_defaults_are_the_old_behaviour},
		{"all options", test_all_options},
		{"errors name the option", test_errors_name_the_option},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("module_options", NULL, NULL, tests);
}
