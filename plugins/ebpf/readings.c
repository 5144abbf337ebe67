/*
 * readings.c — what the ebpf plugin hands the host at every sample: the
 * cumulative totals, and on an ABI 1.2 host each followed root's own tree
 * time. The host integrates them: the tree's CPU time is "cpu_time", the
 * machine's busy time "machine_busy_time", their ratio "cpu_share"; the
 * plugin repeats none of them as a note or a FINAL reading.
 */
#include <stdio.h>
#include <string.h>

#include "ebpf_internal.h"

static int host_is_1_2(const struct energy_host *h)
{
	return ENERGY_HAS_MEMBER(h, struct energy_host, emit_target) && h->emit_target;
}

int ebpf_targets_later(const struct energy_host *host)
{
	return host_is_1_2(host) && (host->flags & ENERGY_HOST_TARGETS_LATER);
}

/* ABI 1.3: how finely the CPU seconds are known. Every time the BPF
 * program charges is a difference of bpf_ktime_get_ns() (CLOCK_MONOTONIC,
 * whole ns, truncated from the clocksource's finer count), so a reading of
 * a cumulative time is truncated to the ns at its ends. Each stint's
 * truncation is also up to 1 ns either way, but those are independent and
 * of mean 0: a million context switches add some 400 ns, below the
 * share's timing term (CPUs x the skew between the energy's and these
 * samples, composite.c) by orders of magnitude. */
#define EBPF_CPU_TIME_RESOLUTION_S 1e-9

/* On a 1.1 host the tree's CPU time is declared as energymon's own
 * metric (an empty key: filed as "cpu_time" exactly as the 1.0 reading
 * "tree" was), so that a 1.2 host can take each root's part of it by the
 * metric's id. A 1.0 host has no declare_metric: the 1.0 reading stays. */
void ebpf_declare(struct ebpf_inst *in)
{
	const struct energy_host *h = in->host;
	in->tree_metric = -1;
	in->per_target = host_is_1_2(h);
	if (!ENERGY_HAS_MEMBER(h, struct energy_host, declare_metric) || !h->declare_metric)
		return;
	struct energy_metric m = { .struct_size = sizeof(m), .kind = ENERGY_KIND_SECONDS,
				   .unit = ENERGY_UNIT_SECOND, .scope = ENERGY_SCOPE_PROCESS,
				   .resolution = EBPF_CPU_TIME_RESOLUTION_S };
	if (in->per_target)
		m.flags = ENERGY_METRIC_PER_TARGET;
	int id = h->declare_metric(h->ctx, &m);
	if (id >= 0) {
		in->tree_metric = id;
	} else {
		in->per_target = 0;
		h->log(h->ctx, ENERGY_LOG_WARN, "ebpf: declaring the tree's CPU time failed (%d): reported as a "
		       "1.0 reading, without per-tree parts", id);
	}
}

static void emit_per_root(struct ebpf_inst *in, const struct ebpf_totals *t)
{
	const struct energy_host *h = in->host;
	const struct ebpf_roots *r = monitor_roots(in->mon);
	for (size_t i = 0; i < r->n; i++) {
		int rc = h->emit_target(h->ctx, in->tree_metric, r->pid[i], (double)r->tree_ns[i] / 1e9, t->mono_ns,
					t->wall_ns);
		if (rc != 0)
			h->log(h->ctx, ENERGY_LOG_DEBUG, "ebpf: the host refused process %d's tree time (%d)",
			       (int)r->pid[i], rc);
	}
}

void ebpf_emit(struct ebpf_inst *in, const struct ebpf_totals *t)
{
	const struct energy_host *h = in->host;
	struct energy_reading r;
	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	r.counter_max = 0; /* 64-bit nanoseconds: no wrap */
	r.mono_ns = t->mono_ns;
	r.wall_ns = t->wall_ns;

	r.quantity = ENERGY_Q_CPU_TIME_S;
	r.resolution = EBPF_CPU_TIME_RESOLUTION_S;
	if (in->tree_metric >= 0) {
		h->emit_metric(h->ctx, in->tree_metric, (double)t->tree_ns / 1e9, t->mono_ns, t->wall_ns);
		if (in->per_target)
			emit_per_root(in, t);
	} else {
		r.scope = ENERGY_SCOPE_PROCESS;
		snprintf(r.sensor, sizeof(r.sensor), "tree");
		r.value = (double)t->tree_ns / 1e9;
		h->emit(h->ctx, &r);
	}

	r.scope = ENERGY_SCOPE_SYSTEM;
	snprintf(r.sensor, sizeof(r.sensor), "busy");
	r.value = (double)t->busy_ns / 1e9;
	h->emit(h->ctx, &r);

	snprintf(r.sensor, sizeof(r.sensor), "idle");
	r.value = (double)t->idle_ns / 1e9;
	h->emit(h->ctx, &r);

	r.quantity = ENERGY_Q_COUNT;
	r.resolution = 0; /* counted, not measured: exact */
	r.scope = ENERGY_SCOPE_PROCESS;
	snprintf(r.sensor, sizeof(r.sensor), "context_switches");
	r.value = (double)t->tree_switches;
	h->emit(h->ctx, &r);

	for (unsigned i = 0; i < in->counters.n; i++) {
		snprintf(r.sensor, sizeof(r.sensor), "%s", in->counters.name[i]);
		r.value = (double)t->counts[i];
		h->emit(h->ctx, &r);
	}
}
