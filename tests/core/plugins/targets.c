/*
 * Test plugin for ABI 1.2 per-target readings, with a known truth. It
 * follows up to 64 targets (host->target_pid, then set_targets' pids,
 * which it never checks: the host's set is what is tested). Declares:
 *   work      a counter in "units", PER_TARGET: each target's own part
 *             grows at (pid % 7 + 1) units per second of the run; the
 *             union's total (emit_metric) is their sum;
 *   plain     the same counter without PER_TARGET (emit_target refused).
 * The declaration of a PER_TARGET gauge must be refused: its code is the
 * note "rc_gauge_per_target"; emit_target from create() is noted as
 * "rc_emit_in_create". Every emit_target code other than 0 in sample() is
 * counted in the note "refused" (the test keeps that at 0).
 */
#include "energy_plugin.h"
#include "test_plugin_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TARGETS 64

struct tp {
	const struct energy_host *host;
	int work, plain;
	int64_t t0;
	int64_t targets[MAX_TARGETS];
	size_t ntargets;
	int refused;
};

static const struct energy_config_key keys[] = {{NULL, 0, 0, NULL, NULL}};

static int declare(const struct energy_host *h, const char *key, uint32_t kind, uint32_t flags)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = kind, .unit = ENERGY_UNIT_COUNT,
	                          .scope = ENERGY_SCOPE_PROCESS, .flags = flags, .unit_name = "units"};
	snprintf(m.key, sizeof(m.key), "%s", key);
	return h->declare_metric(h->ctx, &m);
}

static int tp_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	if (!ENERGY_HAS_MEMBER(host, struct energy_host, emit_target) || !host->emit_target) {
		snprintf(why, len, "needs a host of ABI 1.2 (emit_target)");
		return -ENOTSUP;
	}
	struct tp *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	t->work = declare(host, "work", ENERGY_KIND_COUNTER, ENERGY_METRIC_PER_TARGET);
	t->plain = declare(host, "plain", ENERGY_KIND_COUNTER, 0);
	host->note_number(host->ctx, "rc_gauge_per_target",
	                  declare(host, "level", ENERGY_KIND_GAUGE, ENERGY_METRIC_PER_TARGET), "errno");
	if (host->target_pid > 0)
		t->targets[t->ntargets++] = host->target_pid;
	host->note_number(host->ctx, "rc_emit_in_create",
	                  host->emit_target(host->ctx, t->work, host->target_pid, 1.0, 0, 0), "errno");
	*inst = t;
	return 0;
}

static double weight(int64_t pid)
{
	return (double)(pid % 7 + 1);
}

static int tp_sample(void *inst)
{
	struct tp *t = inst;
	const struct energy_host *h = t->host;
	int64_t now = now_ns();
	double s = (double)(now - t->t0) / 1e9, sum = 0;
	for (size_t i = 0; i < t->ntargets; i++) {
		sum += weight(t->targets[i]) * s;
		if (h->emit_target(h->ctx, t->work, t->targets[i], weight(t->targets[i]) * s, now, 0) != 0)
			h->note_number(h->ctx, "refused", ++t->refused, "");
	}
	/* not the union's exact integral when the set changes; the test
	 * checks the parts */
	h->emit_metric(h->ctx, t->work, sum, now, 0);
	h->emit_metric(h->ctx, t->plain, s, now, 0);
	return 0;
}

static int tp_start(void *inst)
{
	struct tp *t = inst;
	t->t0 = now_ns();
	return tp_sample(t);
}

static int tp_stop(void *inst)
{
	(void)inst;
	return 0;
}

static int tp_set_targets(void *inst, const int64_t *pids, size_t n)
{
	struct tp *t = inst;
	if (n > MAX_TARGETS) {
		t->host->set_error(t->host->ctx, "at most %d targets", MAX_TARGETS);
		return -E2BIG;
	}
	memcpy(t->targets, pids, n * sizeof(*pids));
	t->ntargets = n;
	return 0;
}

static void tp_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_PROCESS),
	.name = "targetsplug",
	.version = "1.2.0",
	.description = "test plugin with per-target readings of known truth",
	.min_interval_s = 0.001,
	.config_keys = keys,
	.create = tp_create,
	.start = tp_start,
	.sample = tp_sample,
	.stop = tp_stop,
	.destroy = tp_destroy,
	.set_targets = tp_set_targets,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
