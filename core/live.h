/* The layout of a live snapshot (live.c builds it, live_read.c reads it):
 * one block of [struct em_live][source records][series records][pool]. */
#ifndef ENERGYMON_LIVE_H
#define ENERGYMON_LIVE_H

#include "energymon.h"

#include <stddef.h>
#include <stdint.h>

#define EM_LIVE_NO_TEXT UINT32_MAX /* a NULL string */

/* The public struct with its strings as pool offsets (its own string
 * pointers stay NULL; kind and scope are static strings). */
struct em_live_source_rec {
	struct em_live_source pub;
	uint32_t id, plugin, instance, reason, last_error;
	size_t first_series;
};
struct em_live_series_rec {
	struct em_live_series pub;
	uint32_t key, sensor, unit;
};

struct em_live {
	double taken;                 /* unix seconds */
	size_t nsources;
	size_t nseries, series_cap;   /* series records used, and room */
	size_t pool_used, pool_cap;   /* string bytes */
};

static inline struct em_live_source_rec *em_live_sources(const struct em_live *l)
{
	return (struct em_live_source_rec *)(void *)((char *)(uintptr_t)l + sizeof(*l));
}
static inline struct em_live_series_rec *em_live_series_recs(const struct em_live *l)
{
	return (struct em_live_series_rec *)(void *)(em_live_sources(l) + l->nsources);
}
/* Where the pool begins, in bytes from the block's start. */
static inline size_t em_live_pool_at(const struct em_live *l)
{
	return sizeof(*l) + l->nsources * sizeof(struct em_live_source_rec) +
	       l->series_cap * sizeof(struct em_live_series_rec);
}

#endif
