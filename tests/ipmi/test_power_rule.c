/*
 * test_power_rule.c — which SDR Watts sensors make up the server's power
 * when there is no DCMI, on sensor lists of real-world shapes that the
 * simulated BMC does not have, and the error when none qualifies. No BMC:
 * choosing sensors reads only the catalog.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bmc_session.h"
#include "power_source.h"
#include "sdr_catalog.h"

static struct sdr_sensor sensors[16];

static struct sdr_catalog catalog_of(const char *const *names, const unsigned *quantities, size_t n)
{
	struct sdr_catalog cat = {.sensors = sensors, .n = n};
	memset(sensors, 0, sizeof(sensors));
	for (size_t i = 0; i < n; i++) {
		snprintf(sensors[i].name, sizeof(sensors[i].name), "%s", names[i]);
		sensors[i].quantity = quantities[i];
	}
	return cat;
}

/* Select with the default rule; return rc and the description or the error. */
static int select_default(const struct sdr_catalog *cat, char *text, size_t len)
{
	struct ipmi_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.power = IPMI_POWER_SDR;
	struct power_source ps;
	memset(&ps, 0, sizeof(ps));
	int rc = power_source_select_sensors(&ps, &cfg, cat, "bmc.example:623 via lanplus", text, len);
	if (rc == 0) {
		size_t used = (size_t)snprintf(text, len, "%zu:", ps.nsensors);
		for (size_t i = 0; i < ps.nsensors; i++)
			used += (size_t)snprintf(text + used, len - used, "[%s]", ps.sensors[i]->name);
	}
	return rc;
}

#define W ENERGY_Q_POWER_W
#define T ENERGY_Q_TEMPERATURE_C

static void test_psu_inputs_summed(void)
{
	const char *names[] = {"CPU Temp", "PSU1 Input Power", "PSU2 Input Power", "PSU1 Output Power"};
	const unsigned q[] = {T, W, W, W};
	struct sdr_catalog cat = catalog_of(names, q, 4);
	char text[512];
	CU_ASSERT_EQUAL(select_default(&cat, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "2:[PSU1 Input Power][PSU2 Input Power]");
}

static void test_other_vendor_names(void)
{
	const char *names[] = {"PS1 Pin", "PS 2 Input", "Power Supply 3", "PS1 Pout", "CPU Power"};
	const unsigned q[] = {W, W, W, W, W};
	struct sdr_catalog cat = catalog_of(names, q, 5);
	char text[512];
	CU_ASSERT_EQUAL(select_default(&cat, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "3:[PS1 Pin][PS 2 Input][Power Supply 3]");
}

static void test_single_system_sensor(void)
{
	const char *names[] = {"Pwr Consumption", "Inlet Temp"};
	const unsigned q[] = {W, T};
	struct sdr_catalog cat = catalog_of(names, q, 2);
	char text[512];
	CU_ASSERT_EQUAL(select_default(&cat, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "1:[Pwr Consumption]");
}

static void test_ambiguous_sensors_refused(void)
{
	const char *names[] = {"CPU Power", "GPU Power"};
	const unsigned q[] = {W, W};
	struct sdr_catalog cat = catalog_of(names, q, 2);
	char text[512];
	CU_ASSERT_EQUAL(select_default(&cat, text, sizeof(text)), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"CPU Power\", \"GPU Power\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "ipmi_power_sensors"));
}

/* Neither DCMI (not asked: source sdr) nor any Watts sensor: the error says both. */
static void test_no_power_reading_available(void)
{
	const char *names[] = {"CPU Temp", "System Temp"};
	const unsigned q[] = {T, T};
	struct sdr_catalog cat = catalog_of(names, q, 2);
	struct ipmi_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.power = IPMI_POWER_SDR;
	struct bmc_session s;
	memset(&s, 0, sizeof(s));
	s.cfg = &cfg;
	snprintf(s.target, sizeof(s.target), "bmc.example:623 via lanplus");
	struct power_source ps;
	char why[ENERGY_REASON_MAX];
	CU_ASSERT_EQUAL(power_source_choose(&ps, &s, &cfg, &cat, NULL, why, sizeof(why)), -ENODEV);
	printf("\n  %s\n", why);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "bmc.example:623"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no power reading available"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "Watts sensors: none"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"PSU input sensors summed, output excluded", test_psu_inputs_summed},
		{"PSn / Power Supply names", test_other_vendor_names},
		{"one Watts sensor is the system's", test_single_system_sensor},
		{"several non-PSU Watts sensors refused", test_ambiguous_sensors_refused},
		{"no DCMI and no Watts sensor", test_no_power_reading_available},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi power sensor rule", NULL, NULL, tests);
}
