/*
 * rapl_unit.c — the RAPL energy unit of each counter. The hardware counts
 * energy in whole units of 2^-ESU J, so a reading is only known to one unit
 * (it truncates): that is its resolution. Neither backend reads the unit
 * itself (MSR_RAPL_POWER_UNIT needs the msr driver and root; perf's scale
 * is the kernel's fixed 2^-32 J, not the hardware's step), but powercap's
 * wrap range gives it away.
 */
#include "rapl_unit.h"

#include <stdio.h>
#include <string.h>

double rapl_unit_from_range_uj(uint64_t range_uj)
{
	/* Linux (drivers/powercap/intel_rapl_common.c, get_max_energy_counter)
	 * publishes max_energy_range_uj as the 32-bit energy status register's
	 * largest value, 0xffffffff units, translated to MICROjoules: the unit
	 * is kept in whole nJ (energy_unit = 1e9 >> ESU) and the product
	 * divided by 1000. So unit = range x 1e-6 J / (2^32 - 1); dividing by
	 * 2^32 instead is 2.3e-10 smaller, far below the kernel's own rounding
	 * of the unit to whole nJ (61035 nJ for 2^-14 J's 61035.16, 2.6e-6;
	 * 15258 nJ for 2^-16 J, 5e-5); either way it is a bound's resolution,
	 * not a figure. Intel's ESU 14 gives 262143328850 uJ (6.1035e-5 J);
	 * AMD's and server DRAM's ESU 16 give 65532610987 uJ (1.5258e-5 J). */
	return range_uj ? (double)range_uj * 1e-6 / 4294967296.0 : 0;
}

void rapl_unit_set(struct rapl_counter *c, uint64_t range_uj)
{
	double unit = rapl_unit_from_range_uj(range_uj);
	c->unit_assumed = !(unit > 0);
	c->unit_j = c->unit_assumed ? RAPL_UNIT_ASSUMED_J : unit;
}

void rapl_unit_notes(const struct energy_host *host, const struct rapl_set *set)
{
	if (set->n == 0)
		return;
	/* one figure: the coarsest unit (the widest resolution any counter
	 * has), with its source; each counter's when they differ */
	const struct rapl_counter *widest = &set->c[0];
	int differ = 0;
	for (size_t i = 1; i < set->n; i++) {
		const struct rapl_counter *c = &set->c[i];
		differ |= c->unit_j != widest->unit_j || c->unit_assumed != widest->unit_assumed;
		if (c->unit_j > widest->unit_j)
			widest = c;
	}
	host->note_number(host->ctx, "rapl_unit_j", widest->unit_j, "J");
	host->note_string(host->ctx, "rapl_unit_source",
			  widest->unit_assumed ? RAPL_UNIT_SOURCE_ASSUMED : RAPL_UNIT_SOURCE_POWERCAP);
	if (!differ)
		return;
	char list[1024] = "";
	for (size_t i = 0; i < set->n; i++) {
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s%s: %.6g J%s", used ? "; " : "", set->c[i].sensor,
			 set->c[i].unit_j, set->c[i].unit_assumed ? " (assumed)" : "");
	}
	host->note_string(host->ctx, "rapl_units", list);
}
