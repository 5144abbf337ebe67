/*
 * test_sessions.c — the kinds of session (IPMI 1.5 lan, 2.0 lanplus, auto)
 * and the SDR cache: reused for the same BMC, rebuilt when a different BMC
 * answers on the same host:port.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipmi_fixture.h"

static void expect_session(const struct simbmc *bmc, const char *interface, const char *via)
{
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, bmc, 0.1), 0);
	harness_set(&h, "ipmi_interface", interface);
	harness_set(&h, "ipmi_sensors", "false");
	int rc = harness_create(&h);
	if (rc)
		printf("\n  %s: %s", interface, h.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	char want[96];
	snprintf(want, sizeof(want), "%s via %s", bmc->host, via);
	CU_ASSERT_STRING_EQUAL(harness_note(&h, "bmc")->text, want);
	h.plugin->start(h.instance);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 3, 0.1), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", ENERGY_Q_POWER_W), 3);
	harness_close(&h);
}

static void test_lan_lanplus_auto(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	expect_session(&bmc, "lan", "lan");
	expect_session(&bmc, "lanplus", "lanplus");
	expect_session(&bmc, "auto", "lanplus");
	simbmc_cleanup(&bmc);
}

/* The two other password sources open the same session as the file does. */
static void test_password_from_env_and_config(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	setenv("ENERGYMON_TEST_BMC_PASSWORD", bmc.password, 1);
	for (int inline_pw = 0; inline_pw <= 1; inline_pw++) {
		struct harness h;
		CU_ASSERT_EQUAL_FATAL(harness_load(&h, "ipmi"), 0);
		harness_set(&h, "ipmi_host", bmc.host);
		harness_set(&h, "ipmi_username", bmc.user);
		if (inline_pw)
			harness_set(&h, "ipmi_password", bmc.password);
		else
			harness_set(&h, "ipmi_password_env", "ENERGYMON_TEST_BMC_PASSWORD");
		harness_set(&h, "ipmi_workarounds", "opensesspriv");
		harness_set(&h, "ipmi_sensors", "false");
		int rc = harness_create(&h);
		if (rc)
			printf("\n  %s: %s", inline_pw ? "ipmi_password" : "ipmi_password_env", h.error);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc == 0) {
			h.plugin->start(h.instance);
			CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 1, 0.1), 0);
		}
		harness_close(&h);
	}
	unsetenv("ENERGYMON_TEST_BMC_PASSWORD");
	simbmc_cleanup(&bmc);
}

/* Create with a shared cache directory; 1 if the SDR came from the cache. */
static int create_reports_cache(const struct simbmc *bmc, const char *cache_dir)
{
	struct harness h;
	if (harness_load(&h, "ipmi") != 0)
		return -1;
	harness_set(&h, "ipmi_host", bmc->host);
	harness_set(&h, "ipmi_username", bmc->user);
	harness_set(&h, "ipmi_password_file", bmc->password_file);
	harness_set(&h, "ipmi_workarounds", "opensesspriv");
	harness_set(&h, "ipmi_sdr_cache_dir", cache_dir);
	int rc = harness_create(&h);
	CU_ASSERT_EQUAL(rc, 0);
	int from_cache = strstr(h.log, "from cache") != NULL;
	CU_ASSERT(from_cache || strstr(h.log, "read from the BMC") != NULL);
	harness_close(&h);
	return rc ? -1 : from_cache;
}

static void test_sdr_cache_reused_then_rebuilt(void)
{
	struct simbmc first, second;
	if (ipmi_fixture_start_bmc(&first, NULL))
		return;
	char cache[sizeof(first.dir) + 16];
	snprintf(cache, sizeof(cache), "%s-sdr", first.dir); /* outlives the first BMC's directory */
	CU_ASSERT_EQUAL(create_reports_cache(&first, cache), 0);
	CU_ASSERT_EQUAL(create_reports_cache(&first, cache), 1);
	int port = first.port;
	simbmc_cleanup(&first);

	/* Another BMC on the same port: its SDR repository was made later, so
	 * its timestamps differ and the cache must not be trusted. (ipmi_sim
	 * stamps in whole seconds: wait for the next one to begin.) */
	time_t first_made_by = time(NULL);
	while (time(NULL) == first_made_by) {
		struct timespec tick = {0, 10000000};
		nanosleep(&tick, NULL);
	}
	struct simbmc_options opts = {.port = port};
	if (ipmi_fixture_start_bmc(&second, &opts) == 0) {
		CU_ASSERT_EQUAL(create_reports_cache(&second, cache), 0);
		CU_ASSERT_EQUAL(create_reports_cache(&second, cache), 1);
		simbmc_cleanup(&second);
	}
	char file[sizeof(cache) + 64];
	snprintf(file, sizeof(file), "%s/127.0.0.1_%d.sdr", cache, port);
	unlink(file);
	rmdir(cache);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"lan, lanplus and auto sessions", test_lan_lanplus_auto},
		{"password from the environment or the configuration", test_password_from_env_and_config},
		{"SDR cache reused, rebuilt for another BMC on the same port", test_sdr_cache_reused_then_rebuilt},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi sessions", NULL, NULL, tests);
}
