/* The perf backend: a power PMU tree whose events cannot be opened (auto
 * falls back to powercap, perf_backend=perf fails and says why), and the
 * whole perf read path driven for real by aiming the tree's events at the
 * kernel's software PMU (cpu-clock), which every Linux has. */
#include "perf_fixture.h"

#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAKE_PMU_TYPE 4000 /* no kernel allocates PMU types this high */

static const char *const all_events[] = { "energy-pkg", "energy-cores", "energy-ram", NULL };

static void fake_pmu_tree(struct rapl_tree *t, int with_powercap)
{
	CU_ASSERT_FATAL(rapl_tree_make(t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_pmu(t, FAKE_PMU_TYPE, "0", all_events) == 0);
	if (with_powercap) {
		CU_ASSERT_FATAL(rapl_tree_add_zone(t, "intel-rapl:0", "package-0", 10, 1000000, 0) == 0);
		CU_ASSERT_FATAL(rapl_tree_add_zone(t, "intel-rapl:0:0", "core", 10, 1000000, 0) == 0);
	}
}

static void test_auto_falls_back_to_powercap(void)
{
	struct rapl_tree t;
	struct harness h;
	fake_pmu_tree(&t, 1);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL_FATAL(fixture_probe_create(&h), 0);
	CU_ASSERT_STRING_EQUAL(fixture_note_text(&h, "backend"), "powercap");
	CONTAINS(fixture_note_text(&h, "perf_unavailable"), "perf_event_open(type 4000");
	CONTAINS(h.log, "using powercap");
	CU_ASSERT_EQUAL_FATAL(h.plugin->start(h.instance), 0);
	CU_ASSERT_EQUAL(harness_count(&h, NULL, 0), 2);
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_perf_only_fails_clearly(void)
{
	struct rapl_tree t;
	struct harness h;
	fake_pmu_tree(&t, 1);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_backend", "perf");
	CU_ASSERT_EQUAL(fixture_probe_create(&h), -ENODEV);
	CONTAINS(h.error, "perf_event_open(type 4000 from ");
	CONTAINS(h.error, "config 0x2 = energy-pkg, cpu 0) failed");
	CU_ASSERT_PTR_NULL(h.instance);
	harness_close(&h);

	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_backend", "powercap");
	CU_ASSERT_EQUAL(fixture_probe_create(&h), 0);
	CU_ASSERT_STRING_EQUAL(fixture_note_text(&h, "backend"), "powercap");
	CU_ASSERT_PTR_NULL(harness_note(&h, "perf_unavailable"));
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_neither_backend_names_both(void)
{
	struct rapl_tree t;
	struct harness h;
	fake_pmu_tree(&t, 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL(fixture_probe_create(&h), -ENODEV);
	CONTAINS(h.error, "perf: perf_event_open(type 4000");
	CONTAINS(h.error, "powercap: ");
	CONTAINS(h.error, "sys/class/powercap does not exist");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_event_without_scale_is_refused(void)
{
	struct rapl_tree t;
	struct harness h;
	char path[PATH_MAX + 64];
	fake_pmu_tree(&t, 0);
	snprintf(path, sizeof(path), "%s/sys/devices/power/events/energy-pkg.scale", t.root);
	CU_ASSERT_FATAL(unlink(path) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_backend", "perf");
	CU_ASSERT_EQUAL(harness_create(&h), -EINVAL);
	CONTAINS(h.error, "energy-pkg.scale");
	CONTAINS(h.error, "cannot be turned into joules");
	harness_close(&h);
	rapl_tree_remove(&t);
}

/* The tree's power PMU is the software PMU; its events count cpu-clock
 * (nanoseconds of that CPU), standing in for energy units. */
static int software_pmu_tree(struct rapl_tree *t, const char *cpumask, const char *const topo[][3])
{
	char type[16];
	FILE *f = fopen("/sys/bus/event_source/devices/software/type", "r");
	if (!f || !fgets(type, sizeof(type), f)) {
		if (f)
			fclose(f);
		return -ENOENT;
	}
	fclose(f);
	int rc = rapl_tree_make(t);
	if (rc == 0)
		rc = rapl_tree_add_pmu(t, (unsigned)atoi(type), cpumask, NULL);
	if (rc == 0)
		rc = rapl_tree_add_pmu_event(t, "energy-pkg", "event=0x00");
	if (rc == 0)
		rc = rapl_tree_add_pmu_event(t, "energy-psys", "event=0x00");
	for (size_t i = 0; rc == 0 && topo && topo[i][0]; i++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%s/topology/physical_package_id",
			 topo[i][0]);
		rc = rapl_tree_write(t, rel, topo[i][1]);
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%s/topology/die_id", topo[i][0]);
		if (rc == 0)
			rc = rapl_tree_write(t, rel, topo[i][2]);
	}
	return rc;
}

static int open_or_skip(struct harness *h)
{
	harness_set(h, "perf_backend", "perf");
	int rc = harness_create(h);
	if (rc == -EACCES)
		fprintf(stderr, "\n  not checked: %s\n", h->error);
	return rc;
}

static void test_perf_read_path(void)
{
	static const char *const topo[][3] = { { "0", "0", "0" }, { "1", "1", "0" }, { NULL } };
	int two = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(software_pmu_tree(&t, two ? "0-1" : "0", topo) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	int rc = open_or_skip(&h);
	CU_ASSERT_EQUAL_FATAL(rc == -EACCES ? 0 : rc, 0);
	if (rc == 0) {
		CU_ASSERT_STRING_EQUAL(fixture_note_text(&h, "backend"), "perf");
		/* 2^64 counts of 2^-32 J: 2^32 J, at 2000 W sampled every 2^32/4000 s. */
		CU_ASSERT_DOUBLE_EQUAL(h.required_interval_s, ldexp(1, 32) / 4000.0, 1e-6);
		CU_ASSERT_EQUAL_FATAL(h.plugin->start(h.instance), 0);
		CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 1);
		CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#1", 0), two ? 1 : 0);
		CU_ASSERT_EQUAL(harness_count(&h, "system#0", 0), 1); /* one, not one per package */
		CU_ASSERT_EQUAL(harness_last(&h, "cpu_package#0", 0)->counter_max, ldexp(1, 32));
		CU_ASSERT_EQUAL(harness_last(&h, "system#0", 0)->scope, ENERGY_SCOPE_SYSTEM);
		/* cpu-clock on one CPU counts the nanoseconds that pass, so
		 * the joules must be the time between the first and the last
		 * reading x the event's scale (2^-32 J per count): a known
		 * value, not merely > 0. Long enough that a few ms of
		 * scheduling delay between a read and its time stamp stay
		 * within the 5% allowed. */
		const struct timespec step = { 0, 50 * 1000 * 1000 };
		int64_t t0 = harness_last(&h, "cpu_package#0", 0)->mono_ns;
		for (int i = 0; i < 8; i++) {
			nanosleep(&step, NULL);
			CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0);
		}
		CU_ASSERT_EQUAL(h.plugin->stop(h.instance), 0);
		CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
		int64_t t1 = harness_last(&h, "cpu_package#0", 0)->mono_ns;
		double f0 = fixture_package_energy(&h, "energy_pkg", 0);
		double f1 = two ? fixture_package_energy(&h, "energy_pkg", 1) : 0;
		double expected = ldexp((double)(t1 - t0), -32);
		if (!(fabs(f0 / expected - 1) < 0.05))
			fprintf(stderr, "\n  package-0: %.9g J over %.6f s, expected %.9g J (2^-32 J/ns)\n",
				f0, (double)(t1 - t0) / 1e9, expected);
		CU_ASSERT(fabs(f0 / expected - 1) < 0.05);
		if (two) {
			double e1 = fixture_host_energy(&h, "cpu_package#1");
			CU_ASSERT(fabs(f1 / expected - 1) < 0.05);
			CU_ASSERT_DOUBLE_EQUAL(e1, f1, 1e-12);
		}
		CU_ASSERT_DOUBLE_EQUAL(fixture_key_energy(&h, "energy_pkg"), f0 + f1, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(fixture_host_energy(&h, "cpu_package#0"), f0, 1e-12);
		/* psys: one counter of the same clock on the PMU's first CPU */
		CU_ASSERT(fabs(fixture_key_energy(&h, "energy_psys") / expected - 1) < 0.05);
	}
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_multi_die_names(void)
{
	static const char *const topo[][3] = { { "0", "0", "0" }, { "1", "0", "1" }, { NULL } };
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "\n  not checked: one CPU online, two dies need two\n");
		return;
	}
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(software_pmu_tree(&t, "0,1", topo) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_events", "power/energy-pkg/");
	if (open_or_skip(&h) == 0) {
		CU_ASSERT_EQUAL_FATAL(h.plugin->start(h.instance), 0);
		CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 1);
		CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#1", 0), 1);
		CU_ASSERT_EQUAL(harness_count(&h, NULL, 0), 2);
	}
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_paranoid_refusal_is_explained(void)
{
	char paranoid[16] = "", msg[ENERGY_REASON_MAX];
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int ok = f && fgets(paranoid, sizeof(paranoid), f);
	if (f)
		fclose(f);
	if (!ok || atoi(paranoid) <= 0) {
		fprintf(stderr, "\n  not checked: perf_event_paranoid is %s, unprivileged users may "
			"count system-wide\n", ok ? paranoid : "unreadable");
		return;
	}
	struct rapl_tree t;
	CU_ASSERT_FATAL(software_pmu_tree(&t, "0", NULL) == 0);
	CU_ASSERT_EQUAL(fixture_probe_unprivileged(&t, "perf_backend", "perf", msg, sizeof(msg)),
			-EACCES);
	CONTAINS(msg, "perf_event_paranoid <= 0 (it is ");
	CONTAINS(msg, "CAP_PERFMON");
	rapl_tree_remove(&t);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("perf backend", NULL, NULL);
	CU_add_test(s, "auto falls back to powercap", test_auto_falls_back_to_powercap);
	CU_add_test(s, "perf_backend=perf fails clearly", test_perf_only_fails_clearly);
	CU_add_test(s, "neither backend: both reasons", test_neither_backend_names_both);
	CU_add_test(s, "an event without a scale is refused", test_event_without_scale_is_refused);
	CU_add_test(s, "the perf read path (software PMU)", test_perf_read_path);
	CU_add_test(s, "one counter per die", test_multi_die_names);
	CU_add_test(s, "perf_event_paranoid refusal is explained", test_paranoid_refusal_is_explained);
	return cunit_run_registered();
}
