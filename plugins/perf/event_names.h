/*
 * event_names.h — a RAPL event name as a user writes it in perf_events, to
 * its domain. Accepted: the kernel's "power/energy-pkg/" (or "energy-pkg"),
 * and anything libpfm4 resolves to its rapl PMU, e.g. "rapl::RAPL_ENERGY_PKG".
 */
#ifndef PERF_EVENT_NAMES_H
#define PERF_EVENT_NAMES_H

#include "rapl_domain.h"

#include <stddef.h>

/* 0 and *d, or -EINVAL with `why` naming the event and libpfm4's message. */
int event_name_resolve(const char *name, enum rapl_domain *d, char *why, size_t why_len);

#endif
