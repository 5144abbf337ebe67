/*
 * powercap_backend.h — RAPL through /sys/class/powercap/intel-rapl:* (Intel,
 * and AMD packages on Linux 5.8+). One counter per zone whose domain is in
 * the mask: energy_uj, wrapping at max_energy_range_uj.
 */
#ifndef PERF_POWERCAP_BACKEND_H
#define PERF_POWERCAP_BACKEND_H

#include "rapl_counter.h"

/* Fill `set` from the zones under `root`. Returns 0 (set->n may be 0 when no
 * zone matches the mask); -ENODEV when there are no RAPL zones; -EACCES
 * when energy_uj cannot be read; -EIO/-EINVAL for a malformed zone. `why`
 * names the file and what to do. The set is left empty on failure. */
int powercap_open(const char *root, unsigned domain_mask, struct rapl_set *set, char *why,
		  size_t why_len);

/* For counters opened otherwise (perf): each one's energy unit from the
 * max_energy_range_uj of the powercap zone of the same sensor, where root
 * has one (it is world-readable where energy_uj is not); else assumed. */
void powercap_units(const char *root, struct rapl_set *set);

#endif
