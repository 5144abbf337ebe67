/*
 * A stopped monitor built from parts instead of measured: sources with no
 * library and no thread, whose series someone else filled (a window's
 * slice, a state document). Destroyed like any other monitor.
 * (Helper 3's minimal version; helper 1 owns this file.)
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

struct em_monitor *em_monitor_new_stopped(const struct em_config *cfg)
{
	struct em_monitor *mon = calloc(1, sizeof(*mon));
	if (!mon || !(mon->cfg = em_config_copy(cfg))) {
		free(mon);
		return NULL;
	}
	return mon;
}

struct em_source *em_source_new_detached(struct em_monitor *mon)
{
	struct em_source **grown = realloc(mon->sources, (mon->nsources + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	mon->sources = grown;
	struct em_source *src = em_source_new(mon);
	if (!src)
		return NULL;
	if (em_sampler_init(src)) {
		em_source_free(src);
		return NULL;
	}
	mon->sources[mon->nsources++] = src;
	return src;
}

int em_monitor_finish_stopped(struct em_monitor *mon)
{
	/* stopped before the result is built: a placeholder's time span is the
	 * monitor's only once it stopped (result_model.c) */
	mon->started = mon->stopped = true;
	json_decref(mon->result);
	mon->result = em_composite_result(mon);
	return mon->result ? 0 : -ENOMEM;
}
