/* The energymon command with instances: --plugins plugin:instance, --set
 * plugin:instance.key, sections in --config; bad names, duplicate ids and
 * secrets in a section exit 2 before the command runs. argv[1] is the
 * energymon binary. */
#include "cli_harness.h"
#include "test_util.h"
#include "energy_plugin.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char work[PATH_MAX], marker[PATH_MAX], touch_cmd[PATH_MAX + 16];

static void expect_refused(const char *const *args, const char *needle, const char *never)
{
	static struct cli_run r;
	unlink(marker);
	CU_ASSERT_FATAL(cli_run_to_end(&r, args));
	CU_ASSERT_EQUAL(r.status, 2);
	ASSERT_CONTAINS(r.err, needle);
	CU_ASSERT_NOT_EQUAL(access(marker, F_OK), 0);
	if (never)
		CU_ASSERT_PTR_NULL(strstr(r.err, never));
}

static double avg_power(const json_t *res, const char *id)
{
	const json_t *src = json_object_get(json_object_get(res, "monitors"), id);
	return json_number_value(json_object_get(json_object_get(src, "energy"), "avg_power"));
}

static void test_set_in_a_section_configures_that_instance(void)
{
	static struct cli_run r;
	const char *args[] = {"--no-files", "--json", "--plugins", "testpower:a,testpower:b", "--interval", "0.02",
	                      "--set", "testpower:a.testpower_watts=200", "--set", "testpower_watts=60", "--",
	                      "sleep", "0.1", NULL};
	CU_ASSERT_FATAL(cli_run_to_end(&r, args));
	CU_ASSERT_EQUAL(r.status, 0);
	json_t *res = json_loads(r.out, 0, NULL);
	if (!res)
		fprintf(stderr, "\n    status %d, stderr: %s\n", r.status, r.err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_DOUBLE_EQUAL(avg_power(res, "testpower:a"), 200, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(avg_power(res, "testpower:b"), 60, 1e-9);
	json_decref(res);
}

static void test_section_in_config_file(void)
{
	static struct cli_run r;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sections.json", work);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *text = "{\"testpower:rack1\": {\"testpower_watts\": 42}}";
	CU_ASSERT_FATAL(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	const char *args[] = {"--no-files", "--json", "--config", path, "--plugins", "testpower:rack1,testpower",
	                      "--interval", "0.02", "--", "sleep", "0.1", NULL};
	CU_ASSERT_FATAL(cli_run_to_end(&r, args));
	CU_ASSERT_EQUAL(r.status, 0);
	json_t *res = json_loads(r.out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_DOUBLE_EQUAL(avg_power(res, "testpower:rack1"), 42, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(avg_power(res, "testpower"), 100, 1e-9);
	json_decref(res);
	/* an unknown key inside it is named with its section */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	text = "{\"testpower:rack1\": {\"testpower_wats\": 42}}";
	CU_ASSERT_FATAL(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	const char *bad[] = {"--no-files", "--config", path, "--plugins", "testpower:rack1", "--", "sh", "-c",
	                     touch_cmd, NULL};
	expect_refused(bad, "testpower:rack1.testpower_wats: unknown key for plugin 'testpower'", NULL);
}

static void test_refused_before_running(void)
{
	const char *secret[] = {"--no-files", "--plugins", "testpower:a", "--set", "testpower:a.testpower_secret=hunter2",
	                        "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(secret, "testpower:a.testpower_secret: secrets are not accepted on the command line", "hunter2");
	const char *name[] = {"--no-files", "--plugins", "testpower:Rack1", "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(name, "'Rack1' is not an instance name (1 to 32 of lower-case letters", NULL);
	const char *twice[] = {"--no-files", "--plugins", "testpower:a,testpower:a", "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(twice, "'testpower:a' is named twice", NULL);
	const char *host[] = {"--no-files", "--plugins", "testpower:a", "--set", "testpower:a.energy_max_series=3",
	                      "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(host, "cannot be set per instance", NULL);
}

/* A key longer than any key is refused, not cut down to some other key. */
static void test_overlong_set_key_is_refused(void)
{
	char set[400];
	memset(set, 'k', 300);
	snprintf(set + 300, sizeof(set) - 300, "=1");
	const char *args[] = {"--no-files", "--plugins", "testpower", "--set", set, "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(args, "--set: the key of 'kkkk", NULL);
}

/* --version names the ABI of the header the CLI was built with, not a literal. */
static void test_version_names_the_abi(void)
{
	static struct cli_run r;
	const char *args[] = {"--version", NULL};
	CU_ASSERT_FATAL(cli_run_to_end(&r, args));
	char want[64];
	snprintf(want, sizeof(want), "(plugin ABI %d.%d)", ENERGY_PLUGIN_ABI_MAJOR, ENERGY_PLUGIN_ABI_MINOR);
	ASSERT_CONTAINS(r.out, want);
}

int main(int argc, char **argv)
{
	if (cli_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: %s ENERGYMON_BINARY\n", argv[0]);
		return 2;
	}
	snprintf(work, sizeof(work), "%s", cli_work_dir());
	snprintf(marker, sizeof(marker), "%s/ran", work);
	snprintf(touch_cmd, sizeof(touch_cmd), "touch %s", marker);
	CU_TestInfo tests[] = {
		{"--set plugin:instance.key configures that instance", test_set_in_a_section_configures_that_instance},
		{"a section in --config", test_section_in_config_file},
		{"secrets, bad names and duplicates refused before running", test_refused_before_running},
		{"an overlong --set key is refused", test_overlong_set_key_is_refused},
		{"--version names the header's ABI", test_version_names_the_abi},
		CU_TEST_INFO_NULL,
	};
	int rc = run_suite("cli-instances", tests);
	cli_remove_work_dir();
	return rc;
}
