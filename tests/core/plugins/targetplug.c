/*
 * Test plugin for ABI 1.2 per-target metrics, with a known truth. Declares
 *   (empty key)  process-scope CPU seconds, ENERGY_METRIC_PER_TARGET: filed
 *                as energymon's "cpu_time", like ebpf's tree CPU time;
 *   (empty key)  system-scope busy seconds ("machine_busy_time"), 1 s/s
 *                since start(), so a window's cpu_share is known too.
 * A target pid p followed since set_targets() added it has used
 * TARGETPLUG_RATE(p) seconds per second since then: each sample() emits
 * that through emit_target for every current target, and their sum through
 * emit_metric. set_targets() fails -ESRCH for a new pid that does not
 * exist (the earlier targets stay); a target already followed may have
 * exited: it keeps being reported at its rate (the set_targets contract). Records host->flags as note "host_flags"
 * and notes "emit_target" = "missing" when the host has no emit_target.
 */
#include "energy_plugin.h"
#include "test_plugin_util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* seconds of CPU per second: 1 ms/s .. 97 ms/s, by pid */
#define TARGETPLUG_RATE(pid) (0.001 * (double)((pid) % 97 + 1))
#define MAX_TARGETS 256

struct target {
	int64_t pid;
	int64_t since; /* CLOCK_MONOTONIC ns when followed */
};

struct tg {
	const struct energy_host *host;
	int tree, busy;
	int64_t t0;
	struct target targets[MAX_TARGETS];
	size_t ntargets;
	double sum_before; /* of targets dropped since: the total stays cumulative */
};

static bool has_emit_target(const struct energy_host *h)
{
	return h->struct_size >= offsetof(struct energy_host, emit_target) + sizeof(h->emit_target) &&
	       h->emit_target;
}

static int declare(const struct energy_host *h, uint32_t scope, uint32_t flags)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = ENERGY_KIND_SECONDS, .unit = ENERGY_UNIT_SECOND,
	                          .scope = scope, .flags = flags};
	return h->declare_metric(h->ctx, &m);
}

static int tg_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	(void)why, (void)len;
	struct tg *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	t->tree = declare(host, ENERGY_SCOPE_PROCESS, ENERGY_METRIC_PER_TARGET);
	t->busy = declare(host, ENERGY_SCOPE_SYSTEM, 0);
	bool v12 = host->struct_size >= offsetof(struct energy_host, flags) + sizeof(host->flags);
	host->note_number(host->ctx, "host_flags", v12 ? (double)host->flags : -1.0, "");
	if (!has_emit_target(host))
		host->note_string(host->ctx, "emit_target", "missing");
	*inst = t;
	return 0;
}

static double used(const struct target *x, int64_t now)
{
	return TARGETPLUG_RATE(x->pid) * (double)(now - x->since) / 1e9;
}

static void emit_all(struct tg *t, int64_t now)
{
	const struct energy_host *h = t->host;
	double sum = t->sum_before;
	for (size_t i = 0; i < t->ntargets; i++) {
		sum += used(&t->targets[i], now);
		if (has_emit_target(h))
			h->emit_target(h->ctx, t->tree, t->targets[i].pid, used(&t->targets[i], now), now, 0);
	}
	h->emit_metric(h->ctx, t->tree, sum, now, 0);
	h->emit_metric(h->ctx, t->busy, (double)(now - t->t0) / 1e9, now, 0);
}

static int tg_start(void *inst)
{
	struct tg *t = inst;
	t->t0 = now_ns();
	emit_all(t, t->t0);
	return 0;
}

static int tg_sample(void *inst)
{
	emit_all(inst, now_ns());
	return 0;
}

static int tg_stop(void *inst)
{
	(void)inst;
	return 0;
}

static bool followed(const struct tg *t, int64_t pid)
{
	for (size_t i = 0; i < t->ntargets; i++)
		if (t->targets[i].pid == pid)
			return true;
	return false;
}

static int tg_set_targets(void *inst, const int64_t *pids, size_t n)
{
	struct tg *t = inst;
	if (n > MAX_TARGETS) {
		t->host->set_error(t->host->ctx, "at most %d targets", MAX_TARGETS);
		return -E2BIG;
	}
	for (size_t i = 0; i < n; i++)
		if (pids[i] <= 0 || (!followed(t, pids[i]) && kill((pid_t)pids[i], 0) != 0 && errno == ESRCH)) {
			t->host->set_error(t->host->ctx, "pid %lld does not exist", (long long)pids[i]);
			return -ESRCH;
		}
	int64_t now = now_ns();
	struct target next[MAX_TARGETS];
	for (size_t i = 0; i < n; i++) {
		next[i] = (struct target){.pid = pids[i], .since = now};
		for (size_t j = 0; j < t->ntargets; j++)
			if (t->targets[j].pid == pids[i])
				next[i] = t->targets[j];
	}
	for (size_t j = 0; j < t->ntargets; j++) {
		bool kept = false;
		for (size_t i = 0; i < n; i++)
			kept |= t->targets[j].pid == pids[i];
		if (!kept)
			t->sum_before += used(&t->targets[j], now);
	}
	memcpy(t->targets, next, n * sizeof(next[0]));
	t->ntargets = n;
	return 0;
}

static void tg_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_PROCESS) | ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "targetplug",
	.version = "1.2.0",
	.description = "test plugin with a per-target CPU-time metric of known truth",
	.min_interval_s = 0.001,
	.create = tg_create,
	.start = tg_start,
	.sample = tg_sample,
	.stop = tg_stop,
	.destroy = tg_destroy,
	.set_targets = tg_set_targets,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
