/* A RAPL counter that is there but never counts (an Intel VM's energy-psys)
 * is not a measurement of 0 J: a package or psys counter that stayed flat
 * while the machine was busy for at least 0.5 s of CPU time gets no
 * readings, no total and a reason; the other domains still count. Flat
 * DRAM, and anything flat on an idle machine, is still reported as read.
 * The machine's busy time comes from the tree's proc/stat. */
#include "perf_fixture.h"

#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RANGE_UJ 262143328850ull

/* Package 0 with cores and DRAM, counters at 1 J each, machine idle. */
static void package_tree(struct rapl_tree *t)
{
	CU_ASSERT_FATAL(rapl_tree_make(t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(t, "intel-rapl:0", "package-0", 1000000, RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(t, "intel-rapl:0:0", "core", 1000000, RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(t, "intel-rapl:0:1", "dram", 1000000, RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(t, 100.0) == 0);
}

/* create, start, then (machine busy for busy_s, counters moved) sample,
 * stop and get_data. Returns sample()'s result. */
static int run(struct harness *h, struct rapl_tree *t, double busy_s, uint64_t pkg_uj,
	       uint64_t cores_uj)
{
	CU_ASSERT_FATAL(fixture_load(h, t) == 0);
	CU_ASSERT_EQUAL_FATAL(fixture_probe_create(h), 0);
	CU_ASSERT_EQUAL_FATAL(h->plugin->start(h->instance), 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(t, 100.0 + busy_s) == 0);
	rapl_tree_set_energy(t, "intel-rapl:0", pkg_uj);
	rapl_tree_set_energy(t, "intel-rapl:0:0", cores_uj);
	int rc = h->plugin->sample(h->instance);
	h->plugin->stop(h->instance);
	CU_ASSERT_EQUAL(h->plugin->get_data(h->instance), 0);
	return rc;
}

static void test_flat_package_on_a_busy_machine_is_unavailable(void)
{
	struct rapl_tree t;
	struct harness h;
	package_tree(&t);
	CU_ASSERT_EQUAL(run(&h, &t, 0.6, 1000000, 6000000), 0);
	/* the dead package: nothing the host could count as 0 J */
	CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 0);
	CU_ASSERT(isnan(fixture_key_energy(&h, "energy_pkg")));
	CU_ASSERT(isnan(fixture_package_energy(&h, "energy_pkg", 0)));
	CONTAINS(fixture_key_reason(&h, "energy_pkg"), "package-0 (energy-pkg) did not advance");
	CONTAINS(fixture_key_reason(&h, "energy_pkg"), "busy for 0.6 s of CPU time");
	CONTAINS(h.log, "not reported as 0 J");
	const struct harness_metric *pkg = harness_metric(&h, "", ENERGY_SCOPE_CPU_PACKAGE, 0);
	const struct harness_metric *cores = harness_metric(&h, "", ENERGY_SCOPE_CPU_CORES, 0);
	CU_ASSERT_FATAL(pkg != NULL && cores != NULL);
	CU_ASSERT_EQUAL(pkg->reason_calls, 1);
	CU_ASSERT_EQUAL(cores->reason_calls, 0);
	/* no stringly note: the reason is the metric's */
	CU_ASSERT_PTR_NULL(harness_note(&h, "energy_pkg_unavailable"));
	fixture_assert_no_total_notes(&h);
	/* the cores moved: reported exactly */
	CU_ASSERT_DOUBLE_EQUAL(fixture_host_energy(&h, "cpu_cores#0"), 5.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(fixture_key_energy(&h, "energy_cores"), 5.0, 1e-9);
	/* flat DRAM may be real (an idle memory system): reported, 0 J */
	CU_ASSERT(harness_count(&h, "dram#0", 0) >= 2);
	CU_ASSERT_EQUAL(fixture_host_energy(&h, "dram#0"), 0.0);
	CU_ASSERT_EQUAL(fixture_key_energy(&h, "energy_ram"), 0.0);
	CU_ASSERT_STRING_EQUAL(fixture_key_reason(&h, "energy_ram"), "");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_moving_package_is_reported(void)
{
	struct rapl_tree t;
	struct harness h;
	package_tree(&t);
	CU_ASSERT_EQUAL(run(&h, &t, 5.0, 3000000, 2000000), 0);
	/* held back until it moved, then delivered from the baseline on */
	CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 3);
	CU_ASSERT_DOUBLE_EQUAL(fixture_host_energy(&h, "cpu_package#0"), 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(fixture_key_energy(&h, "energy_pkg"), 2.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(fixture_key_reason(&h, "energy_pkg"), "");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_flat_package_on_an_idle_machine_is_reported_as_read(void)
{
	struct rapl_tree t;
	struct harness h;
	package_tree(&t);
	/* 0.4 s of CPU: too little to tell a dead counter from a quiet one */
	CU_ASSERT_EQUAL(run(&h, &t, 0.4, 1000000, 1000000), 0);
	CU_ASSERT(harness_count(&h, "cpu_package#0", 0) >= 2);
	CU_ASSERT_EQUAL(fixture_host_energy(&h, "cpu_package#0"), 0.0);
	CU_ASSERT_EQUAL(fixture_key_energy(&h, "energy_pkg"), 0.0);
	CU_ASSERT_STRING_EQUAL(fixture_key_reason(&h, "energy_pkg"), "");
	harness_close(&h);
	rapl_tree_remove(&t);
}

/* Every counter dead so far: the samples do not fail (a failed sample is a
 * failure and a gap to the host, wrong for a counter that may yet start
 * counting); the closing reading does, with the reason. */
static void test_only_a_dead_psys_fails_the_stop_with_the_reason(void)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:1", "psys", 7, RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 10.0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL_FATAL(h.plugin->start(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0); /* idle so far: cannot tell */
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 12.0) == 0);
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->stop(h.instance), -ENODEV);
	CONTAINS(h.error, "nothing left to measure: psys (energy-psys) did not advance");
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	CU_ASSERT_EQUAL(harness_count(&h, NULL, 0), 0);
	CU_ASSERT(isnan(fixture_key_energy(&h, "energy_psys")));
	CONTAINS(fixture_key_reason(&h, "energy_psys"), "psys (energy-psys)");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static int64_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The verdict is for the whole run (issue 9 item 5): package and psys flat
 * while the machine was busy 0.6 s are judged dead, then start counting.
 * They are measured from their last flat reading on, the samples never
 * fail, and nothing says unavailable. The counters are moved here, between
 * explicit samples, so nothing depends on timing. */
static void test_dead_counters_that_start_counting_are_revived(void)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 1000000, RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:1", "psys", 1000000, RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 100.0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL_FATAL(h.plugin->start(h.instance), 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 100.6) == 0);
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0); /* both judged dead */
	CONTAINS(h.log, "did not advance");
	CU_ASSERT_EQUAL(harness_count(&h, NULL, 0), 0);
	/* said on each metric through metric_reason, at once */
	const struct harness_metric *pkg = harness_metric(&h, "", ENERGY_SCOPE_CPU_PACKAGE, 0);
	const struct harness_metric *psys = harness_metric(&h, "", ENERGY_SCOPE_SYSTEM, 0);
	CU_ASSERT_FATAL(pkg != NULL && psys != NULL);
	CONTAINS(pkg->reason, "package-0 (energy-pkg) did not advance");
	CONTAINS(psys->reason, "psys (energy-psys) did not advance");
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 101.2) == 0);
	int64_t before_flat = mono_now();
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0); /* the last flat reading */
	int64_t after_flat = mono_now();
	CU_ASSERT_EQUAL(harness_count(&h, NULL, 0), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		rapl_tree_set_energy(&t, "intel-rapl:0", 1000000 + i * 1000000);
		rapl_tree_set_energy(&t, "intel-rapl:1", 1000000 + i * 2000000);
		CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0);
	}
	CU_ASSERT_EQUAL(h.plugin->stop(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	CONTAINS(h.log, "advanced after all");
	/* the last flat reading, at its own time, then the 3 moving ones and stop's */
	CU_ASSERT_EQUAL(harness_count(&h, "cpu_package#0", 0), 5);
	CU_ASSERT_EQUAL(harness_count(&h, "system#0", 0), 5);
	for (size_t i = 0; i < h.nreadings; i++) {
		const struct energy_reading *r = &h.readings[i];
		if (strcmp(r->sensor, "cpu_package#0") != 0)
			continue;
		CU_ASSERT_DOUBLE_EQUAL(r->value, 1.0, 1e-12);
		CU_ASSERT(r->mono_ns >= before_flat && r->mono_ns <= after_flat);
		break;
	}
	CU_ASSERT_DOUBLE_EQUAL(fixture_host_energy(&h, "cpu_package#0"), 3.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(fixture_host_energy(&h, "system#0"), 6.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(fixture_key_energy(&h, "energy_pkg"), 3.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(fixture_key_energy(&h, "energy_psys"), 6.0, 1e-9);
	/* revived: the verdict taken back with an empty reason */
	CU_ASSERT_STRING_EQUAL(fixture_key_reason(&h, "energy_pkg"), "");
	CU_ASSERT_STRING_EQUAL(fixture_key_reason(&h, "energy_psys"), "");
	CU_ASSERT_EQUAL(pkg->reason_calls, 2);
	CU_ASSERT_EQUAL(psys->reason_calls, 2);
	fixture_assert_no_total_notes(&h);
	harness_close(&h);
	rapl_tree_remove(&t);
}

/* The perf backend: the tree's power PMU is the kernel's software PMU;
 * energy-pkg counts cpu-clock (always moving), energy-psys the dummy event
 * (always 0), as the Intel VM's energy-psys does. */
static int software_pmu_tree(struct rapl_tree *t, int real_proc)
{
	unsigned type = 0;
	FILE *f = fopen("/sys/bus/event_source/devices/software/type", "r");
	int ok = f && fscanf(f, "%u", &type) == 1;
	if (f)
		fclose(f);
	if (!ok)
		return -ENOENT;
	int rc = rapl_tree_make(t);
	if (rc == 0)
		rc = rapl_tree_add_pmu(t, type, "0", NULL);
	if (rc == 0 && real_proc != 2)
		rc = rapl_tree_add_pmu_event(t, "energy-pkg", "event=0x00");
	if (rc == 0)
		rc = rapl_tree_add_pmu_event(t, "energy-psys", "event=0x09");
	if (rc == 0)
		rc = real_proc ? rapl_tree_link_real_proc(t) : rapl_tree_set_busy(t, 100.0);
	return rc;
}

static void test_perf_backend_dead_psys_beside_a_live_package(void)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(software_pmu_tree(&t, 0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_backend", "perf");
	CU_ASSERT_EQUAL_FATAL(fixture_probe_create(&h), 0);
	CU_ASSERT_EQUAL_FATAL(h.plugin->start(h.instance), 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 101.0) == 0);
	CU_ASSERT_EQUAL(h.plugin->sample(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->stop(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	CU_ASSERT_EQUAL(harness_count(&h, "system#0", 0), 0);
	CONTAINS(fixture_key_reason(&h, "energy_psys"), "psys (energy-psys) did not advance");
	CU_ASSERT(harness_count(&h, "cpu_package#0", 0) >= 2);
	CU_ASSERT(fixture_key_energy(&h, "energy_pkg") > 0);
	harness_close(&h);
	rapl_tree_remove(&t);
}

/* probe() (what --list-plugins and "auto" run) watches briefly; while the
 * machine is busy it can tell. The busy time grows in a thread. */
struct busy_writer {
	const struct rapl_tree *t;
	atomic_int stop;
};

static void *keep_busy(void *arg)
{
	struct busy_writer *w = arg;
	for (double busy = 101.0; !atomic_load(&w->stop); busy += 1.0)
		rapl_tree_set_busy(w->t, busy);
	return NULL;
}

static void test_probe_tells_a_dead_counter_on_a_busy_machine(void)
{
	struct rapl_tree t;
	struct harness h;
	pthread_t th;
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:1", "psys", 7, RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 100.0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	/* idle: the probe cannot tell, and lets the run decide */
	CU_ASSERT_EQUAL(harness_probe(&h), 0);
	struct busy_writer w = { &t, 0 };
	CU_ASSERT_FATAL(pthread_create(&th, NULL, keep_busy, &w) == 0);
	int rc = harness_probe(&h);
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(rc, -ENODEV);
	CONTAINS(h.error, "psys (energy-psys) did not advance");
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_probe_passes_a_moving_counter(void)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(software_pmu_tree(&t, 0) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_backend", "perf");
	harness_set(&h, "perf_events", "energy-pkg");
	struct busy_writer w = { &t, 0 };
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, keep_busy, &w) == 0);
	int rc = harness_probe(&h);
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(rc, 0);
	harness_close(&h);
	rapl_tree_remove(&t);
}

/* What the tests of this machine (perf-unavailable, perf-real-rapl) assert
 * on an Intel VM, checked here with the real /proc/stat and CPU burnt for
 * real: a power PMU with only energy-psys, which never moves (real_proc 2),
 * and one where the package moves beside it (1). */
static void check_like_a_real_machine(int real_proc)
{
	struct rapl_tree t;
	struct harness h;
	CU_ASSERT_FATAL(software_pmu_tree(&t, real_proc) == 0);
	CU_ASSERT_FATAL(fixture_load(&h, &t) == 0);
	harness_set(&h, "perf_backend", "perf");
	int rc = harness_probe(&h);
	if (rc != 0) { /* the machine happened to be busy during the probe */
		CU_ASSERT_EQUAL(rc, -ENODEV);
		CU_ASSERT_EQUAL(real_proc, 2);
		CONTAINS(h.error, "psys (energy-psys) did not advance");
	} else {
		CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
		CU_ASSERT_EQUAL(fixture_check_real_domains(&h), real_proc == 2 ? 1 : 2);
		CONTAINS(fixture_key_reason(&h, "energy_psys"), "did not advance");
		CU_ASSERT_EQUAL(harness_count(&h, "system#0", 0), 0);
		if (real_proc == 1)
			CU_ASSERT(fixture_key_energy(&h, "energy_pkg") > 0);
	}
	harness_close(&h);
	rapl_tree_remove(&t);
}

static void test_like_an_intel_vm_psys_only(void)
{
	check_like_a_real_machine(2);
}

static void test_like_a_machine_with_a_live_package(void)
{
	check_like_a_real_machine(1);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("perf dead counters", NULL, NULL);
	CU_add_test(s, "flat package on a busy machine: no reading, no total, the reason",
		    test_flat_package_on_a_busy_machine_is_unavailable);
	CU_add_test(s, "moving package: reported from the baseline", test_moving_package_is_reported);
	CU_add_test(s, "flat package on an idle machine: reported as read",
		    test_flat_package_on_an_idle_machine_is_reported_as_read);
	CU_add_test(s, "only a dead psys: samples pass, stop fails with the reason",
		    test_only_a_dead_psys_fails_the_stop_with_the_reason);
	CU_add_test(s, "dead package and psys that start counting later: revived, measured",
		    test_dead_counters_that_start_counting_are_revived);
	CU_add_test(s, "perf backend: dead psys beside a live package",
		    test_perf_backend_dead_psys_beside_a_live_package);
	CU_add_test(s, "probe tells a dead counter on a busy machine",
		    test_probe_tells_a_dead_counter_on_a_busy_machine);
	CU_add_test(s, "probe passes a moving counter", test_probe_passes_a_moving_counter);
	CU_add_test(s, "real busy time: psys-only PMU that never moves (an Intel VM)",
		    test_like_an_intel_vm_psys_only);
	CU_add_test(s, "real busy time: live package, dead psys", test_like_a_machine_with_a_live_package);
	return cunit_run_registered();
}
