/*
 * The simulated BMC's SDR sensors, read through libipmimonitoring: names,
 * units and values as documented in simbmc/README.md.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"
#include <ipmi_monitoring.h>

#include "check.h"
#include "sensor_reader.h"
#include "simbmc_client.h"

struct expected {
	const char *name;
	int units;
	double def;        /* default value */
	double set;        /* a value the test sets */
	double resolution; /* one raw step */
};

static const struct expected sensors[] = {
	{ "CPU Temp", IPMI_MONITORING_SENSOR_UNITS_CELSIUS, 45, 71.5, 0.5 },
	{ "System Temp", IPMI_MONITORING_SENSOR_UNITS_CELSIUS, 30, 33.3, 0.5 },
	{ "CPU Vcore", IPMI_MONITORING_SENSOR_UNITS_VOLTS, 1.2, 0.87, 0.01 },
	{ "12V Rail", IPMI_MONITORING_SENSOR_UNITS_VOLTS, 12.0, 11.5, 0.06 },
	{ "PSU1 Current", IPMI_MONITORING_SENSOR_UNITS_AMPS, 5.0, 12.3, 0.1 },
	{ "Fan 1 Speed", IPMI_MONITORING_SENSOR_UNITS_RPM, 3000, 4550, 50 },
	{ "Fan 2 Speed", IPMI_MONITORING_SENSOR_UNITS_RPM, 3100, 800, 50 },
	{ "PSU1 Input Power", IPMI_MONITORING_SENSOR_UNITS_WATTS, 100, 150.5, 2 },
	{ "PSU2 Input Power", IPMI_MONITORING_SENSOR_UNITS_WATTS, 120, 333, 2 },
};
#define NSENSORS (sizeof(sensors) / sizeof(sensors[0]))

static void check_all(struct sensor_reader *r, struct simbmc *b, int use_set)
{
	for (size_t i = 0; i < NSENSORS; i++) {
		const struct expected *e = &sensors[i];
		double want = use_set ? e->set : e->def;
		/* Quantised to the nearest raw step: within half a step. */
		double got = sensor_reader_wait_for(r, b->host, SIMBMC_VIEWER_USER,
						    b->password, e->name, want,
						    e->resolution / 2 + 1e-9);
		const struct sensor_value *v = sensor_reader_find(r, e->name);

		if (!v)
			fprintf(stderr, "sensor \"%s\" not found (%s)\n", e->name, r->error);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CHECK_INT(v->units, ==, e->units);
		CHECK_NEAR(got, want, e->resolution / 2 + 1e-9);
	}
}

static void test_defaults_names_units(void)
{
	struct simbmc b;
	struct sensor_reader r;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	CHECK_OK(sensor_reader_open(&r), r.error);
	check_all(&r, &b, 0);
	CHECK_INT(r.n, ==, NSENSORS);
	sensor_reader_close(&r);
	simbmc_cleanup(&b);
}

static void test_set_values_read_back(void)
{
	struct simbmc b;
	struct sensor_reader r;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	CHECK_OK(sensor_reader_open(&r), r.error);
	for (size_t i = 0; i < NSENSORS; i++)
		CHECK_OK(simbmc_set_sensor(&b, sensors[i].name, sensors[i].set), b.error);
	check_all(&r, &b, 1);

	/* Values survive a restart of the BMC (the plugin test kills it). */
	CHECK_OK(simbmc_kill(&b), b.error);
	CHECK_OK(simbmc_restart(&b), b.error);
	check_all(&r, &b, 1);
	sensor_reader_close(&r);
	simbmc_cleanup(&b);
}

static void test_psu_watts_without_dcmi(void)
{
	struct simbmc_options o = { .no_dcmi = 1 };
	struct simbmc b;
	struct sensor_reader r;

	CHECK_OK(simbmc_start(&b, &o), b.error);
	CHECK_OK(sensor_reader_open(&r), r.error);
	CHECK_OK(simbmc_set_sensor(&b, "PSU1 Input Power", 210), b.error);
	CHECK_NEAR(sensor_reader_wait_for(&r, b.host, b.user, b.password,
					  "PSU1 Input Power", 210, 1), 210, 1);
	CHECK_NEAR(sensor_reader_wait_for(&r, b.host, b.user, b.password,
					  "PSU2 Input Power", 120, 1), 120, 1);
	sensor_reader_close(&r);
	simbmc_cleanup(&b);
}

static void test_bad_values_are_refused(void)
{
	struct simbmc b;

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	CHECK_INT(simbmc_set_sensor(&b, "PSU1 Input Power", 600), ==, -ERANGE);
	CHECK_INT(simbmc_set_sensor(&b, "CPU Temp", -1), ==, -ERANGE);
	CHECK_INT(simbmc_set_sensor(&b, "No Such Sensor", 1), ==, -ENOENT);
	CHECK_INT(simbmc_set_sensor(&b, "CPU Temp", NAN), ==, -ERANGE);
	simbmc_cleanup(&b);
}

int main(void)
{
	require_simbmc();
	CU_TestInfo tests[] = {
		{"defaults, names and units", test_defaults_names_units},
		{"set values read back", test_set_values_read_back},
		{"PSU watts without DCMI", test_psu_watts_without_dcmi},
		{"bad values are refused", test_bad_values_are_refused},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("simbmc_sensors", NULL, NULL, tests);
}
