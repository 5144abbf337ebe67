/*
 * baseline.h — the idle baseline (energy_baseline_s, energy_baseline_after):
 * what the machine draws doing nothing, measured with the same plugins just
 * before (and after) the run, so a result can say how much of its energy
 * the work added: dynamic = total - idle power x covered time, each with
 * its bound (docs/uncertainty.md).
 */
#ifndef ENERGYMON_BASELINE_H
#define ENERGYMON_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#define EM_BASELINE_KEYS 8

/* One energy key of one source, summed over the idle spans. */
struct em_idle_key {
	char key[64];
	double energy_j, low_j, high_j, covered_s;
};

struct em_idle_source {
	char name[64]; /* the source id ("ipmi", "ipmi:rack1") */
	struct em_idle_key keys[EM_BASELINE_KEYS];
	size_t nkeys;
};

struct em_baseline {
	double before_s, after_s;   /* asked for */
	double windows[2][2];       /* the idle spans measured, unix s */
	size_t nwindows;
	struct em_idle_source *sources;
	size_t nsources;
	char reason[512];           /* why a span could not be measured; "" when all were */
};

#endif
