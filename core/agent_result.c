/*
 * A window's end under energymond: the agent's state document becomes a
 * stopped monitor (em_monitor_from_state), whose sources the caller's
 * monitor adopts, so the result JSON, the files and the typed API are
 * those of any monitor. Whatever goes wrong on the way (the agent died,
 * hung past EM_AGENT_END_TIMEOUT_S, answered garbage, the caller
 * abandoned the wait) the result is a placeholder per source with the
 * reason, and stop still succeeds: the run's failure is in its result.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool asked(const struct em_monitor *mon, const struct em_source *src)
{
	for (size_t i = 0; i < mon->agent->nsources; i++)
		if (!strcmp(mon->agent->sources[i].id, src->name))
			return true;
	return false;
}

void em_agent_fail_sources(struct em_monitor *mon, const char *why)
{
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *src = mon->sources[i];
		if (!asked(mon, src))
			continue; /* says already why the agent has no such source */
		src->available = false;
		snprintf(src->reason, sizeof(src->reason), "%s", why);
	}
}

static struct em_source *take_source(struct em_monitor *from, const char *name)
{
	for (size_t i = 0; i < from->nsources; i++) {
		struct em_source *src = from->sources[i];
		if (src && !strcmp(src->name, name)) {
			from->sources[i] = NULL;
			return src;
		}
	}
	return NULL;
}

/* Take each stand-in's source from the rebuilt monitor; a source the
 * agent's answer lacks becomes a placeholder that says so. The rebuilt
 * monitor's other sources and its shell are freed. */
static void adopt(struct em_monitor *mon, struct em_monitor *rebuilt)
{
	for (size_t i = 0; i < mon->nsources; i++) {
		struct em_source *standin = mon->sources[i];
		struct em_source *src = asked(mon, standin) ? take_source(rebuilt, standin->name) : NULL;
		if (!src) {
			if (asked(mon, standin)) {
				standin->available = false;
				snprintf(standin->reason, sizeof(standin->reason), "energymond at %s: its answer to 'end' "
				         "has no result for this source: nothing was measured", mon->agent->path);
			}
			continue;
		}
		/* named as this monitor names it: file names come from these */
		memcpy(src->name, standin->name, sizeof(src->name));
		memcpy(src->plugin, standin->plugin, sizeof(src->plugin));
		memcpy(src->instance_name, standin->instance_name, sizeof(src->instance_name));
		memcpy(src->file_tag, standin->file_tag, sizeof(src->file_tag));
		src->mon = mon;
		mon->sources[i] = src;
		em_source_release(standin);
	}
	/* the window's own times, when the document gave a sane span */
	if (rebuilt->stop_mono > rebuilt->start_mono && rebuilt->start_wall > 0) {
		mon->start_mono = rebuilt->start_mono;
		mon->start_wall = rebuilt->start_wall;
		mon->stop_mono = rebuilt->stop_mono;
		mon->stop_wall = rebuilt->stop_wall;
	}
	size_t kept = 0;
	for (size_t i = 0; i < rebuilt->nsources; i++)
		if (rebuilt->sources[i])
			rebuilt->sources[kept++] = rebuilt->sources[i];
	rebuilt->nsources = kept;
	em_monitor_destroy(rebuilt);
}

/* End the window and read the answer: 0 with *out, or the reason in err. */
static int end_window(struct em_monitor *mon, struct em_monitor **out, struct em_error *err)
{
	struct em_agent_conn *c = mon->agent;
	char *state = NULL;
	int rc = em_agent_end(c, &state, err);
	if (rc)
		return rc;
	struct em_error local = {0};
	rc = em_monitor_from_state(state, strlen(state), mon->cfg, out, &local);
	free(state);
	if (rc) {
		*out = NULL;
		return em_fail(err, rc, "energymond at %s: its answer to 'end' cannot be read: %.400s", c->path,
		               local.message);
	}
	return 0;
}

int em_agent_stop(struct em_monitor *mon, struct em_error *err)
{
	struct em_agent_conn *c = mon->agent;
	mon->stop_mono = em_now_ns(CLOCK_MONOTONIC);
	mon->stop_wall = em_now_ns(CLOCK_REALTIME);
	if (c->window_open) {
		struct em_monitor *rebuilt = NULL;
		struct em_error why = {0};
		if (end_window(mon, &rebuilt, &why) == 0) {
			adopt(mon, rebuilt);
		} else {
			char reason[ENERGY_REASON_MAX];
			snprintf(reason, sizeof(reason), "%.460s: nothing was measured", why.message);
			em_agent_fail_sources(mon, reason);
		}
	}
	/* closing is what frees the window in the agent, whatever happened */
	em_agent_disconnect(c);
	mon->stopped = true;
	mon->result = em_composite_result(mon);
	if (!mon->result)
		return em_fail(err, -ENOMEM, "out of memory building the result");
	return 0;
}
