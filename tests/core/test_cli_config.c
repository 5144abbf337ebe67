/* The energymon command refuses bad configuration and bad output names
 * before the command runs (exit 2, naming the key or option and what is
 * accepted), and never runs the command when it does. argv[1] is the
 * energymon binary; ENERGYMON_ALL_PLUGIN_PATH holds the real plugins' dirs. */
#include "cli_harness.h"
#include "test_util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char work[PATH_MAX], marker[PATH_MAX], touch_cmd[PATH_MAX + 16];

static void run_cli(struct cli_run *r, const char *const *args)
{
	CU_ASSERT_FATAL(cli_run_to_end(r, args));
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

/* Runs energymon with args (ending in "-- sh -c 'touch MARKER'"): it must
 * exit 2 before running the command, with `needle` in its message. */
static void expect_refused(const char *const *args, const char *needle)
{
	static struct cli_run r;
	unlink(marker);
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 2);
	ASSERT_CONTAINS(r.err, needle);
	CU_ASSERT_NOT_EQUAL(access(marker, F_OK), 0);
	if (r.status != 2 || access(marker, F_OK) == 0)
		fprintf(stderr, "\n    status %d, stderr: %s\n", r.status, r.err);
}

static void test_set_keys_must_be_known(void)
{
	const char *keys[] = {"bogus_key=1", "IPMI_PASSWORD=x", "testpower_secret=hunter2", "testcpu_bogus=1",
	                      "TESTPOWER_WATTS=5"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char key[64];
		snprintf(key, sizeof(key), "%.*s", (int)(strchr(keys[i], '=') - keys[i]), keys[i]);
		const char *args[] = {"--no-files", "--plugins", "testpower", "--set", keys[i], "--", "sh", "-c",
		                      touch_cmd, NULL};
		expect_refused(args, key);
	}
	/* a declared secret is refused as one, and its value never echoed */
	static struct cli_run r;
	const char *args[] = {"--no-files", "--plugins", "testpower", "--set", "testpower_secret=hunter2", "--",
	                      "true", NULL};
	run_cli(&r, args);
	ASSERT_CONTAINS(r.err, "secrets are not accepted on the command line");
	CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
}

static void expect_config_refused(const char *json, const char *plugins, const char *needle)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", work);
	write_text(path, json, 0644);
	const char *args[] = {"--no-files", "--config", path, "--plugins", plugins, "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(args, needle);
}

static void test_config_errors_exit_2(void)
{
	/* a plugin-key error used to exit 125 */
	expect_config_refused("{\"testpower_wats\": 5}", "testpower", "testpower_wats: unknown key");
	expect_config_refused("{\"lithops\": {\"energy_stratgy\": \"ipmi\"}}", "testpower", "lithops.energy_stratgy");
	/* the key of an installed plugin that is not selected */
	expect_config_refused("{\"testcpu_bogus\": 1}", "testpower", "testcpu_bogus");
	/* a value the plugin refuses is a config error under auto too */
	expect_config_refused("{\"testpower_watts\": -5}", "auto", "testpower_watts: -5 is negative");
}

static void test_interval_zero_refused(void)
{
	const char *values[] = {"0", "-0", "0.0"};
	for (size_t i = 0; i < 3; i++) {
		const char *args[] = {"--no-files", "--plugins", "testpower", "--interval", values[i], "--", "sh", "-c",
		                      touch_cmd, NULL};
		expect_refused(args, "energy_sampling_interval");
	}
}

static void test_bad_file_keys_refused_before_running(void)
{
	char long_key[301];
	memset(long_key, 'k', 300);
	long_key[300] = '\0';
	const char *bad[] = {"../x", "", long_key, "a\nb", "a\x01" "b", "x/y", "a\xff" "b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = {"--plugins", "testpower", "--output-dir", work, "--job-key", bad[i], "--", "sh",
		                      "-c", touch_cmd, NULL};
		expect_refused(args, "--job-key: ");
		const char *args2[] = {"--plugins", "testpower", "--output-dir", work, "--call-id", bad[i], "--", "sh",
		                       "-c", touch_cmd, NULL};
		expect_refused(args2, "--call-id: ");
	}
}

static void test_bad_output_dir_refused_before_running(void)
{
	char file[PATH_MAX], under[PATH_MAX];
	snprintf(file, sizeof(file), "%s/a-file", work);
	snprintf(under, sizeof(under), "%s/a-file/sub", work);
	write_text(file, "x", 0644);
	const char *args[] = {"--plugins", "testpower", "--output-dir", file, "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(args, "is not a directory");
	const char *args2[] = {"--plugins", "testpower", "--output-dir", under, "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(args2, under);
	/* --no-files writes nothing, so there is nothing to refuse */
	static struct cli_run r;
	const char *args3[] = {"--no-files", "--plugins", "testpower", "--output-dir", file, "--", "true", NULL};
	run_cli(&r, args3);
	CU_ASSERT_EQUAL(r.status, 0);
}

static void test_config_directory_says_so(void)
{
	const char *args[] = {"--config", work, "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(args, "is a directory");
}

/* function_name in the files is the command's name, whatever it looks like
 * as JSON, with or without --config. */
static void check_function_name(const char *name, const char *want, bool with_config)
{
	static struct cli_run r;
	char dir[PATH_MAX], cfg[PATH_MAX], file[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/fn-%s-%d", work, want, with_config);
	snprintf(cfg, sizeof(cfg), "%s/fn.json", work);
	write_text(cfg, "{\"lithops\": {\"energy_strategy\": \"testpower\"}}", 0644);
	const char *plain[] = {"--plugins", "testpower", "--output-dir", dir, "--job-key", "j", "--call-id", "c",
	                       "--", name, NULL};
	const char *configured[] = {"--config", cfg, "--output-dir", dir, "--job-key", "j", "--call-id", "c", "--",
	                            name, NULL};
	run_cli(&r, with_config ? configured : plain);
	CU_ASSERT_EQUAL(r.status, 0);
	if (r.status)
		fprintf(stderr, "\n    %s: %s\n", name, r.err);
	snprintf(file, sizeof(file), "%s/j_c_testpower.json", dir);
	json_t *f = json_load_file(file, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const json_t *fn = json_object_get(json_object_get(f, "energy_consumption"), "function_name");
	CU_ASSERT(json_is_string(fn));
	CU_ASSERT_STRING_EQUAL(json_is_string(fn) ? json_string_value(fn) : "(not a string)", want);
	json_decref(f);
}

static void test_function_name_is_the_command(void)
{
	/* commands named like JSON values, found on PATH */
	char bin[PATH_MAX], path[PATH_MAX], script[PATH_MAX];
	snprintf(bin, sizeof(bin), "%s/bin", work);
	mkdir(bin, 0755);
	/* the last is not UTF-8: it still runs and is named with '?' for the byte */
	const char *names[] = {"true", "null", "1", "t\xff"}, *wants[] = {"true", "null", "1", "t?"};
	for (size_t i = 1; i < 4; i++) {
		snprintf(script, sizeof(script), "%s/%s", bin, names[i]);
		write_text(script, "#!/bin/sh\nexit 0\n", 0755);
	}
	char *old = strdup(getenv("PATH"));
	snprintf(path, sizeof(path), "%s:%s", bin, old);
	setenv("PATH", path, 1);
	for (size_t i = 0; i < 4; i++) {
		check_function_name(names[i], wants[i], false);
		check_function_name(names[i], wants[i], true);
	}
	setenv("PATH", old, 1);
	free(old);
}

/* The directory holding the real ipmi plugin, or "" when it was not built. */
static void find_ipmi_dir(char *out, size_t len)
{
	const char *dirs = getenv("ENERGYMON_ALL_PLUGIN_PATH");
	char probe[PATH_MAX];
	char *copy = strdup(dirs ? dirs : ""), *save = NULL;
	out[0] = '\0';
	for (char *d = strtok_r(copy, ":", &save); d && !out[0]; d = strtok_r(NULL, ":", &save)) {
		snprintf(probe, sizeof(probe), "%s/ipmi.so", d);
		if (access(probe, F_OK) == 0)
			snprintf(out, len, "%s", d);
	}
	free(copy);
	if (!out[0])
		fprintf(stderr, "\n    ipmi plugin not built (meson -Dipmi=disabled): nothing to check\n");
}

/* The case: under auto, ipmi_interface "telnet" used to skip ipmi
 * as "no measurement" and exit 0. */
static void test_invalid_ipmi_interface_under_auto(void)
{
	char ipmi_dir[PATH_MAX], both[2 * PATH_MAX + 2], cfg[PATH_MAX];
	find_ipmi_dir(ipmi_dir, sizeof(ipmi_dir));
	if (!ipmi_dir[0])
		return;
	snprintf(cfg, sizeof(cfg), "%s/telnet.json", work);
	write_text(cfg, "{\"lithops\": {\"energy_strategy\": \"auto\"}, \"ipmi_interface\": \"telnet\"}", 0644);
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	snprintf(both, sizeof(both), "%s:%s", ipmi_dir, old);
	setenv("ENERGYMON_PLUGIN_PATH", both, 1);
	const char *args[] = {"--no-files", "--config", cfg, "--", "sh", "-c", touch_cmd, NULL};
	expect_refused(args, "ipmi_interface \"telnet\" is not one of");
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
}

/* A password file that is not there is a configuration error: exit 2
 * naming the file, before the command runs (it used to exit 125, "cannot
 * run here", like a BMC that does not answer). */
static void test_missing_password_file_exits_2(void)
{
	char ipmi_dir[PATH_MAX];
	find_ipmi_dir(ipmi_dir, sizeof(ipmi_dir));
	if (!ipmi_dir[0])
		return;
	char marker[PATH_MAX], touch[PATH_MAX + 16];
	snprintf(marker, sizeof(marker), "%s/ran", work);
	snprintf(touch, sizeof(touch), "touch %s", marker);
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", ipmi_dir, 1);
	static struct cli_run r;
	const char *args[] = {"--no-files", "--plugins", "ipmi", "--set", "ipmi_host=127.0.0.1:1", "--set",
	                      "ipmi_username=admin", "--set", "ipmi_password_file=/nonexistent/energymon-pw", "--",
	                      "sh", "-c", touch, NULL};
	run_cli(&r, args);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/nonexistent/energymon-pw"));
	CU_ASSERT_NOT_EQUAL(access(marker, F_OK), 0);
	if (r.status != 2)
		fprintf(stderr, "\n    status %d, stderr: %s\n", r.status, r.err);
}

/* Item 3: a password file others can read is warned about, in the result
 * (and so on stderr), naming the file and its mode. Uses the real ipmi
 * plugin against a closed port: the password is read before connecting. */
static void test_password_file_readable_by_others_is_warned(void)
{
	char ipmi_dir[PATH_MAX];
	find_ipmi_dir(ipmi_dir, sizeof(ipmi_dir));
	if (!ipmi_dir[0])
		return;
	char pw[PATH_MAX], pw_set[PATH_MAX + 32], cache[PATH_MAX], cache_set[PATH_MAX + 32];
	snprintf(pw, sizeof(pw), "%s/bmc-password", work);
	write_text(pw, "not-the-real-one\n", 0644);
	snprintf(pw_set, sizeof(pw_set), "ipmi_password_file=%s", pw);
	snprintf(cache, sizeof(cache), "%s/sdr", work);
	mkdir(cache, 0700);
	snprintf(cache_set, sizeof(cache_set), "ipmi_sdr_cache_dir=%s", cache);
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", ipmi_dir, 1);
	static struct cli_run r;
	const char *args[] = {"--json", "--no-files", "--allow-unavailable", "--plugins", "ipmi", "--set",
	                      "ipmi_host=127.0.0.1:1", "--set", "ipmi_username=admin", "--set", pw_set, "--set",
	                      "ipmi_timeout=0.2", "--set", cache_set, "--", "true", NULL};
	run_cli(&r, args);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	CU_ASSERT_EQUAL(r.status, 0);
	json_t *res = json_loads(r.out, 0, NULL);
	if (!res)
		fprintf(stderr, "\n    status %d, stderr: %s\n", r.status, r.err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *log = json_object_get(json_object_get(json_object_get(res, "monitors"), "ipmi"), "log");
	bool warned = false;
	size_t i;
	const json_t *line;
	json_array_foreach(log, i, line) {
		const char *msg = json_string_value(json_object_get(line, "message"));
		const char *level = json_string_value(json_object_get(line, "level"));
		if (msg && level && !strcmp(level, "warning") && strstr(msg, pw) && strstr(msg, "mode 644"))
			warned = true;
	}
	CU_ASSERT(warned);
	CU_ASSERT_PTR_NULL(strstr(r.out, "not-the-real-one"));
	CU_ASSERT_PTR_NULL(strstr(r.err, "not-the-real-one"));
	json_decref(res);
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
		{"--set keys must be known and not secret", test_set_keys_must_be_known},
		{"config errors exit 2", test_config_errors_exit_2},
		{"--interval 0 and -0 refused", test_interval_zero_refused},
		{"bad --job-key/--call-id refused before running", test_bad_file_keys_refused_before_running},
		{"bad output dir refused before running", test_bad_output_dir_refused_before_running},
		{"--config naming a directory says so", test_config_directory_says_so},
		{"function_name is the command's name", test_function_name_is_the_command},
		{"invalid ipmi_interface under auto exits 2", test_invalid_ipmi_interface_under_auto},
		{"password file readable by others is warned", test_password_file_readable_by_others_is_warned},
		{"a missing password file exits 2 before the command", test_missing_password_file_exits_2},
		CU_TEST_INFO_NULL,
	};
	int rc = run_suite("cli-config", tests);
	cli_remove_work_dir();
	return rc;
}
