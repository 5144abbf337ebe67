/*
 * A stopped monitor made, not run: the result of a window (window.c) and a
 * monitor read back from a state document (monitor_state.c). Its sources
 * are detached: no plugin loaded, no thread, nothing to call; they hold
 * what was measured, and the result is built from them exactly as
 * em_monitor_stop() builds one, so every reader (em_monitor_result_json,
 * em_result_*, em_monitor_write_files) works on it unchanged.
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
	mon->started = true;
	mon->stopped = true;
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
	/* a lock, as every source has: readers of results may take it */
	if (em_sampler_init(src)) {
		free(src);
		return NULL;
	}
	mon->sources[mon->nsources++] = src;
	return src;
}

int em_monitor_finish_stopped(struct em_monitor *mon)
{
	json_decref(mon->result);
	mon->result = em_composite_result(mon);
	return mon->result ? 0 : -ENOMEM;
}
