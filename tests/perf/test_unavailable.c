/* Honest absence and failure: no RAPL, no zones, energy_uj unreadable, a
 * zone without a range, values that cannot be a counter, bad configuration.
 * Each says why, and nothing is emitted in place of a reading. */
#include "perf_fixture.h"

#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_no_rapl_at_all(void)
{
	struct rapl_tree t;
	struct harness h;
	char path[PATH_MAX + 64];
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL(harness_probe(&h), -ENODEV);
	snprintf(path, sizeof(path), "%s/sys/bus/event_source/devices/power does not exist", t.root);
	CONTAINS(h.error, path);
	snprintf(path, sizeof(path), "%s/sys/class/powercap does not exist", t.root);
	CONTAINS(h.error, path);
	CU_ASSERT_EQUAL(harness_create(&h), -ENODEV);
	CU_ASSERT_PTR_NULL(h.instance);
	CU_ASSERT_EQUAL(h.nreadings, 0);
	harness_close(&h);
	rapl_tree_remove(&t);
}

/* A machine with RAPL interfaces (an Intel VM's power PMU with only a psys
 * counter that never moves, or real RAPL): each domain is measured or says
 * why not, and a dead counter is never 0 J. */
static void check_machine_with_rapl(void)
{
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "perf") == 0);
	int rc = harness_probe(&h);
	if (rc != 0) {
		/* a reason a user can act on: dead counters, or privilege */
		fprintf(stderr, "\n  this machine: probe %d: %s\n", rc, h.error);
		CU_ASSERT(rc == -ENODEV || rc == -EACCES);
		CU_ASSERT(strstr(h.error, "did not advance") || strstr(h.error, "no usable RAPL") ||
			  strstr(h.error, "perf_event_paranoid"));
	} else {
		CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
		fixture_check_real_domains(&h);
	}
	harness_close(&h);
}

static void test_this_machine(void)
{
	/* The default root is the real /. Without RAPL here, say so. */
	if (access("/sys/bus/event_source/devices/power", F_OK) == 0 ||
	    access("/sys/class/powercap", F_OK) == 0) {
		check_machine_with_rapl();
		return;
	}
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "perf") == 0);
	CU_ASSERT_EQUAL(harness_probe(&h), -ENODEV);
	CONTAINS(h.error, "no usable RAPL");
	CONTAINS(h.error, "/sys/bus/event_source/devices/power does not exist");
	CONTAINS(h.error, "/sys/class/powercap does not exist");
	harness_close(&h);
}

static void test_powercap_without_rapl_zones(void)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	/* Another powercap driver is loaded, RAPL's is not. */
	CU_ASSERT_FATAL(rapl_tree_write(&t, "sys/class/powercap/dtpm/enabled", "0") == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL(harness_probe(&h), -ENODEV);
	CONTAINS(h.error, "has no intel-rapl zones");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_unreadable_energy_uj(void)
{
	struct rapl_tree t;
	char path[PATH_MAX], msg[ENERGY_REASON_MAX];
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 5, 1000000, 0) == 0);
	rapl_tree_energy_path(&t, "intel-rapl:0", path, sizeof(path));
	/* As since Linux 5.10: root only. */
	CU_ASSERT_FATAL(chmod(path, getuid() == 0 ? 0400 : 0000) == 0);
	CU_ASSERT_EQUAL(fixture_probe_unprivileged(&t, NULL, NULL, msg, sizeof(msg)), -EACCES);
	snprintf(path, sizeof(path), "cannot read %s/sys/class/powercap/intel-rapl:0/energy_uj", t.root);
	CONTAINS(msg, path);
	CONTAINS(msg, "Permission denied");
	CONTAINS(msg, "Linux 5.10");
	rapl_tree_remove(&t);
}

static void test_zone_without_range(void)
{
	struct rapl_tree t;
	struct harness h;
	char path[PATH_MAX];
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 5, 1000000, 0) == 0);
	rapl_tree_energy_path(&t, "intel-rapl:0", path, sizeof(path));
	strcpy(strrchr(path, '/') + 1, "max_energy_range_uj");
	CU_ASSERT_FATAL(unlink(path) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_backend", "powercap");
	CU_ASSERT_EQUAL(harness_create(&h), -ENOENT);
	CONTAINS(h.error, "max_energy_range_uj");
	CONTAINS(h.error, "wraps cannot be handled");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_impossible_values_emit_nothing(void)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 5, 1000000, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0:0", "core", 5, 1000000, 0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL_FATAL(h.plugin->start(h.instance), 0);
	const struct energy_reading *first = harness_last(&h, "cpu_package#0", 0);
	CU_ASSERT_FATAL(first != NULL);
	double base_j = first->value;
	harness_clear_readings(&h);

	rapl_tree_set_energy(&t, "intel-rapl:0", 2000000); /* beyond its 1 J range */
	rapl_tree_set_energy(&t, "intel-rapl:0:0", 400005);
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), -ERANGE);
	CONTAINS(h.error, "package-0");
	CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "cpu_cores#0", 0), 1);

	CU_ASSERT_FATAL(rapl_tree_write(&t, "sys/class/powercap/intel-rapl:0/energy_uj", "garbage") == 0);
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), -EINVAL);
	CONTAINS(h.error, "not a decimal number");
	CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 0);

	rapl_tree_set_energy(&t, "intel-rapl:0", 500005); /* readable again */
	CU_ASSERT_EQUAL(h.plugin->stop(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	/* the host counts from the baseline to the reading that is good again */
	CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 1);
	CU_ASSERT_DOUBLE_EQUAL(harness_last(&h, "cpu_package#0", 0)->value - base_j, 0.5, 1e-9);
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void expect_config_error(const char *key, const char *value, const char *needle)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 5, 1000000, 0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, key, value);
	CU_ASSERT_EQUAL(harness_probe(&h), -EINVAL);
	CU_ASSERT_EQUAL(harness_create(&h), -EINVAL);
	CONTAINS(h.error, needle);
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_bad_configuration(void)
{
	expect_config_error("perf_backend", "msr", "perf_backend is 'msr'");
	expect_config_error("perf_max_power_w", "0", "perf_max_power_w");
	expect_config_error("perf_events", "power/energy-foo/", "'power/energy-foo/' is not an event");
	expect_config_error("perf_events", "energy-pkg,cycles", "'cycles'");
}

static void test_unknown_libpfm_name(void)
{
	/* libpfm4 knows rapl:: events only where the CPU has RAPL. */
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 5, 1000000, 0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_events", "rapl::RAPL_ENERGY_PKG");
	int rc = harness_create(&h);
	if (rc == 0) {
		CU_ASSERT_EQUAL(h.plugin->start(h.instance), 0);
		CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 1);
	} else {
		CU_ASSERT_EQUAL(rc, -EINVAL);
		CONTAINS(h.error, "unknown event 'rapl::RAPL_ENERGY_PKG': libpfm4: ");
	}
	harness_close(&h);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_events", "rapl::NO_SUCH_EVENT");
	CU_ASSERT_EQUAL(harness_create(&h), -EINVAL);
	CONTAINS(h.error, "'rapl::NO_SUCH_EVENT'");
	CONTAINS(h.error, "libpfm4: ");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_get_data_before_start(void)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 5, 1000000, 0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), -EINVAL);
	CONTAINS(h.error, "before start");
	CU_ASSERT(isnan(fixture_key_energy(&h, "energy_pkg")));
	harness_close(&h);
	rapl_tree_remove(&t);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("perf unavailable", NULL, NULL);
	CU_add_test(s, "no RAPL at all names both interfaces", test_no_rapl_at_all);
	CU_add_test(s, "this machine", test_this_machine);
	CU_add_test(s, "powercap without RAPL zones", test_powercap_without_rapl_zones);
	CU_add_test(s, "unreadable energy_uj", test_unreadable_energy_uj);
	CU_add_test(s, "zone without max_energy_range_uj", test_zone_without_range);
	CU_add_test(s, "impossible values emit nothing", test_impossible_values_emit_nothing);
	CU_add_test(s, "bad configuration", test_bad_configuration);
	CU_add_test(s, "libpfm4 names", test_unknown_libpfm_name);
	CU_add_test(s, "get_data before start", test_get_data_before_start);
	return cunit_run_registered();
}
