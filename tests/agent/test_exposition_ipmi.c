/* The Prometheus page of the real ipmi plugin against the simulated BMC
 * (180 W by DCMI, the SDR sensors of simbmc/sensors.tsv): ipmi_exporter's
 * names carry the same readings as energymon's own families. Skips (77)
 * where the BMC cannot run. */
#include "../../agent/exposition.h"
#include "../integration/integration_fixture.h"

#include <math.h>
#include <stdbool.h>

static struct simbmc bmc;
static char sdr_dir[128];

static struct em_monitor *start_monitor(void)
{
	double t[] = {now_unix() - 1, now_unix() + 3600}, w[] = {180, 180};
	CU_ASSERT_EQUAL(simbmc_write_profile(&bmc, t, w, 2), 0);
	char text[2048];
	snprintf(text, sizeof(text),
	         "{\"lithops\": {\"energy_strategy\": [\"ipmi:rack1\"]}, \"energy_sampling_interval\": 0.1,"
	         " \"ipmi:rack1\": {\"ipmi_host\": \"%s\", \"ipmi_username\": \"%s\", \"ipmi_password_file\": \"%s\","
	         " \"ipmi_workarounds\": [\"opensesspriv\"], \"ipmi_sdr_cache_dir\": \"%s\","
	         " \"ipmi_sensor_interval\": 0.2}}",
	         bmc.host, bmc.user, bmc.password_file, sdr_dir);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	if (em_config_load_string(text, &cfg, &err) || em_monitor_create_continuous(cfg, &mon, &err) ||
	    em_monitor_start(mon, &err)) {
		fprintf(stderr, "\n    %s\n", err.message);
		em_monitor_destroy(mon);
		mon = NULL;
	}
	em_config_free(cfg);
	return mon;
}

static double line_value(const char *page, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *l = page; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, n) && l[n] == ' ')
			return strtod(l + n + 1, NULL);
	return NAN;
}

#define RACK1 "source=\"ipmi:rack1\",plugin=\"ipmi\",instance=\"rack1\""

static void test_exporter_names(void)
{
	struct em_monitor *mon = start_monitor();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	char *page = NULL;
	for (int i = 0; i < 3000; i++) {
		size_t len = 0;
		free(page);
		page = expo_render(mon, EXPO_TEXT_004, NULL, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(page);
		if (!isnan(line_value(page, "ipmi_fan_speed_rpm{name=\"Fan 1 Speed\"," RACK1 "}")) &&
		    !isnan(line_value(page, "ipmi_dcmi_power_consumption_watts{" RACK1 "}")))
			break;
		sleep_s(0.01);
	}
	CU_ASSERT_EQUAL(line_value(page, "ipmi_dcmi_power_consumption_watts{" RACK1 "}"), 180);
	CU_ASSERT_EQUAL(line_value(page, "energymon_power_watts{" RACK1
	                                 ",metric=\"system\",scope=\"system\",index=\"0\",sensor=\"dcmi\"}"),
	                180);
	CU_ASSERT_DOUBLE_EQUAL(line_value(page, "ipmi_temperature_celsius{name=\"CPU Temp\"," RACK1 "}"), 45, 0.5);
	CU_ASSERT_DOUBLE_EQUAL(line_value(page, "ipmi_fan_speed_rpm{name=\"Fan 1 Speed\"," RACK1 "}"), 3000, 50);
	CU_ASSERT_DOUBLE_EQUAL(line_value(page, "ipmi_voltage_volts{name=\"12V Rail\"," RACK1 "}"), 12.0, 0.06);
	CU_ASSERT_EQUAL(line_value(page, "ipmi_up{collector=\"dcmi\"," RACK1 "}"), 1);
	CU_ASSERT_EQUAL(line_value(page, "ipmi_up{collector=\"ipmi\"," RACK1 "}"), 1);
	CU_ASSERT_EQUAL(line_value(page, "energymon_up{" RACK1 "}"), 1);
	/* the same reading under both names */
	CU_ASSERT_EQUAL(line_value(page, "ipmi_temperature_celsius{name=\"CPU Temp\"," RACK1 "}"),
	                line_value(page, "energymon_temperature_celsius{" RACK1
	                                 ",metric=\"temperature\",scope=\"sensor\",index=\"0\",sensor=\"CPU Temp\"}"));
	free(page);

	/* the BMC dies: up 0 on both names, no stale power reading */
	CU_ASSERT_EQUAL_FATAL(simbmc_stop(&bmc), 0);
	page = NULL;
	for (int i = 0; i < 3000; i++) {
		size_t len = 0;
		free(page);
		page = expo_render(mon, EXPO_TEXT_004, NULL, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(page);
		if (line_value(page, "energymon_up{" RACK1 "}") == 0)
			break;
		sleep_s(0.01);
	}
	CU_ASSERT_EQUAL(line_value(page, "energymon_up{" RACK1 "}"), 0);
	CU_ASSERT_EQUAL(line_value(page, "ipmi_up{collector=\"dcmi\"," RACK1 "}"), 0);
	CU_ASSERT(isnan(line_value(page, "ipmi_dcmi_power_consumption_watts{" RACK1 "}")));
	CU_ASSERT(line_value(page, "energymon_energy_joules_total{" RACK1
	                           ",metric=\"system\",scope=\"system\",index=\"0\",sensor=\"dcmi\"}") > 0);
	free(page);
	CU_ASSERT_EQUAL(simbmc_restart(&bmc), 0);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"ipmi_exporter's names beside energymon's", test_exporter_names},
		CU_TEST_INFO_NULL,
	};
	int rc = start_bmc(&bmc, sdr_dir, sizeof(sdr_dir));
	if (rc)
		return rc;
	rc = run_suite("exposition_ipmi", tests);
	simbmc_cleanup(&bmc);
	return rc;
}
