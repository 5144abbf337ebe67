/*
 * The idle baseline: a monitor of the same plugins and configuration, run
 * for energy_baseline_s while the command has not started (or has ended),
 * measures what the machine draws doing nothing. Its own plugin instances
 * (a second BMC session, a second RAPL reader) measure the same hardware
 * the run does; nothing of the run's result is touched by it.
 */
#include "agent.h"
#include "internal.h"
#include "result_keys.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sleep `seconds`, waking early when the run is abandoned (a signal). */
static void idle_for(const struct em_monitor *mon, double seconds)
{
	int64_t until = em_now_ns(CLOCK_MONOTONIC) + (int64_t)(seconds * 1e9);
	for (;;) {
		int64_t left = until - em_now_ns(CLOCK_MONOTONIC);
		if (left <= 0 || mon->abandon)
			return;
		int64_t step = left < 50000000 ? left : 50000000;
		struct timespec ts = {0, (long)step};
		nanosleep(&ts, NULL);
	}
}

static struct em_idle_source *idle_source(struct em_baseline *b, const char *name)
{
	for (size_t i = 0; i < b->nsources; i++)
		if (!strcmp(b->sources[i].name, name))
			return &b->sources[i];
	struct em_idle_source *grown = realloc(b->sources, (b->nsources + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	b->sources = grown;
	struct em_idle_source *s = &grown[b->nsources++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

/* Add the idle monitor's bounded energies to the baseline. */
static int keep(struct em_baseline *b, const struct em_results *res)
{
	for (size_t i = 0; i < res->nsources; i++) {
		const struct em_source_result *r = &res->sources[i];
		struct em_idle_source *s = idle_source(b, r->src->name);
		if (!s)
			return -ENOMEM;
		for (size_t j = 0; j < r->nmetrics; j++) {
			const struct em_metric_result *m = &r->metrics[j];
			if (!m->row || m->row->role != EM_ROLE_ENERGY || !m->bound.method || !(m->covered_s > 0))
				continue;
			struct em_idle_key *k = NULL;
			for (size_t n = 0; n < s->nkeys && !k; n++)
				k = strcmp(s->keys[n].key, m->key) ? NULL : &s->keys[n];
			if (!k && s->nkeys < EM_BASELINE_KEYS) {
				k = &s->keys[s->nkeys++];
				snprintf(k->key, sizeof(k->key), "%s", m->key);
			}
			if (!k)
				continue;
			k->energy_j += m->value;
			k->low_j += m->bound.low;
			k->high_j += m->bound.high;
			k->covered_s += m->covered_s;
		}
	}
	return 0;
}

static void say(struct em_baseline *b, const char *when, const char *why)
{
	size_t used = strlen(b->reason);
	snprintf(b->reason + used, sizeof(b->reason) - used, "%sthe idle span %s the run was not measured: %s",
	         used ? "; " : "", when, why);
}

int em_baseline_measure(struct em_monitor *mon, bool after)
{
	if (!mon->baseline && !(mon->baseline = calloc(1, sizeof(*mon->baseline))))
		return -ENOMEM;
	struct em_baseline *b = mon->baseline;
	b->before_s = mon->cfg->baseline_s;
	b->after_s = mon->cfg->baseline_after ? mon->cfg->baseline_s : 0;
	const char *when = after ? "after" : "before";
	struct em_config *cfg = em_config_copy(mon->cfg);
	if (!cfg)
		return -ENOMEM;
	cfg->baseline_s = 0; /* the idle monitor measures no baseline of its own */
	cfg->baseline_after = false;
	cfg->agent_mode = EM_AGENT_OFF; /* the run is measured in-process: so is its idle */
	struct em_monitor *idle = NULL;
	struct em_error err = {0};
	int rc = em_monitor_create(cfg, 0, &idle, &err);
	em_config_free(cfg);
	if (!rc)
		rc = em_monitor_start(idle, &err);
	if (rc) {
		say(b, when, err.message);
		em_monitor_destroy(idle);
		return 0;
	}
	double from = (double)em_now_ns(CLOCK_REALTIME) / 1e9;
	idle_for(mon, mon->cfg->baseline_s);
	rc = em_monitor_stop(idle, &err);
	if (rc == -ENOMEM) {
		em_monitor_destroy(idle);
		return rc;
	}
	if (rc || !idle->results) {
		say(b, when, rc ? err.message : "no result");
	} else if (b->nwindows < 2) {
		b->windows[b->nwindows][0] = from;
		b->windows[b->nwindows][1] = (double)em_now_ns(CLOCK_REALTIME) / 1e9;
		b->nwindows++;
		rc = keep(b, idle->results);
	}
	em_monitor_destroy(idle);
	return rc == -ENOMEM ? rc : 0;
}

void em_baseline_free(struct em_baseline *b)
{
	if (!b)
		return;
	free(b->sources);
	free(b);
}
