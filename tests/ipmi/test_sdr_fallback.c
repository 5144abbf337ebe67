/*
 * test_sdr_fallback.c — a BMC without DCMI: power comes from the PSU input
 * Watts sensors of the SDR, summed, and the result says so.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipmi_fixture.h"

static int start_without_dcmi(struct simbmc *bmc)
{
	struct simbmc_options opts = {.no_dcmi = 1};
	if (ipmi_fixture_start_bmc(bmc, &opts))
		return -1;
	CU_ASSERT_EQUAL(simbmc_set_sensor(bmc, "PSU1 Input Power", 150), 0);
	CU_ASSERT_EQUAL(simbmc_set_sensor(bmc, "PSU2 Input Power", 132), 0);
	return 0;
}

static void test_sum_of_psu_input_sensors(void)
{
	struct simbmc bmc;
	if (start_without_dcmi(&bmc))
		return;
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.1), 0);
	int rc = harness_create(&h);
	if (rc)
		fprintf(stderr, "create: %s\n", h.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	const struct harness_note *source = harness_note(&h, "power_source");
	CU_ASSERT_PTR_NOT_NULL_FATAL(source);
	CU_ASSERT_STRING_EQUAL(source->text, "sdr:PSU1 Input Power+PSU2 Input Power");
	h.plugin->start(h.instance);
	/* until ipmi_sim has polled the sensor files it was given (every 100 ms) */
	size_t failed = 0;
	CU_ASSERT_EQUAL(ipmi_fixture_sample_until(&h, "sdr", ENERGY_Q_POWER_W, 282.0, 1e-9, 100, 0.1, &failed), 0);
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 5, 0.1), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", 0), 0);
	const struct energy_reading *r = harness_last(&h, "sdr", ENERGY_Q_POWER_W);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_DOUBLE_EQUAL(r->value, 282.0, 1e-9);
	CU_ASSERT_EQUAL(r->scope, ENERGY_SCOPE_SYSTEM);

	/* The BMC's number changes: so does the reading. */
	CU_ASSERT_EQUAL(simbmc_set_sensor(&bmc, "PSU2 Input Power", 200), 0);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_until(&h, "sdr", ENERGY_Q_POWER_W, 350.0, 1e-9, 100, 0.1, &failed), 0);
	CU_ASSERT_EQUAL(failed, 0);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

static void test_named_sensor_and_forced_dcmi(void)
{
	struct simbmc bmc;
	if (start_without_dcmi(&bmc))
		return;
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.1), 0);
	harness_set(&h, "ipmi_power_sensors", "PSU2 Input Power");
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_STRING_EQUAL(harness_note(&h, "power_source")->text, "sdr:PSU2 Input Power");
	h.plugin->start(h.instance);
	size_t failed = 0;
	CU_ASSERT_EQUAL(ipmi_fixture_sample_until(&h, "sdr", ENERGY_Q_POWER_W, 132.0, 1e-9, 100, 0.1, &failed), 0);
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_DOUBLE_EQUAL(harness_last(&h, "sdr", ENERGY_Q_POWER_W)->value, 132.0, 1e-9);
	harness_close(&h);

	/* A sensor that does not exist: an error naming it and the ones that do. */
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.1), 0);
	harness_set(&h, "ipmi_power_sensors", "PSU9 Input Power");
	CU_ASSERT_EQUAL(harness_create(&h), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "PSU9 Input Power"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "PSU1 Input Power"));
	harness_close(&h);

	/* DCMI demanded from a BMC without it: no silent fallback. */
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.1), 0);
	harness_set(&h, "ipmi_power_source", "dcmi");
	CU_ASSERT_EQUAL(harness_create(&h), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "DCMI"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, bmc.host));
	CU_ASSERT_PTR_NULL(h.instance);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"no DCMI: sum of PSU input Watts sensors", test_sum_of_psu_input_sensors},
		{"named power sensor; forced DCMI refused", test_named_sensor_and_forced_dcmi},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi sdr fallback", NULL, NULL, tests);
}
