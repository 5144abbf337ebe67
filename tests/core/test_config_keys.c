/* Configuration keys: energymon's own namespaces (lithops.energy*, energy_*,
 * every installed plugin's prefix) are checked, other keys left alone, and
 * --set takes only declared, non-secret keys, typed by their declaration. */
#include "test_util.h"
/* white-box: the parsed strategy has no public getter */
#include "../../core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* energymon's own namespaces are checked; a typo is never a silent no-op */
static void test_unknown_lithops_energy_key(void)
{
	expect_error("{\"lithops\": {\"energy_stratgy\": \"testpower\"}}",
	             "lithops.energy_stratgy: unknown key; energymon reads lithops.energy, lithops.energy_strategy");
	expect_error("{\"lithops\": {\"Energy_Strategy\": \"testpower\"}}",
	             "did you mean lithops.energy_strategy?");
	expect_error("{\"Energy_Output_Dir\": \"x\"}", "did you mean energy_output_dir?");
	/* the dotted spelling documents use is refused, never silently ignored */
	expect_error("{\"lithops.energy\": false}",
	             "lithops.energy: a dotted key is not read; nest it: {\"lithops\": {\"energy\": ...}}");
	expect_error("{\"lithops.energy_stratgy\": \"testpower\"}", "lithops.energy_stratgy: a dotted key is not read");
}

static void test_key_of_an_unselected_plugin(void)
{
	/* testcpu is installed but not selected: its prefix is still ours */
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"testcpu_bogus\": 1}",
	             "testcpu_bogus: unknown key for plugin 'testcpu'; it accepts: testcpu_share");
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"testcpu_shares\": 1}", &cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_check_keys(cfg, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "testcpu_shares");
	em_config_free(cfg);
}

static void test_plugin_keys_are_case_sensitive(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"TESTPOWER_WATTS\": 5}",
	             "TESTPOWER_WATTS: unknown key for plugin 'testpower' (keys are case-sensitive: did you mean "
	             "testpower_watts?)");
}

static void test_lithops_config_is_accepted(void)
{
	/* a Lithops config carries Lithops' own sections and keys */
	const char *json = "{\"lithops\": {\"backend\": \"localhost\", \"storage\": \"localhost\", "
	                   "\"mode\": \"localhost\", \"log_level\": \"DEBUG\", \"energy\": true, "
	                   "\"energy_strategy\": \"testpower\"}, \"localhost\": {\"runtime\": \"python3\"}, "
	                   "\"aws\": {\"region\": \"us-east-1\"}, \"backend\": \"x\", \"storage\": \"y\", "
	                   "\"energy_sampling_interval\": 0.05, \"testpower_watts\": 7}";
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(json, &cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_check_keys(cfg, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	if (err.code)
		fprintf(stderr, "\n    %s\n", err.message);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

/* A value of the right type the plugin refuses (-EINVAL from probe/create)
 * is a configuration error under "auto" too, not "cannot run here". */
static void test_invalid_value_under_auto_is_an_error(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"auto\"}, \"testpower_watts\": -5}",
	             "testpower_watts: -5 is negative");
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"testpower_watts\": -5, \"energy_allow_unavailable\": true,"
	                                            " \"lithops\": {\"energy_strategy\": \"testpower\"}}",
	                                            &cfg, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_create(cfg, 0, &mon, &err), -EINVAL);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

static void test_plugin_declaring_a_foreign_key_is_refused(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"foreignkey\"}}",
	             "plugin 'foreignkey' declares the key 'ipmi_host' outside its own prefix");
	/* under auto it is skipped with that reason, and the rest run */
	char dir[] = "/tmp/energymon-foreign-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	chmod(dir, 0755);
	copy_test_plugin(dir, "foreignkey");
	copy_test_plugin(dir, "testpower");
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", dir, 1);
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"auto\"}, \"energy_sampling_interval\": 0.05}",
	                      0, NULL, &err);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	if (!res)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL(res);
	json_t *fk = json_object_get(json_object_get(res, "monitors"), "foreignkey");
	CU_ASSERT(json_is_false(json_object_get(fk, "available")));
	ASSERT_CONTAINS(json_string_value(json_object_get(fk, "reason")), "outside its own prefix");
	CU_ASSERT(json_is_object(json_object_get(json_object_get(res, "monitors"), "testpower")));
	json_decref(res);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/foreignkey.so", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/testpower.so", dir);
	unlink(path);
	rmdir(dir);
}

static void expect_set_refused(const char *key, const char *value, const char *needle)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_new(&cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, key, value, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, key);
	ASSERT_CONTAINS(err.message, needle);
	em_config_free(cfg);
}

static void test_set_refuses_unknown_and_secret_keys(void)
{
	expect_set_refused("bogus_key", "1", "unknown key; --set accepts");
	/* every host key is named, energy_max_series too */
	expect_set_refused("bogus_key", "1", "--set accepts energymon's own keys (lithops.energy, "
	                   "lithops.energy_strategy, energy_sampling_interval, energy_output_dir, "
	                   "energy_function_name, energy_allow_unavailable, energy_max_series, energy_agent, energy_sampler_threads, energy_baseline_s, energy_baseline_after) and the keys");
	expect_set_refused("IPMI_PASSWORD", "x", "secrets are not accepted");
	expect_set_refused("TESTPOWER_WATTS", "5", "did you mean testpower_watts?");
	/* declared secret, whatever its name */
	expect_set_refused("testpower_secret", "hunter2", "secrets are not accepted");
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_new(&cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower_secret", "hunter2", &err), -EINVAL);
	CU_ASSERT_PTR_NULL(strstr(err.message, "hunter2"));
	em_config_free(cfg);
}

static void test_set_types_values_by_declaration(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_new(&cfg, &err), 0);
	/* a string key keeps JSON-looking text as text (energymon -- true) */
	const char *names[] = {"true", "null", "1", "[1]", "{}"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CU_ASSERT_EQUAL(em_config_set(cfg, "energy_function_name", names[i], &err), 0);
		CU_ASSERT_STRING_EQUAL(em_config_function_name(cfg), names[i]);
	}
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower_watts", "12.5", &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(cfg->root, "testpower_watts")), 12.5, 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower_watts", "twelve", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "testpower_watts: 'twelve' is not a number");
	CU_ASSERT_EQUAL(em_config_set(cfg, "testpower_silent", "yes", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "expected true or false");
	CU_ASSERT_EQUAL(em_config_set(cfg, "lithops.energy_strategy", "testpower,testcpu", &err), 0);
	CU_ASSERT_EQUAL(cfg->nstrategy, 2);
	em_config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"unknown lithops.energy* key", test_unknown_lithops_energy_key},
		{"key of an installed but unselected plugin", test_key_of_an_unselected_plugin},
		{"plugin keys are case-sensitive", test_plugin_keys_are_case_sensitive},
		{"a Lithops config with its own keys is accepted", test_lithops_config_is_accepted},
		{"invalid value under auto is a config error", test_invalid_value_under_auto_is_an_error},
		{"plugin declaring a foreign key is refused", test_plugin_declaring_a_foreign_key_is_refused},
		{"--set refuses unknown and secret keys", test_set_refuses_unknown_and_secret_keys},
		{"--set types values by declaration", test_set_types_values_by_declaration},
		CU_TEST_INFO_NULL,
	};
	return run_suite("config-keys", tests);
}
