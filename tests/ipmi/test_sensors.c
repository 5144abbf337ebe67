/*
 * test_sensors.c — temperature, voltage, current and fan readings: the names,
 * values and units the simulated BMC was set to, read at their own interval.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipmi_fixture.h"

struct expected_sensor {
	const char *name;
	unsigned quantity;
	double value; /* representable exactly at the sensor's resolution */
};

/* Values away from the defaults, so a stale or default reading shows. */
static const struct expected_sensor expected[] = {
	{"CPU Temp", ENERGY_Q_TEMPERATURE_C, 61.5},
	{"System Temp", ENERGY_Q_TEMPERATURE_C, 27.0},
	{"CPU Vcore", ENERGY_Q_VOLTAGE_V, 1.05},
	{"12V Rail", ENERGY_Q_VOLTAGE_V, 11.94},
	{"PSU1 Current", ENERGY_Q_CURRENT_A, 7.3},
	{"Fan 1 Speed", ENERGY_Q_FAN_RPM, 4250},
	{"Fan 2 Speed", ENERGY_Q_FAN_RPM, 1800},
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

/* The shortest time between two consecutive readings of `sensor`, s. */
static double closest_readings_s(const struct harness *h, const char *sensor)
{
	double closest = INFINITY, prev = NAN;
	for (size_t i = 0; i < h->nreadings; i++) {
		if (strcmp(h->readings[i].sensor, sensor) != 0)
			continue;
		double t = (double)h->readings[i].mono_ns / 1e9;
		if (!isnan(prev) && t - prev < closest)
			closest = t - prev;
		prev = t;
	}
	return closest;
}

static void test_sensor_names_values_units(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	for (size_t i = 0; i < NEXPECTED; i++)
		CU_ASSERT_EQUAL(simbmc_set_sensor(&bmc, expected[i].name, expected[i].value), 0);

	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.05), 0);
	harness_set(&h, "ipmi_sensor_interval", "0.25");
	int rc = harness_create(&h);
	if (rc)
		fprintf(stderr, "create: %s\n", h.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	h.plugin->start(h.instance);
	/* ipmi_sim polls the sensor files every 100 ms: sample until the last
	 * sensor set reads its new value, then two more sweeps of the sensors. */
	size_t failed = 0;
	const struct expected_sensor *last = &expected[NEXPECTED - 1];
	CU_ASSERT_EQUAL(ipmi_fixture_sample_until(&h, last->name, 0, last->value, 1e-6 * last->value, 200, 0.05,
	                                          &failed), 0);
	CU_ASSERT_EQUAL(failed, 0);
	size_t sweeps_before = harness_count(&h, last->name, 0);
	for (int tick = 0; tick < 200 && harness_count(&h, last->name, 0) < sweeps_before + 2; tick++)
		failed += ipmi_fixture_sample_loop(&h, 1, 0.05);
	CU_ASSERT_EQUAL(failed, 0);
	size_t power_samples = harness_count(&h, "dcmi", ENERGY_Q_POWER_W);
	double first_unix, last_unix;
	ipmi_fixture_trapezoid_j(&h, "dcmi", &first_unix, &last_unix, NULL);
	double span_s = last_unix - first_unix; /* from the first sample to the last */
	h.plugin->stop(h.instance);
	h.plugin->get_data(h.instance);

	for (size_t i = 0; i < NEXPECTED; i++) {
		const struct energy_reading *r = harness_last(&h, expected[i].name, 0);
		CU_ASSERT_PTR_NOT_NULL(r);
		if (!r) {
			printf("\n  no reading for \"%s\"\n", expected[i].name);
			continue;
		}
		CU_ASSERT_EQUAL(r->quantity, expected[i].quantity);
		CU_ASSERT_EQUAL(r->scope, ENERGY_SCOPE_SENSOR);
		CU_ASSERT(fabs(r->value - expected[i].value) < 1e-6 * fmax(1, expected[i].value));
		if (fabs(r->value - expected[i].value) >= 1e-6 * fmax(1, expected[i].value))
			printf("\n  %s: %g, expected %g\n", r->sensor, r->value, expected[i].value);
		CU_ASSERT(r->mono_ns > 0 && r->wall_ns > 0);
		/* At their own interval (0.25 s), not once per 0.05 s sample: at
		 * most one sweep per 0.25 s of the run (plus the first; 0.05 s for
		 * the time start() took to reach the first sample). Counted
		 * rather than spaced: sweeps keep their schedule, so a sweep that
		 * load delayed is followed by one less than 0.25 s later. */
		size_t count = harness_count(&h, expected[i].name, 0);
		CU_ASSERT(count >= 2);
		CU_ASSERT(count <= (size_t)floor((span_s + 0.05) / 0.25) + 1);
		if (count > (size_t)floor((span_s + 0.05) / 0.25) + 1)
			printf("\n  %s: %zu readings in %.2f s (closest %.3f s apart)\n", expected[i].name, count,
			       span_s, closest_readings_s(&h, expected[i].name));
	}
	/* The Watts sensors are power, not environmental readings, and with DCMI
	 * present they are not the power source either. */
	CU_ASSERT_EQUAL(harness_count(&h, "PSU1 Input Power", 0), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", ENERGY_Q_POWER_W), power_samples);
	CU_ASSERT(power_samples > harness_count(&h, last->name, 0));
	CU_ASSERT_PTR_NOT_NULL(harness_note(&h, "sensor_readings"));
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

static void test_sensors_can_be_switched_off(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.05), 0);
	harness_set(&h, "ipmi_sensors", "false");
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	h.plugin->start(h.instance);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 5, 0.05), 0);
	CU_ASSERT_EQUAL(harness_count(&h, NULL, 0), 5);
	CU_ASSERT_EQUAL(harness_count(&h, "dcmi", ENERGY_Q_POWER_W), 5);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"sensor names, values and units as the BMC set them", test_sensor_names_values_units},
		{"ipmi_sensors=false reads power only", test_sensors_can_be_switched_off},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi sensors", NULL, NULL, tests);
}
