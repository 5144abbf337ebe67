/*
 * rapl_unit.h — the RAPL energy unit: how finely a counter counts, and so
 * each reading's resolution (ABI 1.3), which bounds every delta the host
 * makes of it (docs/uncertainty.md).
 */
#ifndef PERF_RAPL_UNIT_H
#define PERF_RAPL_UNIT_H

#include "rapl_counter.h"

#include <stdint.h>

/* Intel's usual energy status unit (ESU 14 in MSR_RAPL_POWER_UNIT), taken
 * when no powercap zone says the counter's range: an assumption (AMD and
 * Intel server DRAM count in 2^-16 J, finer: the assumed unit is wider than
 * theirs, not narrower). */
#define RAPL_UNIT_ASSUMED_J (1.0 / 16384.0)
#define RAPL_UNIT_SOURCE_POWERCAP "powercap max_energy_range_uj"
#define RAPL_UNIT_SOURCE_ASSUMED "assumed 2^-14 J (Intel ESU default)"

/* The unit in joules of a 32-bit RAPL counter whose powercap zone publishes
 * max_energy_range_uj = range_uj; 0 for range 0 (not known). */
double rapl_unit_from_range_uj(uint64_t range_uj);
/* Give c its unit: from range_uj, or the assumed one when it is 0. */
void rapl_unit_set(struct rapl_counter *c, uint64_t range_uj);
/* Notes rapl_unit_j and rapl_unit_source (and rapl_units, per counter,
 * when the counters' units differ). */
void rapl_unit_notes(const struct energy_host *host, const struct rapl_set *set);

#endif
