/* Loading plugins: every failure names the plugin and the file. */
#include "test_util.h"
#include "energy_plugin.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_wrong_abi_major_is_refused_with_both_versions(void)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_strategy("badabi", &err), -EPROTO);
	ASSERT_CONTAINS(err.message, "badabi.so");
	ASSERT_CONTAINS(err.message, "plugin ABI 99.0");
	ASSERT_CONTAINS(err.message, "host's ABI 1.");
}

static void test_missing_entry_symbol(void)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_strategy("noentry", &err), -ENOEXEC);
	ASSERT_CONTAINS(err.message, "noentry.so: not an energymon plugin: no symbol energymon_plugin_entry");
}

static void test_no_such_plugin_names_the_search_path(void)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_strategy("nosuchplugin", &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "plugin 'nosuchplugin': no file nosuchplugin.so");
	ASSERT_CONTAINS(err.message, getenv("ENERGYMON_PLUGIN_PATH"));
}

static void test_named_but_unavailable_plugin_is_an_error(void)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_strategy("unavailable", &err), -ENODEV);
	ASSERT_CONTAINS(err.message, "plugin 'unavailable'");
	ASSERT_CONTAINS(err.message, "no such hardware: /dev/nothing does not exist");
}

static void test_world_writable_directory_is_refused(void)
{
	char dir[] = "/tmp/energymon-ww-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	char src[PATH_MAX], dst[PATH_MAX];
	snprintf(src, sizeof(src), "%s/testpower.so", getenv("ENERGYMON_TEST_PLUGIN_DIR"));
	snprintf(dst, sizeof(dst), "%s/testpower.so", dir);
	CU_ASSERT_FATAL(symlink(src, dst) == 0);
	chmod(dir, 0777);
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", dir, 1);
	struct em_error err = {0};
	/* the link leads to a safe file, but anyone could point it elsewhere */
	CU_ASSERT_EQUAL(create_with_strategy("testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, "has mode 0777 (world-writable, not sticky)");
	ASSERT_CONTAINS(err.message, dir);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	unlink(dst);
	rmdir(dir);
}

static void test_auto_skips_what_cannot_run_and_keeps_the_reason(void)
{
	/* auto tries every plugin on the path: one that cannot run and one that
	 * cannot even load are both kept as unavailable, with their reasons */
	char dir[] = "/tmp/energymon-auto-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	const char *names[] = {"testpower", "unavailable", "badabi"};
	char src[PATH_MAX], dst[PATH_MAX];
	for (int i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "%s/%s.so", getenv("ENERGYMON_TEST_PLUGIN_DIR"), names[i]);
		snprintf(dst, sizeof(dst), "%s/%s.so", dir, names[i]);
		CU_ASSERT(symlink(src, dst) == 0);
	}
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", dir, 1);
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"auto\"}, \"energy_sampling_interval\": 0.05}",
	                      0.2, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *un = json_object_get(json_object_get(res, "monitors"), "unavailable");
	CU_ASSERT(json_is_false(json_object_get(un, "available")));
	ASSERT_CONTAINS(json_string_value(json_object_get(un, "reason")), "/dev/nothing does not exist");
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(res, "unavailable"), "unavailable")),
	                "/dev/nothing");
	const json_t *bad = json_object_get(json_object_get(res, "monitors"), "badabi");
	ASSERT_CONTAINS(json_string_value(json_object_get(bad, "reason")), "plugin ABI 99.0");
	CU_ASSERT(energy_of(res, NULL, "system") > 0);
	json_decref(res);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	for (int i = 0; i < 3; i++) {
		snprintf(dst, sizeof(dst), "%s/%s.so", dir, names[i]);
		unlink(dst);
	}
	rmdir(dir);
}

static void test_list_plugins_reports_each_with_reason(void)
{
	char *text = em_plugins_list_json(NULL);
	json_t *list = text ? json_loads(text, 0, NULL) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(list);
	int seen = 0;
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *reason = json_string_value(json_object_get(p, "reason"));
		if (!strcmp(name, "badabi")) {
			seen++;
			CU_ASSERT(json_is_false(json_object_get(p, "loads")));
			ASSERT_CONTAINS(reason, "ABI 99.0");
		} else if (!strcmp(name, "unavailable")) {
			seen++;
			CU_ASSERT(json_is_false(json_object_get(p, "available")));
			ASSERT_CONTAINS(reason, "/dev/nothing");
		} else if (!strcmp(name, "testpower")) {
			seen++;
			CU_ASSERT(json_is_true(json_object_get(p, "available")));
			char abi[16];
			snprintf(abi, sizeof(abi), "%d.%d", ENERGY_PLUGIN_ABI_MAJOR, ENERGY_PLUGIN_ABI_MINOR);
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "abi")), abi);
		}
	}
	CU_ASSERT_EQUAL(seen, 3);
	json_decref(list);
	free(text);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"wrong ABI major refused with both versions", test_wrong_abi_major_is_refused_with_both_versions},
		{"missing entry symbol", test_missing_entry_symbol},
		{"no such plugin names the search path", test_no_such_plugin_names_the_search_path},
		{"named but unavailable plugin is an error", test_named_but_unavailable_plugin_is_an_error},
		{"world-writable directory refused", test_world_writable_directory_is_refused},
		{"auto skips what cannot run, keeps the reason", test_auto_skips_what_cannot_run_and_keeps_the_reason},
		{"list-plugins reports each with its reason", test_list_plugins_reports_each_with_reason},
		CU_TEST_INFO_NULL,
	};
	return run_suite("loader", tests);
}
