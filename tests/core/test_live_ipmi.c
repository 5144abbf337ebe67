/* Live snapshots of the real ipmi plugin, as an instance ("ipmi:rack1"),
 * against the simulated BMC: a `system` power series with the simulated
 * power and energy integrated from it, and the SDR sensors by their names
 * with their units (simbmc/sensors.tsv). Then the BMC dies: up drops and
 * the failures are counted by kind. Skips (77) where the BMC cannot run. */
#include "../integration/integration_fixture.h"

#include <errno.h>
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
	if (em_config_load_string(text, &cfg, &err) || em_monitor_create(cfg, 0, &mon, &err) ||
	    em_monitor_start(mon, &err)) {
		fprintf(stderr, "\n    %s\n", err.message);
		em_monitor_destroy(mon);
		mon = NULL;
	}
	em_config_free(cfg);
	return mon;
}

/* The series of source 0 with this key and sensor ("" for any). */
static bool find(const struct em_live *live, const char *key, const char *sensor, struct em_live_series *out)
{
	for (size_t i = 0;; i++) {
		out->struct_size = sizeof(*out);
		if (em_live_series(live, 0, i, out))
			return false;
		if (!strcmp(out->key, key) && (!sensor[0] || !strcmp(out->sensor, sensor)))
			return true;
	}
}

/* A snapshot in which every sensor below has been read (deadline 30 s). */
static struct em_live *snapshot_with_sensors(struct em_monitor *mon)
{
	for (int i = 0; i < 3000; i++) {
		struct em_live *live = NULL;
		CU_ASSERT_EQUAL_FATAL(em_monitor_live(mon, &live, NULL), 0);
		struct em_live_series s[4];
		if (find(live, "system", "", &s[0]) && s[0].readings >= 3 && find(live, "temperature", "CPU Temp", &s[1]) &&
		    find(live, "fan", "Fan 1 Speed", &s[2]) && find(live, "voltage", "12V Rail", &s[3]))
			return live;
		em_live_free(live);
		sleep_s(0.01);
	}
	CU_FAIL("the sensors never showed in a snapshot");
	return NULL;
}

/* A snapshot's source 0 (its last error copied: strings die with it). */
static bool down(struct em_monitor *mon, struct em_live_source *src, char *why, size_t len)
{
	struct em_live *live = NULL;
	CU_ASSERT_EQUAL_FATAL(em_monitor_live(mon, &live, NULL), 0);
	src->struct_size = sizeof(*src);
	CU_ASSERT_EQUAL(em_live_source(live, 0, src), 0);
	snprintf(why, len, "%s", src->last_error ? src->last_error : "");
	src->id = src->plugin = src->instance = src->reason = src->last_error = NULL;
	em_live_free(live);
	return !src->up && src->failed_samples >= 2;
}

static void test_live_ipmi_instance(void)
{
	struct em_monitor *mon = start_monitor();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_live *live = snapshot_with_sensors(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(live);
	struct em_live_source src = {.struct_size = sizeof(src)};
	CU_ASSERT_EQUAL(em_live_source(live, 0, &src), 0);
	CU_ASSERT_STRING_EQUAL(src.id, "ipmi:rack1");
	CU_ASSERT_STRING_EQUAL(src.plugin, "ipmi");
	CU_ASSERT_STRING_EQUAL(src.instance, "rack1");
	CU_ASSERT(src.available && src.up);
	CU_ASSERT_EQUAL(src.failed_samples, 0);
	for (int k = 0; k < EM_SAMPLE_ERROR_KINDS; k++)
		CU_ASSERT_EQUAL(src.errors[k], 0);
	struct em_live_series s;
	CU_ASSERT_FATAL(find(live, "system", "", &s));
	CU_ASSERT_STRING_EQUAL(s.unit, "W");
	CU_ASSERT_STRING_EQUAL(s.scope, "system");
	CU_ASSERT_DOUBLE_EQUAL(s.value, 180, 1e-9);
	CU_ASSERT(s.covered_s > 0);
	CU_ASSERT_DOUBLE_EQUAL(s.energy_j, 180 * s.covered_s, 1e-6 * s.energy_j);
	CU_ASSERT(s.value_s <= em_live_taken(live) && s.value_s >= src.started_s);
	CU_ASSERT_FATAL(find(live, "temperature", "CPU Temp", &s));
	CU_ASSERT_STRING_EQUAL(s.unit, "degC");
	CU_ASSERT_DOUBLE_EQUAL(s.value, 45, 0.5);
	CU_ASSERT(isnan(s.energy_j));
	CU_ASSERT_FATAL(find(live, "temperature", "System Temp", &s));
	CU_ASSERT_DOUBLE_EQUAL(s.value, 30, 0.5);
	CU_ASSERT_FATAL(find(live, "fan", "Fan 1 Speed", &s));
	CU_ASSERT_STRING_EQUAL(s.unit, "RPM");
	CU_ASSERT_DOUBLE_EQUAL(s.value, 3000, 50);
	CU_ASSERT_FATAL(find(live, "voltage", "12V Rail", &s));
	CU_ASSERT_STRING_EQUAL(s.unit, "V");
	CU_ASSERT_DOUBLE_EQUAL(s.value, 12.0, 0.06);
	em_live_free(live);

	/* the BMC goes away: the snapshot still answers, and says so */
	CU_ASSERT_EQUAL_FATAL(simbmc_stop(&bmc), 0);
	bool seen = false;
	char why[512] = "";
	for (int i = 0; i < 3000 && !seen; i++) {
		seen = down(mon, &src, why, sizeof(why));
		if (!seen)
			sleep_s(0.01);
	}
	CU_ASSERT_FATAL(seen);
	uint64_t counted = 0;
	for (int k = 0; k < EM_SAMPLE_ERROR_KINDS; k++)
		counted += src.errors[k];
	CU_ASSERT_EQUAL(counted, src.failed_samples);
	CU_ASSERT(src.last_ok_s < src.last_try_s);
	CU_ASSERT(why[0] != '\0');
	fprintf(stderr, "\n    dead BMC: %llu failed (timeout %llu, connection %llu, other %llu): %s\n",
	        (unsigned long long)src.failed_samples, (unsigned long long)src.errors[EM_SAMPLE_ERROR_TIMEOUT],
	        (unsigned long long)src.errors[EM_SAMPLE_ERROR_CONNECTION],
	        (unsigned long long)src.errors[EM_SAMPLE_ERROR_OTHER], why);
	CU_ASSERT_EQUAL(simbmc_restart(&bmc), 0);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"live snapshot of an ipmi instance", test_live_ipmi_instance},
		CU_TEST_INFO_NULL,
	};
	int rc = start_bmc(&bmc, sdr_dir, sizeof(sdr_dir));
	if (rc)
		return rc;
	rc = run_suite("live_ipmi", tests);
	simbmc_cleanup(&bmc);
	return rc;
}
