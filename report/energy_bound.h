/*
 * energy_bound.h — what a per-call file says about how far one of its
 * energies may be from the truth, read from the keys energymon writes
 * (README.md "Uncertainty and the idle baseline"):
 *
 *   energy_consumption: <energy_key>_uncertainty_j, <energy_key>_dynamic,
 *                       <energy_key>_dynamic_uncertainty_j, idle_power_<key>_w
 *   energymon:          uncertainty.<key>.{low, high},
 *                       baseline.dynamic_j.<key>.{low, high},
 *                       baseline.idle_power_w.<key>.value
 *
 * The energymon section's low/high are preferred: a slow BMC makes the
 * bound lopsided, and value +- half_width would hide on which side the
 * truth lies. Files without those keys (older energymon, the seed's
 * monitor) have no bound: absent, never zero.
 */
#ifndef REPORT_ENERGY_BOUND_H
#define REPORT_ENERGY_BOUND_H

#include "energy_trace.h"

/* A 95 % interval in J. */
struct energy_interval {
	bool present;
	double low, high;
};

struct energy_bounds {
	struct energy_interval total;     /* around the file's energy at the key */
	struct maybe_double dynamic_j;    /* the energy less idle power x time */
	struct energy_interval dynamic;   /* around dynamic_j */
	struct maybe_double idle_power_w; /* the idle baseline's power */
};

/* The bounds of `trace`'s energy at `row` (an energy row of the result
 * keys table). Everything is absent for a placeholder run or a NULL row. */
void energy_bounds_read(const struct energy_trace *trace, const struct em_result_key *row,
                        struct energy_bounds *out);

#endif
