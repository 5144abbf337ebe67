/* Configuration errors name the key and the accepted values. */
#include "test_util.h"
/* white-box: the parsed strategy and interval have no public getter */
#include "../../core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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
	CU_ASSERT_FALSE(cfg->strategy_auto);
	CU_ASSERT_EQUAL_FATAL(cfg->nstrategy, 3);
	CU_ASSERT_STRING_EQUAL(cfg->strategy[0], "ipmi");
	CU_ASSERT_STRING_EQUAL(cfg->strategy[1], "ebpf");
	CU_ASSERT_STRING_EQUAL(cfg->strategy[2], "perf");
	CU_ASSERT_DOUBLE_EQUAL(cfg->interval_s, 0.5, 0);
	em_config_free(cfg);
}

static void test_config_path_is_a_directory(void)
{
	char dir[] = "/tmp/energymon-cfgdir-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_file(dir, &cfg, &err), -EISDIR);
	ASSERT_CONTAINS(err.message, dir);
	ASSERT_CONTAINS(err.message, "is a directory");
	CU_ASSERT_PTR_NULL(strstr(err.message, "invalid JSON"));
	rmdir(dir);
}

/* A FIFO planted where the config is expected would block the read forever. */
static void test_config_path_is_a_fifo(void)
{
	char dir[] = "/tmp/energymon-cfgfifo-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof(fifo), "%s/config.json", dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_config_load_file(fifo, &cfg, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "is not a regular file");
	unlink(fifo);
	rmdir(dir);
}

static void test_file_key_rule(void)
{
	struct em_error err = {0};
	char longest[EM_FILE_KEY_MAX + 2];
	memset(longest, 'k', sizeof(longest));
	longest[EM_FILE_KEY_MAX] = '\0';
	CU_ASSERT_EQUAL(em_check_file_key("--job-key", "M000-A000_x.1", &err), 0);
	CU_ASSERT_EQUAL(em_check_file_key("--job-key", longest, &err), 0);
	longest[EM_FILE_KEY_MAX] = 'k';
	longest[EM_FILE_KEY_MAX + 1] = '\0';
	const char *bad[] = {"../x", "", ".", "..", "a/b", "a\nb", "a\tb", "\x1b[2J", "a\x7f", "a/b\nc", longest};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		CU_ASSERT_EQUAL(em_check_file_key("--call-id", bad[i], &err), -EINVAL);
		ASSERT_CONTAINS(err.message, "--call-id: ");
		ASSERT_CONTAINS(err.message, "accepted: 1 to 80 bytes");
		CU_ASSERT_PTR_NULL(strchr(err.message, '\n')); /* a bad value is never echoed */
	}
}

/* em_monitor_write_files applies the same rule as the CLI's early check */
static void test_write_files_refuses_control_characters(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testpower\"}}", 0, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	char dir[] = "/tmp/energymon-keys-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "job\nkey", "1", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "job_key: contains control character 0x0a");
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "job", "1\r", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "call_id: contains control character 0x0d");
	rmdir(dir); /* fails, and the test with it, if anything was written */
	CU_ASSERT_NOT_EQUAL(access(dir, F_OK), 0);
	em_monitor_destroy(mon);
	json_decref(res);
}

static void test_output_dir_check(void)
{
	char dir[] = "/tmp/energymon-outdir-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char file[PATH_MAX], under_file[PATH_MAX], fresh[PATH_MAX];
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(under_file, sizeof(under_file), "%s/file/sub", dir);
	snprintf(fresh, sizeof(fresh), "%s/new/deeper", dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_check_output_dir(dir, &err), 0);
	CU_ASSERT_EQUAL(em_check_output_dir(fresh, &err), 0);
	CU_ASSERT_NOT_EQUAL(access(fresh, F_OK), 0); /* checking creates nothing */
	CU_ASSERT_EQUAL(em_check_output_dir(file, &err), -ENOTDIR);
	ASSERT_CONTAINS(err.message, "is not a directory");
	CU_ASSERT_EQUAL(em_check_output_dir(under_file, &err), -ENOTDIR);
	ASSERT_CONTAINS(err.message, under_file);
	CU_ASSERT_EQUAL(em_check_output_dir("", &err), -EINVAL);
	unlink(file);
	rmdir(dir);
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
		{"--config naming a directory", test_config_path_is_a_directory},
		{"--config naming a FIFO", test_config_path_is_a_fifo},
		{"job key and call id rule", test_file_key_rule},
		{"write_files refuses control characters", test_write_files_refuses_control_characters},
		{"output dir checked before measuring", test_output_dir_check},
		CU_TEST_INFO_NULL,
	};
	return run_suite("config", tests);
}
