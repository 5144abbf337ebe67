/* Configuration errors name the key and the accepted values. */
#include "test_util.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static void expect_error(const char *json, const char *needle)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	struct em_monitor *mon = NULL;
	int rc = em_config_load_string(json, &cfg, &err);
	if (rc == 0) {
		rc = em_monitor_create(cfg, 0, &mon, &err);
		em_monitor_destroy(mon);
	}
	CU_ASSERT(rc < 0);
	CU_ASSERT_EQUAL(err.code, rc);
	ASSERT_CONTAINS(err.message, needle);
	em_config_free(cfg);
}

static void test_strategy_wrong_type(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": 3}}", "lithops.energy_strategy: expected a string or");
}

static void test_strategy_unknown_name(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": [\"testpower\", \"ipmx\"]}}", "plugin 'ipmx'");
}

static void test_strategy_list_item_not_string(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": [\"testpower\", 7]}}", "lithops.energy_strategy[1]");
}

static void test_energy_flag_wrong_type(void)
{
	expect_error("{\"lithops\": {\"energy\": \"yes\"}}", "lithops.energy: expected true or false");
}

static void test_interval_not_positive(void)
{
	expect_error("{\"energy_sampling_interval\": 0}", "energy_sampling_interval: 0 is not a valid interval");
	expect_error("{\"energy_sampling_interval\": -1.5}", "energy_sampling_interval: -1.5");
	expect_error("{\"energy_sampling_interval\": \"1\"}", "energy_sampling_interval: expected a number");
}

static void test_interval_not_finite(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_new(&cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_set_interval(cfg, 1.0 / 0.0, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "energy_sampling_interval: inf");
	CU_ASSERT_EQUAL(em_config_set_interval(cfg, __builtin_nan(""), &err), -EINVAL);
	em_config_free(cfg);
}

static void test_unknown_energy_key(void)
{
	expect_error("{\"energy_sampling_intervall\": 1}", "energy_sampling_intervall: unknown key");
}

static void test_unknown_plugin_key_is_named_with_the_accepted_ones(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"testpower_wats\": 5}",
	             "testpower_wats: unknown key for plugin 'testpower'; it accepts: testpower_watts");
}

static void test_plugin_key_wrong_type(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"testpower_watts\": \"five\"}",
	             "testpower_watts: expected a finite number (default: 100)");
}

static void test_invalid_json_names_file_and_line(void)
{
	char path[] = "/tmp/energymon-cfg-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	const char text[] = "{\n  \"lithops\": {\"energy\": true,}\n}\n";
	CU_ASSERT_EQUAL(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_file(path, &cfg, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, path);
	ASSERT_CONTAINS(err.message, ":2:");
	unlink(path);
	CU_ASSERT_EQUAL(em_config_load_file(path, &cfg, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, path);
}

static void test_secrets_refused_on_command_line(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_new(&cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "ipmi_password", "hunter2", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "ipmi_password_file");
	CU_ASSERT_PTR_NULL(strstr(err.message, "hunter2"));
	em_config_free(cfg);
}

static void test_lithops_keys_read(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy\": false, \"energy_strategy\": "
	                                            "[\"ipmi\", \"ebpf\", \"perf\"]}, \"energy_sampling_interval\":"
	                                            " 0.5, \"energy_output_dir\": \"out\", \"backend\": \"x\"}",
	                                            &cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_energy_enabled(cfg), 0);
	CU_ASSERT_STRING_EQUAL(em_config_output_dir(cfg), "out");
	em_config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"strategy of the wrong type", test_strategy_wrong_type},
		{"unknown strategy name", test_strategy_unknown_name},
		{"strategy list item not a string", test_strategy_list_item_not_string},
		{"lithops.energy of the wrong type", test_energy_flag_wrong_type},
		{"interval not positive", test_interval_not_positive},
		{"interval not finite", test_interval_not_finite},
		{"unknown energy_ key", test_unknown_energy_key},
		{"unknown plugin key names accepted keys", test_unknown_plugin_key_is_named_with_the_accepted_ones},
		{"plugin key of the wrong type", test_plugin_key_wrong_type},
		{"invalid JSON names file and line", test_invalid_json_names_file_and_line},
		{"secrets refused on the command line", test_secrets_refused_on_command_line},
		{"Lithops keys are read", test_lithops_keys_read},
		CU_TEST_INFO_NULL,
	};
	return run_suite("config", tests);
}
