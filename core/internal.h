/* Declarations shared between core/ files; nothing here is public. */
#ifndef ENERGYMON_INTERNAL_H
#define ENERGYMON_INTERNAL_H

#include "energymon.h"
#include "energy_plugin.h"

#define EM_INTERNAL __attribute__((visibility("hidden")))

/* Fill err (if not NULL) and return code (a negative errno). */
EM_INTERNAL int em_fail(struct em_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
