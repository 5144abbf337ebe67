/* Against real RAPL, where the machine has it: perf and powercap read the
 * same hardware counters, so over one interval they must agree within 1%.
 * Where only one backend opens, what it reports is checked against the
 * machine (each domain measured or unavailable with why). Where there is
 * no RAPL at all (the AMD VMs) the test says why it was skipped (exit 77). */
#include "perf_fixture.h"

#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SKIP 77

static int open_backend(struct harness *h, const char *backend, char *why, size_t len)
{
	int rc = harness_load(h, "perf");
	if (rc == 0)
		rc = harness_set(h, "perf_backend", backend);
	if (rc == 0)
		rc = harness_create(h);
	if (rc != 0)
		snprintf(why, len, "%s backend: %s", backend, h->error);
	return rc;
}

/* Enough work that a millisecond of skew between the two readings (RAPL
 * updates about every millisecond) is far below 1% of the energy. */
static void burn_cpu(double seconds)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	volatile unsigned long sink = 0;
	do {
		for (unsigned long i = 0; i < 1000000ul; i++)
			sink += i * i;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 <
		 seconds);
}

static struct harness perf_h, powercap_h;

static void check_agreement(const char *key)
{
	double p = fixture_key_energy(&perf_h, key), q = fixture_key_energy(&powercap_h, key);
	if (isnan(p) || isnan(q)) {
		/* The perf driver and powercap keep separate model tables, so a
		 * domain (psys, often) may exist in only one: nothing to compare. */
		if (isnan(p) != isnan(q))
			fprintf(stderr, "\n  %s: only %s reports it; not compared", key,
				isnan(p) ? "powercap" : "perf");
		return;
	}
	fprintf(stderr, "\n  %s: perf %.6f J, powercap %.6f J", key, p, q);
	CU_ASSERT(p > 0);
	CU_ASSERT(fabs(p - q) <= 0.01 * fmax(p, q));
}

static void test_perf_and_powercap_agree(void)
{
	/* Nested intervals: perf starts first and stops last, so it may only
	 * exceed powercap by what the machine spends in a few system calls. */
	CU_ASSERT_EQUAL_FATAL(perf_h.plugin->start(perf_h.instance), 0);
	CU_ASSERT_EQUAL_FATAL(powercap_h.plugin->start(powercap_h.instance), 0);
	burn_cpu(2.0);
	CU_ASSERT_EQUAL(powercap_h.plugin->stop(powercap_h.instance), 0);
	CU_ASSERT_EQUAL(perf_h.plugin->stop(perf_h.instance), 0);
	CU_ASSERT_EQUAL(perf_h.plugin->get_data(perf_h.instance), 0);
	CU_ASSERT_EQUAL(powercap_h.plugin->get_data(powercap_h.instance), 0);
	CU_ASSERT_STRING_EQUAL(fixture_note_text(&perf_h, "backend"), "perf");
	CU_ASSERT_STRING_EQUAL(fixture_note_text(&powercap_h, "backend"), "powercap");
	const char *keys[] = { "energy_pkg", "energy_cores", "energy_ram", "energy_gpu", "energy_psys" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		check_agreement(keys[i]);
	/* The totals are the host's alone: no note repeats them. */
	fixture_assert_no_total_notes(&perf_h);
	fixture_assert_no_total_notes(&powercap_h);
}

/* Where only one backend can be opened (an Intel VM: a power PMU whose one
 * counter, psys, never moves; no powercap), nothing can be compared, but
 * what that backend reports is still checked against the machine. */
static struct harness *single;

static void test_the_one_backend_measures_or_says_why(void)
{
	fixture_check_real_domains(single);
}

int main(void)
{
	char perf_why[ENERGY_REASON_MAX + 64] = "", powercap_why[ENERGY_REASON_MAX + 64] = "";
	if (access("/sys/bus/event_source/devices/power", F_OK) != 0 &&
	    access("/sys/class/powercap", F_OK) != 0) {
		printf("SKIP: no RAPL on this machine (no /sys/bus/event_source/devices/power, no "
		       "/sys/class/powercap): perf and powercap cannot be compared here\n");
		return SKIP;
	}
	int perf_rc = open_backend(&perf_h, "perf", perf_why, sizeof(perf_why));
	int powercap_rc = open_backend(&powercap_h, "powercap", powercap_why, sizeof(powercap_why));
	if (perf_rc != 0 && powercap_rc != 0) {
		printf("SKIP: RAPL interfaces exist but neither backend opens: %s; %s\n", perf_why,
		       powercap_why);
		harness_close(&perf_h);
		harness_close(&powercap_h);
		return SKIP;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("perf on real RAPL", NULL, NULL);
	if (perf_rc == 0 && powercap_rc == 0) {
		CU_add_test(s, "perf and powercap agree within 1%", test_perf_and_powercap_agree);
	} else {
		single = perf_rc == 0 ? &perf_h : &powercap_h;
		printf("only one backend opens (%s): checking what it reports\n",
		       perf_rc == 0 ? powercap_why : perf_why);
		CU_add_test(s, "the one usable backend: each domain measured, or unavailable with why",
			    test_the_one_backend_measures_or_says_why);
	}
	int rc = cunit_run_registered();
	harness_close(&perf_h);
	harness_close(&powercap_h);
	return rc;
}
