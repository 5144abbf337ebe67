/* A power reading of the kind the hostile-reading tests feed the host's
 * series and bound code directly (no plugin, no clock): t seconds into a
 * run, value watts, nothing said about its quality until the test says it. */
#ifndef HOSTILE_READING_H
#define HOSTILE_READING_H

#include <math.h>
#include <string.h>

#include "../../core/internal.h"

static inline void hostile_reading(struct energy_reading *r, double t, double value)
{
	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	r->quantity = ENERGY_Q_POWER_W;
	r->scope = ENERGY_SCOPE_SYSTEM;
	strcpy(r->sensor, "dcmi");
	r->value = value;
	r->mono_ns = (int64_t)llround((1000 + t) * 1e9);
	r->wall_ns = (int64_t)llround((1.7e9 + t) * 1e9);
}

/* The series' 95 % bound as the result would give it. */
static inline void hostile_bound(const struct em_series *s, struct em_bound *b)
{
	struct em_unc u;
	em_series_unc(s, &u);
	em_bound_of(&u, s->total, s->gap_s, b);
}

#endif
