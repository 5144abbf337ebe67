/* Reading a live snapshot (energymon.h, "Live readings"): the records with
 * their pool offsets turned into pointers, under the struct_size rule of
 * the typed result. */
#include "internal.h"
#include "live.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

void em_live_free(struct em_live *live)
{
	free(live);
}

double em_live_taken(const struct em_live *live)
{
	return live ? live->taken : NAN;
}

static const char *text(const struct em_live *l, uint32_t at)
{
	return at == EM_LIVE_NO_TEXT ? NULL : (const char *)l + em_live_pool_at(l) + at;
}

int em_live_source(const struct em_live *live, size_t source, struct em_live_source *out)
{
	if (!live || !out)
		return -EINVAL;
	if (out->struct_size < offsetof(struct em_live_source, available))
		return -EINVAL;
	if (source >= live->nsources)
		return -ENOENT;
	const struct em_live_source_rec *r = em_live_sources(live) + source;
	struct em_live_source one = r->pub;
	one.id = text(live, r->id);
	one.plugin = text(live, r->plugin);
	one.instance = text(live, r->instance);
	one.reason = text(live, r->reason);
	one.last_error = text(live, r->last_error);
	return em_fill_sized(out, &one, sizeof(one), offsetof(struct em_live_source, available));
}

int em_live_series(const struct em_live *live, size_t source, size_t i, struct em_live_series *out)
{
	if (!live || !out)
		return -EINVAL;
	if (out->struct_size < offsetof(struct em_live_series, kind))
		return -EINVAL;
	if (source >= live->nsources)
		return -ENOENT;
	const struct em_live_source_rec *src = em_live_sources(live) + source;
	if (i >= src->pub.nseries)
		return -ENOENT;
	const struct em_live_series_rec *r = em_live_series_recs(live) + src->first_series + i;
	struct em_live_series one = r->pub;
	one.key = text(live, r->key);
	one.sensor = text(live, r->sensor);
	one.unit = text(live, r->unit);
	return em_fill_sized(out, &one, sizeof(one), offsetof(struct em_live_series, kind));
}
