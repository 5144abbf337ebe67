/* Instances: strategy entries plugin:instance, each reading the top-level
 * keys overlaid with its own section {"plugin:instance": {...}}, checked
 * like top-level keys; --set plugin:instance.key. */
#include "test_util.h"
/* white-box: a source's identity fields have no public getter */
#include "../../core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const json_t *source_of(const json_t *res, const char *id)
{
	return json_object_get(json_object_get(res, "monitors"), id);
}

/* Top level 50 W; a sets 100 W, b sets nothing (inherits 50 W), c 300 W. */
static void test_instances_read_their_own_sections(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": [\"testpower:a\", \"testpower:b\", "
	                      "\"testpower:c\"]}, \"energy_sampling_interval\": 0.02, \"testpower_watts\": 50, "
	                      "\"testpower:a\": {\"testpower_watts\": 100}, "
	                      "\"testpower:c\": {\"testpower_watts\": 300, \"testpower_no_package\": true}}",
	                      0.2, &mon, &err);
	if (!res)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower:a", "avg_power"), 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower:b", "avg_power"), 50, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower:c", "avg_power"), 300, 1e-9);
	/* c's own boolean: no package counter; a and b have one */
	CU_ASSERT(isnan(energy_of(res, "testpower:c", "pkg")));
	CU_ASSERT(energy_of(res, "testpower:b", "pkg") >= 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(source_of(res, "testpower:a"), "source")),
	                       "testpower:a");
	CU_ASSERT_PTR_NULL(source_of(res, "testpower"));
	CU_ASSERT_EQUAL_FATAL(mon->nsources, 3);
	const struct em_source *a = mon->sources[0];
	CU_ASSERT_STRING_EQUAL(a->name, "testpower:a");
	CU_ASSERT_STRING_EQUAL(a->plugin, "testpower");
	CU_ASSERT_STRING_EQUAL(a->instance_name, "a");
	CU_ASSERT_STRING_EQUAL(a->file_tag, "testpower-a");
	CU_ASSERT_PTR_EQUAL(a->host.instance, a->instance_name);
	json_decref(res);
	em_monitor_destroy(mon);
}

static void test_plugin_and_its_instance_together(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower,testpower:x\"}, "
	                      "\"energy_sampling_interval\": 0.02, \"testpower:x\": {\"testpower_watts\": 7}}",
	                      0.1, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "avg_power"), 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower:x", "avg_power"), 7, 1e-9);
	/* no instance: no instance name for the plugin, files tagged by the plugin */
	CU_ASSERT_PTR_NULL(mon->sources[0]->host.instance);
	CU_ASSERT_STRING_EQUAL(mon->sources[0]->file_tag, "testpower");
	json_decref(res);
	em_monitor_destroy(mon);
}

static void test_bad_instance_names(void)
{
	const char *bad[] = {"testpower:", "testpower:Rack1", "testpower:a.b", "testpower:a:b", "testpower:a b",
	                     "testpower:abcdefghijklmnopqrstuvwxyz0123456"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct em_error err = {0};
		CU_ASSERT_EQUAL(create_with_strategy(bad[i], &err), -EINVAL);
		ASSERT_CONTAINS(err.message, bad[i]);
		ASSERT_CONTAINS(err.message, "is not an instance name (1 to 32 of lower-case letters, digits, '_' and '-'");
	}
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_strategy(":a", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "':a' names no plugin before ':'");
	/* 32 characters is the most */
	CU_ASSERT_EQUAL(create_with_strategy("testpower:abcdefghijklmnopqrstuvwxyz012345", &err), 0);
}

static void test_same_source_twice_is_an_error(void)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_strategy("testpower,testpower", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "'testpower' is named twice");
	CU_ASSERT_EQUAL(create_with_strategy("testpower:a, testpower:a", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "'testpower:a' is named twice");
	expect_error("{\"lithops\": {\"energy_strategy\": [\"testpower:a\", \"testcpu\", \"testpower:a\"]}}",
	             "'testpower:a' is named twice");
	/* the lists ends where 'auto' is refused among names, once for both forms */
	CU_ASSERT_EQUAL(create_with_strategy("auto,testpower:a", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "'auto' cannot be combined with named sources");
	expect_error("{\"lithops\": {\"energy_strategy\": [\"testpower:a\", \"auto\"]}}", "'auto' cannot be combined");
}

static void test_section_is_checked_like_the_top_level(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower:a\"}, \"testpower:a\": 5}",
	             "testpower:a: expected an object of testpower_* keys");
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower:a\"}, \"testpower:a\": {\"testpower_wats\": 1}}",
	             "testpower:a.testpower_wats: unknown key for plugin 'testpower'; it accepts: testpower_watts");
	expect_error("{\"testpower:a\": {\"TESTPOWER_WATTS\": 1}}",
	             "testpower:a.TESTPOWER_WATTS: unknown key for plugin 'testpower' (keys are case-sensitive: did you "
	             "mean testpower:a.testpower_watts?)");
	expect_error("{\"testpower:a\": {\"testpower_watts\": \"many\"}}",
	             "testpower:a.testpower_watts: expected a finite number (default: 100)");
	expect_error("{\"testpower:a\": {\"testcpu_share\": 0.5}}",
	             "testpower:a.testcpu_share: not a key of plugin 'testpower'; an instance's section takes only");
	/* energy_sampling_interval is the one host key a section may set (test_instance_interval.c) */
	expect_error("{\"testpower:a\": {\"energy_max_series\": 5}}",
	             "testpower:a.energy_max_series: energymon's own keys apply to every source and cannot be "
	             "set per instance");
	expect_error("{\"testpower:a\": {\"lithops\": {}}}", "testpower:a.lithops: energymon's own keys");
	/* checked also when that instance is not in the strategy */
	expect_error("{\"lithops\": {\"energy_strategy\": \"testcpu\"}, \"testpower:z\": {\"testpower_wats\": 1}}",
	             "testpower:z.testpower_wats: unknown key");
}

static void test_section_of_a_plugin_not_installed(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"nosuch:rack1\": {\"nosuch_host\": 1}}",
	             "nosuch:rack1: a section for plugin 'nosuch', which is not installed");
	/* under another plugin's prefix, it is still a section, not that plugin's key */
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"testpower_x:a\": {}}",
	             "testpower_x:a: a section for plugin 'testpower_x', which is not installed");
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"testpower:Rack1\": {}}",
	             "section 'testpower:Rack1': 'Rack1' is not an instance name");
}

static struct em_config *fresh(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_new(&cfg, &err), 0);
	return cfg;
}

static void test_set_in_a_section(void)
{
	struct em_config *cfg = fresh();
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower:a.testpower_watts", "250", &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower:a.testpower_silent", "false", &err), 0);
	const json_t *section = json_object_get(cfg->root, "testpower:a");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(section, "testpower_watts")), 250, 0);
	CU_ASSERT(json_is_false(json_object_get(section, "testpower_silent")));
	/* typed by declaration, in a section too */
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower:a.testpower_watts", "lots", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "testpower:a.testpower_watts: 'lots' is not a number");
	/* and the instance measures with it */
	CU_ASSERT_EQUAL(em_config_set(cfg, "lithops.energy_strategy", "testpower:a,testpower", &err), 0);
	CU_ASSERT_EQUAL(em_config_set_interval(cfg, 0.02, &err), 0);
	struct em_monitor *mon = NULL;
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_start(mon, &err), 0);
	sleep_s(0.1);
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	char *text = em_monitor_result_json(mon);
	json_t *res = json_loads(text, 0, NULL);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower:a", "avg_power"), 250, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "avg_power"), 100, 1e-9);
	json_decref(res);
	free(text);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

static void expect_set_refused(const char *key, const char *value, const char *needle)
{
	struct em_config *cfg = fresh();
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_set(cfg, key, value, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, needle);
	CU_ASSERT_PTR_NULL(strstr(err.message, "hunter2"));
	CU_ASSERT_PTR_NULL(json_object_get(cfg->root, "testpower:a"));
	em_config_free(cfg);
}

static void test_set_in_a_section_is_refused(void)
{
	expect_set_refused("testpower:a.testpower_secret", "hunter2",
	                   "testpower:a.testpower_secret: secrets are not accepted on the command line");
	expect_set_refused("testpower:a.ipmi_password", "hunter2", "secrets are not accepted");
	expect_set_refused("testpower:a.testpower_wats", "1", "testpower:a.testpower_wats: not a key of plugin "
	                   "'testpower'");
	expect_set_refused("testpower:a.TESTPOWER_WATTS", "1", "did you mean testpower:a.testpower_watts?");
	expect_set_refused("testpower:a.testcpu_share", "1", "testpower:a.testcpu_share: not a key of plugin "
	                   "'testpower'");
	expect_set_refused("testpower:a.energy_output_dir", "/tmp", "testpower:a.energy_output_dir: energymon's own "
	                   "keys apply to every source and cannot be set per instance");
	expect_set_refused("testpower:A.testpower_watts", "1", "'A' is not an instance name");
	expect_set_refused("testpower:a", "1", "expected plugin:instance.key");
}

static void test_secret_env_names_in_sections(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"ipmi_password_env\": \"TOP_PW\", \"ipmi:rack1\": "
	                                            "{\"ipmi_password_env\": \"RACK1_PW\"}, \"ipmi:rack2\": "
	                                            "{\"ipmi_password_env\": \"RACK2_PW\"}}", &cfg, &err), 0);
	const char *names[8];
	size_t n = em_config_secret_env_names(cfg, names, 8);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	int seen = 0;
	for (size_t i = 0; i < n; i++)
		seen |= (!strcmp(names[i], "TOP_PW") ? 1 : 0) | (!strcmp(names[i], "RACK1_PW") ? 2 : 0) |
		        (!strcmp(names[i], "RACK2_PW") ? 4 : 0);
	CU_ASSERT_EQUAL(seen, 7);
	em_config_free(cfg);
}

/* auto means every installed plugin once: sections make no sources */
static void test_auto_makes_no_instances(void)
{
	char dir[] = "/tmp/energymon-auto-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	chmod(dir, 0755);
	copy_test_plugin(dir, "testpower");
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", dir, 1);
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"auto\"}, \"energy_sampling_interval\": 0.02, "
	                      "\"testpower:a\": {\"testpower_watts\": 5}}", 0.05, NULL, &err);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_EQUAL(json_object_size(json_object_get(res, "monitors")), 1);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testpower", "avg_power"), 100, 1e-9);
	json_decref(res);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/testpower.so", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"instances read their own sections over the top level", test_instances_read_their_own_sections},
		{"a plugin and its instance together", test_plugin_and_its_instance_together},
		{"bad instance names are refused with the rule", test_bad_instance_names},
		{"the same source twice is an error", test_same_source_twice_is_an_error},
		{"a section is checked like the top level", test_section_is_checked_like_the_top_level},
		{"a section of a plugin not installed", test_section_of_a_plugin_not_installed},
		{"--set plugin:instance.key", test_set_in_a_section},
		{"--set in a section: secrets, foreign and host keys refused", test_set_in_a_section_is_refused},
		{"secret env names in sections", test_secret_env_names_in_sections},
		{"auto makes no instances", test_auto_makes_no_instances},
		CU_TEST_INFO_NULL,
	};
	return run_suite("config-instances", tests);
}
