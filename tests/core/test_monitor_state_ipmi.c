/* Monitor state documents of the real ipmi plugin against the simulated
 * BMC (beside testcpu, for attribution): a steady run, and one where the
 * BMC stops mid-run (failed samples, gaps, the plugin's own failure
 * messages), each rebuilt from its state document with the same result
 * JSON, files and typed answers. Skips (77) where the BMC cannot run. */
#include "../../core/internal.h"
#include "../integration/integration_fixture.h"
#include "state_round_trip.h"

#include <errno.h>

static struct simbmc bmc;
static char sdr_dir[128];

static struct em_monitor *start_monitor(void)
{
	double t[] = {now_unix(), now_unix() + 1}, w[] = {180, 260};
	CU_ASSERT_EQUAL(simbmc_write_profile(&bmc, t, w, 2), 0);
	char cfg_text[2048];
	config_for(cfg_text, sizeof(cfg_text), &bmc, sdr_dir, "\"ipmi,testcpu\"", 0.1);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	if (em_config_load_string(cfg_text, &cfg, &err) || em_monitor_create(cfg, 0, &mon, &err) ||
	    em_monitor_start(mon, &err)) {
		fprintf(stderr, "\n    %s\n", err.message);
		em_monitor_destroy(mon);
		mon = NULL;
	}
	em_config_free(cfg);
	return mon;
}

static void stop_and_check(struct em_monitor *mon, bool want_gaps)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	json_t *res = check_round_trip(mon);
	const json_t *power = power_series(res);
	CU_ASSERT_PTR_NOT_NULL(power);
	CU_ASSERT(json_array_size(json_object_get(power, "points")) >= 5);
	CU_ASSERT(json_is_number(json_object_get(json_object_get(res, "attribution"), "cpu_share")));
	CU_ASSERT_EQUAL(json_object_get(power, "gaps") != NULL, want_gaps);
	json_decref(res);
	em_monitor_destroy(mon);
}

static void test_steady_ipmi_run_round_trips(void)
{
	struct em_monitor *mon = start_monitor();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	sleep_s(2.0);
	stop_and_check(mon, false);
}

static void test_ipmi_run_with_a_dead_bmc_round_trips(void)
{
	struct em_monitor *mon = start_monitor();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	sleep_s(1.0);
	CU_ASSERT_EQUAL_FATAL(simbmc_stop(&bmc), 0);
	sleep_s(1.0);
	CU_ASSERT_EQUAL_FATAL(simbmc_restart(&bmc), 0);
	sleep_s(2.0);
	CU_ASSERT(mon->sources[0]->failed_samples > 0);
	stop_and_check(mon, true);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"steady ipmi run round trips", test_steady_ipmi_run_round_trips},
		{"ipmi run with a dead BMC round trips", test_ipmi_run_with_a_dead_bmc_round_trips},
		CU_TEST_INFO_NULL,
	};
	int rc = start_bmc(&bmc, sdr_dir, sizeof(sdr_dir));
	if (rc)
		return rc;
	rc = run_suite("monitor_state_ipmi", tests);
	simbmc_cleanup(&bmc);
	return rc;
}
