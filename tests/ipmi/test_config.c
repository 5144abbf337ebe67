/*
 * test_config.c — the ipmi plugin's configuration: declared keys, refused
 * values named in the error, password sources, and the in-band path on a
 * machine without an IPMI device. No BMC needed.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_harness.h"

static int load(struct harness *h)
{
	int rc = harness_load(h, "ipmi");
	if (rc)
		fprintf(stderr, "harness_load: %s\n", h->error);
	return rc;
}

/* Probe with one remote-looking base config plus key=value; returns probe's rc. */
static int probe_with(struct harness *h, const char *key, const char *value)
{
	if (load(h))
		return -999;
	harness_set(h, "ipmi_host", "127.0.0.1:1");
	harness_set(h, "ipmi_username", "admin");
	if (key)
		harness_set(h, key, value);
	return harness_probe(h);
}

static void test_keys_declared(void)
{
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(load(&h), 0);
	static const char *const expected[] = {
		"ipmi_host", "ipmi_username", "ipmi_password", "ipmi_password_file", "ipmi_password_env",
		"ipmi_interface", "ipmi_cipher_suite", "ipmi_privilege", "ipmi_workarounds", "ipmi_use_sudo",
		"ipmi_power_source", "ipmi_power_sensors", "ipmi_sensors", "ipmi_sensor_interval",
		"ipmi_sdr_cache_dir", "ipmi_timeout", "ipmi_session_refresh", "ipmi_power_reading",
		"ipmi_max_power_w"};
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct energy_config_key *k = h.plugin->config_keys;
		while (k->name && strcmp(k->name, expected[i]) != 0)
			k++;
		CU_ASSERT_PTR_NOT_NULL(k->name);
		if (!k->name) {
			printf("\n  missing key %s\n", expected[i]);
			continue;
		}
		CU_ASSERT(k->help && k->help[0]);
		CU_ASSERT(k->default_doc && k->default_doc[0]);
		CU_ASSERT_EQUAL(k->secret, strcmp(k->name, "ipmi_password") == 0);
	}
	CU_ASSERT_STRING_EQUAL(h.plugin->name, "ipmi");
	harness_close(&h);
}

static void expect_refused(const char *key, const char *value, int want_rc, const char *want_in_error)
{
	struct harness h;
	int rc = probe_with(&h, key, value);
	CU_ASSERT_EQUAL(rc, want_rc);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, want_in_error));
	if (rc != want_rc || !strstr(h.error, want_in_error))
		printf("\n  %s=%s: rc %d, error \"%s\"\n", key, value, rc, h.error);
	harness_close(&h);
}

static void test_bad_values_named(void)
{
	expect_refused("ipmi_interface", "serial", -EINVAL, "ipmi_interface");
	expect_refused("ipmi_privilege", "root", -EINVAL, "ipmi_privilege");
	expect_refused("ipmi_power_source", "rapl", -EINVAL, "ipmi_power_source");
	expect_refused("ipmi_workarounds", "nosuchflag", -EINVAL, "nosuchflag");
	expect_refused("ipmi_cipher_suite", "42", -EINVAL, "ipmi_cipher_suite");
	expect_refused("ipmi_timeout", "0", -EINVAL, "ipmi_timeout");
	expect_refused("ipmi_sensor_interval", "-1", -EINVAL, "ipmi_sensor_interval");
	expect_refused("ipmi_session_refresh", "0", -EINVAL, "ipmi_session_refresh");
	expect_refused("ipmi_power_reading", "peak", -EINVAL, "ipmi_power_reading");
	expect_refused("ipmi_power_reading", "", -EINVAL, "ipmi_power_reading");
	expect_refused("ipmi_max_power_w", "0", -EINVAL, "ipmi_max_power_w");
	expect_refused("ipmi_max_power_w", "-250", -EINVAL, "ipmi_max_power_w");
}

/* config_get() follows the host's convention (0, -ENOENT for "not set",
 * -errno): a key the host cannot hand over fails with that error, naming
 * the key, instead of being taken for unset and silently defaulted. */
static void test_unreadable_key_is_an_error_not_the_default(void)
{
	static const char *const keys[] = {"ipmi_host", "ipmi_interface", "ipmi_privilege", "ipmi_workarounds",
					   "ipmi_power_source", "ipmi_power_sensors", "ipmi_cipher_suite",
					   "ipmi_timeout", "ipmi_sensors", "ipmi_use_sudo", "ipmi_sdr_cache_dir",
					   "ipmi_password_file", "ipmi_power_reading", "ipmi_max_power_w"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct harness h;
		CU_ASSERT_EQUAL_FATAL(load(&h), 0);
		harness_set(&h, "ipmi_host", "127.0.0.1:1");
		harness_set(&h, "ipmi_username", "admin");
		harness_fail_key(&h, keys[i], -ENOMEM);
		int rc = harness_probe(&h);
		CU_ASSERT_EQUAL(rc, -ENOMEM);
		CU_ASSERT_PTR_NOT_NULL(strstr(h.error, keys[i]));
		if (rc != -ENOMEM || !strstr(h.error, keys[i]))
			printf("\n  %s unreadable: rc %d, error \"%s\"\n", keys[i], rc, h.error);
		harness_close(&h);
	}
}

static void test_good_values_accepted(void)
{
	struct harness h;
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_workarounds", "opensesspriv,intel20"), 0);
	harness_close(&h);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_interface", "lan"), 0);
	harness_close(&h);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_use_sudo", "true"), 0);
	harness_close(&h);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_power_reading", "average"), 0);
	harness_close(&h);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_power_reading", "Instantaneous"), 0);
	harness_close(&h);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_max_power_w", "750"), 0);
	harness_close(&h);
}

static void test_password_sources(void)
{
	struct harness h;
	/* two sources at once: which one wins would be a guess */
	CU_ASSERT_EQUAL(load(&h), 0);
	harness_set(&h, "ipmi_host", "127.0.0.1:1");
	harness_set(&h, "ipmi_username", "admin");
	harness_set(&h, "ipmi_password", "Hunter2x");
	harness_set(&h, "ipmi_password_env", "SOME_VAR");
	CU_ASSERT_EQUAL(harness_probe(&h), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "only one"));
	CU_ASSERT_PTR_NULL(strstr(h.error, "Hunter2x"));
	harness_close(&h);

	unsetenv("ENERGYMON_TEST_NO_SUCH_VAR");
	/* a missing file or variable is a configuration error (-EINVAL: the CLI
	 * exits 2 before running anything), not "cannot run here" (exit 125) */
	expect_refused("ipmi_password_env", "ENERGYMON_TEST_NO_SUCH_VAR", -EINVAL, "ENERGYMON_TEST_NO_SUCH_VAR");
	expect_refused("ipmi_password_file", "/nonexistent/energymon/pw", -EINVAL, "/nonexistent/energymon/pw");

	char path[] = "/tmp/energymon-ipmi-pw-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	const char *too_long = "Abcdefghijklmnopqrstuvwxyz0123\n"; /* over IPMI 2.0's 20 bytes */
	CU_ASSERT(write(fd, too_long, strlen(too_long)) == (ssize_t)strlen(too_long));
	close(fd);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_password_file", path), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, path));
	CU_ASSERT_PTR_NULL(strstr(h.error, "Abcdefgh"));
	CU_ASSERT_PTR_NULL(strstr(h.log, "Abcdefgh"));
	harness_close(&h);
	unlink(path);

	/* an empty file is refused, not sent as an empty password */
	char empty[] = "/tmp/energymon-ipmi-pw-XXXXXX";
	int efd = mkstemp(empty);
	CU_ASSERT_FATAL(efd >= 0);
	CU_ASSERT(write(efd, "\n", 1) == 1);
	close(efd);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_password_file", empty), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "is empty"));
	harness_close(&h);
	unlink(empty);

	/* a FIFO planted as the file is refused at once, never waited on
	 * (alarm: a hang fails the program instead of hanging CI) */
	char fifo_dir[] = "/tmp/energymon-ipmi-fifo-XXXXXX", fifo[PATH_MAX];
	CU_ASSERT_FATAL(mkdtemp(fifo_dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/pw", fifo_dir);
	CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
	alarm(20);
	CU_ASSERT_EQUAL(probe_with(&h, "ipmi_password_file", fifo), -EINVAL);
	alarm(0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "not a regular file"));
	harness_close(&h);
	unlink(fifo);
	rmdir(fifo_dir);
}

static void test_inband_without_device(void)
{
	struct stat st;
	if (stat("/dev/ipmi0", &st) == 0 || stat("/dev/ipmi/0", &st) == 0 || stat("/dev/ipmidev/0", &st) == 0) {
		printf("\n  this machine has an IPMI device; the no-device case cannot be shown here\n");
		return;
	}
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(load(&h), 0);
	/* The seed's defaults: localhost, no user, lanplus, sudo. */
	harness_set(&h, "ipmi_use_sudo", "true");
	CU_ASSERT_EQUAL(harness_probe(&h), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "/dev/ipmi0"));
	CU_ASSERT_EQUAL(harness_create(&h), -ENODEV);
	CU_ASSERT_PTR_NULL(h.instance);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "/dev/ipmi0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.log, "ipmi_use_sudo"));
	harness_close(&h);
}

static void test_inband_with_remote_host_refused(void)
{
	expect_refused("ipmi_interface", "openipmi", -EINVAL, "ipmi_host");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"every key declared, typed, documented", test_keys_declared},
		{"bad values refused, naming the key", test_bad_values_named},
		{"an unreadable key is an error, not the default", test_unreadable_key_is_an_error_not_the_default},
		{"good values accepted", test_good_values_accepted},
		{"password sources", test_password_sources},
		{"in-band without /dev/ipmi0", test_inband_without_device},
		{"in-band with a remote host refused", test_inband_with_remote_host_refused},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi config", NULL, NULL, tests);
}
