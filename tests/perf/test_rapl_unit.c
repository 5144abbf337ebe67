/* The RAPL energy unit (each reading's resolution): from powercap's
 * max_energy_range_uj, else the assumed 2^-14 J, and the notes that say
 * which. powercap_units is the perf backend's way to it; perf_event_open
 * cannot run on a test tree, so its counters are built here by hand. */
#include "powercap_backend.h"
#include "rapl_tree.h"
#include "rapl_unit.h"

#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INTEL_RANGE_UJ 262143328850ull /* 0xffffffff x 61035 nJ / 1000: ESU 14 */
#define ESU16_RANGE_UJ 65532610987ull  /* 0xffffffff x 15258 nJ / 1000: AMD, server DRAM */

static void test_unit_from_the_wrap_range(void)
{
	CU_ASSERT_EQUAL(rapl_unit_from_range_uj(INTEL_RANGE_UJ), 262143328850e-6 / 4294967296.0);
	CU_ASSERT_DOUBLE_EQUAL(rapl_unit_from_range_uj(INTEL_RANGE_UJ), ldexp(1, -14), ldexp(1, -14) * 3e-6);
	CU_ASSERT_DOUBLE_EQUAL(rapl_unit_from_range_uj(ESU16_RANGE_UJ), ldexp(1, -16), ldexp(1, -16) * 6e-5); /* 15258 nJ */
	CU_ASSERT_EQUAL(rapl_unit_from_range_uj(0), 0.0);
}

/* Counters as perf_open leaves them (no unit yet). */
static void perf_counters(struct rapl_set *set)
{
	static const struct { enum rapl_domain d; const char *sensor, *package; } c[] = {
		{RAPL_PKG, "package-0", "package-0"},
		{RAPL_RAM, "package-0/dram", "package-0"},
		{RAPL_PSYS, "psys", ""},
	};
	memset(set, 0, sizeof(*set));
	set->backend = RAPL_BACKEND_PERF;
	for (size_t i = 0; i < 3; i++) {
		set->c[i].domain = c[i].d;
		set->c[i].fd = -1;
		snprintf(set->c[i].sensor, sizeof(set->c[i].sensor), "%s", c[i].sensor);
		snprintf(set->c[i].package, sizeof(set->c[i].package), "%s", c[i].package);
	}
	set->n = 3;
}

struct notes {
	char text[4][ENERGY_REASON_MAX], keys[8][64], unit[16];
	double number;
	size_t n;
};

static int note_string(void *ctx, const char *key, const char *value)
{
	struct notes *no = ctx;
	snprintf(no->keys[no->n], sizeof(no->keys[0]), "%s", key);
	snprintf(no->text[no->n < 4 ? no->n : 3], sizeof(no->text[0]), "%s", value);
	no->n++;
	return 0;
}

static int note_number(void *ctx, const char *key, double value, const char *unit)
{
	struct notes *no = ctx;
	snprintf(no->keys[no->n++], sizeof(no->keys[0]), "%s", key);
	no->number = value;
	snprintf(no->unit, sizeof(no->unit), "%s", unit);
	return 0;
}

static void notes_of(const struct rapl_set *set, struct notes *no)
{
	struct energy_host host;
	memset(&host, 0, sizeof(host));
	memset(no, 0, sizeof(*no));
	host.ctx = no;
	host.note_string = note_string;
	host.note_number = note_number;
	rapl_unit_notes(&host, set);
}

static void test_perf_counters_take_the_unit_of_their_powercap_zone(void)
{
	struct rapl_tree t;
	struct rapl_set *set = calloc(1, sizeof(*set));
	char path[PATH_MAX];
	CU_ASSERT_FATAL(set && rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 0, INTEL_RANGE_UJ, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0:0", "dram", 0, ESU16_RANGE_UJ, 0) == 0);
	/* psys without max_energy_range_uj: its unit is not said */
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:1", "psys", 0, INTEL_RANGE_UJ, 0) == 0);
	snprintf(path, sizeof(path), "%s/sys/class/powercap/intel-rapl:1/max_energy_range_uj", t.root);
	CU_ASSERT_FATAL(unlink(path) == 0);
	perf_counters(set);
	powercap_units(t.root, set);
	CU_ASSERT_EQUAL(set->c[0].unit_j, 262143328850e-6 / 4294967296.0);
	CU_ASSERT_FALSE(set->c[0].unit_assumed);
	CU_ASSERT_EQUAL(set->c[1].unit_j, 65532610987e-6 / 4294967296.0);
	CU_ASSERT_FALSE(set->c[1].unit_assumed);
	CU_ASSERT_EQUAL(set->c[2].unit_j, 1.0 / 16384.0);
	CU_ASSERT_TRUE(set->c[2].unit_assumed);
	/* the coarsest (psys's assumed 2^-14 J, a hair above the package's
	 * kernel-rounded one), and each counter's since they differ */
	struct notes no;
	notes_of(set, &no);
	CU_ASSERT_EQUAL(no.n, 3);
	CU_ASSERT_STRING_EQUAL(no.keys[0], "rapl_unit_j");
	CU_ASSERT_EQUAL(no.number, 1.0 / 16384.0);
	CU_ASSERT_STRING_EQUAL(no.unit, "J");
	CU_ASSERT_STRING_EQUAL(no.keys[1], "rapl_unit_source");
	CU_ASSERT_STRING_EQUAL(no.text[1], "assumed 2^-14 J (Intel ESU default)");
	CU_ASSERT_STRING_EQUAL(no.keys[2], "rapl_units");
	CU_ASSERT_STRING_EQUAL(no.text[2], "package-0: 6.1035e-05 J; package-0/dram: 1.5258e-05 J; "
			       "psys: 6.10352e-05 J (assumed)");
	rapl_tree_remove(&t);
	free(set);
}

static void test_without_powercap_the_unit_is_assumed_and_said_so(void)
{
	struct rapl_tree t;
	struct rapl_set *set = calloc(1, sizeof(*set));
	CU_ASSERT_FATAL(set && rapl_tree_make(&t) == 0);
	perf_counters(set);
	set->n = 1;
	set->c[0].unit_j = 1.0; /* whatever was there before */
	powercap_units(t.root, set);
	CU_ASSERT_EQUAL(set->c[0].unit_j, ldexp(1, -14));
	CU_ASSERT_TRUE(set->c[0].unit_assumed);
	struct notes no;
	notes_of(set, &no);
	CU_ASSERT_EQUAL(no.n, 2);
	CU_ASSERT_EQUAL(no.number, ldexp(1, -14));
	CU_ASSERT_STRING_EQUAL(no.text[1], "assumed 2^-14 J (Intel ESU default)");
	rapl_tree_remove(&t);
	free(set);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("RAPL energy unit", NULL, NULL);
	CU_add_test(s, "the unit from the wrap range", test_unit_from_the_wrap_range);
	CU_add_test(s, "perf counters take the unit of their powercap zone",
		    test_perf_counters_take_the_unit_of_their_powercap_zone);
	CU_add_test(s, "without powercap the unit is assumed and said so",
		    test_without_powercap_the_unit_is_assumed_and_said_so);
	return cunit_run_registered();
}
