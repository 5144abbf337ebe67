// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * cputime.bpf.c — kernel side of the ebpf plugin: on-CPU time of one process
 * tree, and the machine's busy and idle time, counted at every context switch.
 *
 * Membership of the tree is a task-local storage entry: looking it up costs a
 * pointer walk from the task, not a hash of a pid, which keeps the switch
 * handler close to the cost of an empty program, and an entry dies with its
 * task, so a recycled pid can never join the tree by accident.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cputime.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define MAX_DEPTH 64 /* parent links followed when deciding membership */
/* How often a CPU that keeps switching re-reads CLOCK_MONOTONIC next to
 * rq->clock. The two run at the same rate to within NTP's slew (under 500
 * ppm), so converting over this span errs by under 2 us; a CPU that does
 * not switch for long converts over a longer span, erring by 0.05% of it. */
#define RESYNC_NS 4000000ULL

/* set between open and load */
const volatile __u32 follow_children = 1;
const volatile __u32 n_counters = 0; /* perf counters in counter0, counter1 */

/* set by user space through the mmapped .bss */
__u64 start_ns = 0; /* CLOCK_MONOTONIC; charged from here by a CPU's first switch */
__u32 seeding = 0;  /* 1 while existing tasks are being marked */
/* forks of tree tasks whose child could not be marked (storage busy or
 * out of memory): their time is not counted, so the result says so */
__u64 missed_forks = 0;
__u64 seeded_tasks = 0; /* tasks marked by the seed iterator */
/* Membership generations, so that user space can replace the set of trees
 * (set_targets) while the handlers run. A task belongs to the tree when its
 * storage holds `gen`, or `seed_gen` while a new set is being seeded: during
 * the change the union of both sets counts, each task once (one mark per
 * task), so no slice is charged twice; then `gen` becomes `seed_gen` and the
 * tasks of the old set only drop out. 0 is never a generation. */
__u32 gen = 0;
__u32 seed_gen = 0;
/* Bumped whenever gen or seed_gen changes: the per-CPU memos are stale. */
__u32 epoch = 0;
/* 1 for the slots of the roots in the set (exited ones too), written by
 * user space before a seed walk: a task already in a tree that no root
 * reaches now (an orphan re-parented away, its root exited maybe) stays in
 * its tree while that tree is followed. */
__u8 slot_kept[CPUTIME_SLOTS] = {};

/* the roots' pids (tgids) of the trees to follow -> each root's slot (>= 1);
 * read only while seeding */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CPUTIME_MAX_ROOTS);
	__type(key, __u32);
	__type(value, __u32);
} roots SEC(".maps");

/* Each root's own on-CPU time, by slot: a tree task's slice is charged to
 * the slot of its nearest root too (one more array update per slice).
 * Like cpu_acct, a CPU's entry is written only by the handlers on that
 * CPU; user space reads the live values right after the flush ran on
 * every CPU (the flush closes the running slice). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CPUTIME_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} slot_ns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cputime_cpu);
} cpu_acct SEC(".maps");

/* one perf event per CPU each; libbpf sizes them to the possible CPUs */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} counter0 SEC(".maps"), counter1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cputime_mark);
} tree SEC(".maps");

/* t's mark when it counts now (its generation is gen or seed_gen), else
 * NULL: it is not in the tree. */
static __always_inline struct cputime_mark *member(struct task_struct *t)
{
	struct cputime_mark *m = bpf_task_storage_get(&tree, t, 0, 0);
	if (!m || !m->gen)
		return 0;
	return m->gen == gen || m->gen == seed_gen ? m : 0;
}

/* The kind of t; a tree task's kind carries its root's slot above the
 * low 8 bits (KIND_SLOT_SHIFT, cputime.h), so the hot path moves one
 * word, as it did before there were slots. */
static __always_inline __u32 kind_of(struct task_struct *t)
{
	if (t->pid == 0)
		return KIND_IDLE;
	struct cputime_mark *m = member(t);
	return m ? KIND_TREE | m->slot << KIND_SLOT_SHIFT : KIND_OTHER;
}

/* kind_of() remembered per CPU: a CPU mostly switches among a few tasks.
 * Membership of a live task changes only when user space changes the set
 * of trees (a child is marked at fork, before it can run), and then it
 * bumps `epoch`, which forgets what was remembered. */
static __always_inline __u32 kind_memo(struct cputime_cpu *c, struct task_struct *t)
{
	if (t->pid == 0)
		return KIND_IDLE;
	__u32 now_epoch = epoch;
	if (c->memo_epoch != now_epoch) {
		c->memo_task[0] = c->memo_task[1] = 0;
		c->memo_epoch = now_epoch;
	}
	__u64 p = (__u64)t, born = t->start_time;
	if (c->memo_task[0] == p && c->memo_start[0] == born)
		return c->memo_kind[0];
	if (c->memo_task[1] == p && c->memo_start[1] == born)
		return c->memo_kind[1];
	__u32 kind = kind_of(t);
	__u32 slot = c->memo_next & 1;
	c->memo_task[slot] = p;
	c->memo_start[slot] = born;
	c->memo_kind[slot] = kind;
	c->memo_next = slot ^ 1;
	return kind;
}

/* The slot of the nearest root `t` is or (when following children)
 * descends from, or 0 when none. Only used while seeding: afterwards,
 * marks are inherited at fork. */
static __always_inline __u32 descends_from_roots(struct task_struct *t)
{
	for (int i = 0; i < MAX_DEPTH; i++) {
		__u32 tgid = BPF_CORE_READ(t, tgid);
		__u32 *slot = bpf_map_lookup_elem(&roots, &tgid);
		if (slot)
			return *slot;
		if (!follow_children)
			return 0;
		struct task_struct *parent = BPF_CORE_READ(t, real_parent);
		if (!parent || parent == t)
			return 0;
		t = parent;
	}
	return 0;
}

/* The slot t keeps when no root reaches it: its current mark's, while
 * that tree is still followed; else 0. */
static __always_inline __u32 kept_slot(struct task_struct *t)
{
	struct cputime_mark *m = bpf_task_storage_get(&tree, t, 0, 0);
	if (!m || !m->gen || m->gen != gen)
		return 0;
	__u32 slot = m->slot;
	return slot < CPUTIME_SLOTS && slot_kept[slot] ? slot : 0;
}

static __always_inline void mark(struct task_struct *t, __u32 g, __u32 slot)
{
	struct cputime_mark *v = bpf_task_storage_get(&tree, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v) {
		v->slot = slot;
		v->gen = g;
	} else {
		__sync_fetch_and_add(&missed_forks, 1);
	}
}

static __always_inline void charge(struct cputime_cpu *c, __u32 kind, __u64 ns)
{
	if (kind == KIND_IDLE) {
		c->idle_ns += ns;
	} else {
		c->busy_ns += ns;
		if (KIND_BASE(kind) == KIND_TREE) {
			__u32 slot = kind >> KIND_SLOT_SHIFT;
			c->tree_ns += ns;
			__u64 *own = bpf_map_lookup_elem(&slot_ns, &slot);
			if (own)
				*own += ns;
		}
	}
}

/* __schedule() updated this CPU's rq->clock just before the tracepoint.
 * The runqueues symbol needs CONFIG_KALLSYMS_ALL; the task's cfs_rq
 * (CONFIG_FAIR_GROUP_SCHED, set for tasks of every class) points at the
 * runqueue of the CPU it is about to run on. Without it, pay for the clock
 * read: the pairs then hold the same clock twice. */
static __always_inline __u64 switch_clock(struct task_struct *next)
{
	if (bpf_core_field_exists(struct cfs_rq, rq))
		return next->se.cfs_rq->rq->clock;
	return bpf_ktime_get_ns();
}

static __always_inline void count_one(struct cputime_cpu *c, void *map, int i, __u32 kind)
{
	struct bpf_perf_event_value v;
	if (bpf_perf_event_read_value(map, BPF_F_CURRENT_CPU, &v, sizeof(v)) != 0)
		return;
	/* cnt_last is 0 before this CPU's first reading: nothing to charge */
	if (KIND_BASE(kind) == KIND_TREE && c->cnt_last[i])
		c->cnt_tree[i] += v.counter - c->cnt_last[i];
	c->cnt_last[i] = v.counter;
	if (v.running < v.enabled)
		c->multiplexed = 1;
}

/* Charge the counts since the last reading on this CPU to `kind`. With no
 * counters (n_counters is read-only), the verifier drops all of this. */
static __always_inline void count(struct cputime_cpu *c, __u32 kind)
{
	if (n_counters > 0)
		count_one(c, &counter0, 0, kind);
	if (n_counters > 1)
		count_one(c, &counter1, 1, kind);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0;
	struct cputime_cpu *c = bpf_map_lookup_elem(&cpu_acct, &zero);
	if (!c)
		return 0;
	__u64 now = switch_clock(next);
	__u64 since = c->last_clk;
	__u32 was = c->cur_kind;
	if (!since) {
		/* first switch on this CPU: prev has run since at least start */
		__u64 kt = bpf_ktime_get_ns();
		c->pair_clk = now;
		c->pair_kt = kt;
		since = kt > start_ns && now > kt - start_ns ? now - (kt - start_ns) : now;
		was = kind_of(prev);
	} else {
		if (now - c->pair_clk > RESYNC_NS) {
			c->pair_clk = now;
			c->pair_kt = bpf_ktime_get_ns();
		}
		if (c->cur_task != (__u64)prev) {
			/* A switch into prev was not delivered to this program
			 * (seen on Firecracker guests). prev certainly ran
			 * since it was last switched in: the scheduler's own
			 * record of that moment (sched_info.last_arrival, the
			 * same rq->clock as `now`, written at each real switch
			 * after this tracepoint) splits the slice; the time
			 * before it is the last task seen switched in's.
			 * (prev's sum_exec_runtime stint is not used: it is
			 * task-clock time and restarts whenever the scheduler
			 * picks the running task again, which undercounted
			 * prev on a busy machine.) Without that record, or
			 * with one outside the slice, all of it is prev's. */
			__u64 arrived = 0;
			if (bpf_core_field_exists(prev->sched_info.last_arrival))
				arrived = BPF_CORE_READ(prev, sched_info.last_arrival);
			if (arrived > since && arrived < now) {
				charge(c, was, arrived - since);
				since = arrived;
			}
			was = kind_of(prev);
			c->unseen++;
		}
	}
	if (now > since)
		charge(c, was, now - since);
	if (KIND_BASE(was) == KIND_TREE)
		c->tree_switches++;
	count(c, was);
	c->last_clk = now;
	c->cur_task = (__u64)next;
	c->cur_kind = kind_memo(c, next);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!follow_children && child->tgid != parent->tgid)
		return 0;
	struct cputime_mark *pm = member(parent);
	__u32 g = pm ? pm->gen : 0, slot = pm ? pm->slot : 0;
	/* a fork racing the seed walk: the walk may have passed the parent */
	if (seeding && g != seed_gen) {
		__u32 s = descends_from_roots(parent);
		if (!s)
			s = kept_slot(parent);
		if (s) {
			g = seed_gen;
			slot = s;
		}
	}
	if (g)
		mark(child, g, slot);
	return 0;
}

/* Run over every task (thread) alive then: at start, and whenever user
 * space sets new roots. */
SEC("iter/task")
int seed(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	__u32 slot = t ? descends_from_roots(t) : 0;
	if (!slot && t)
		slot = kept_slot(t);
	if (slot) {
		mark(t, seed_gen, slot);
		__sync_fetch_and_add(&seeded_tasks, 1);
	}
	return 0;
}

/* Run on one CPU through BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU: it
 * executes in an interrupt there (or with preemption off, on the caller's
 * CPU), so no switch handler runs there meanwhile. It charges the running
 * slice up to now and copies the totals to snap_. */
SEC("raw_tp")
int flush(void *ctx)
{
	__u32 zero = 0;
	struct cputime_cpu *c = bpf_map_lookup_elem(&cpu_acct, &zero);
	if (!c)
		return 0;
	__u64 kt = bpf_ktime_get_ns();
	/* The interrupted task is the one running here. If a switch into it
	 * went unseen, the running slice is its own, not the last next's. */
	struct task_struct *cur = bpf_get_current_task_btf();
	if (c->last_clk && c->cur_task != (__u64)cur) {
		c->cur_task = (__u64)cur;
		c->cur_kind = kind_of(cur);
		c->unseen++;
	}
	if (c->last_clk && c->cur_kind != KIND_UNKNOWN && kt > c->pair_kt) {
		/* rq->clock is not fresh here: convert from the last pair */
		__u64 now = c->pair_clk + (kt - c->pair_kt);
		if (now > c->last_clk) {
			charge(c, c->cur_kind, now - c->last_clk);
			c->last_clk = now;
		}
		count(c, c->cur_kind);
	}
	c->snap_ns = kt;
	c->snap_busy_ns = c->busy_ns;
	c->snap_idle_ns = c->idle_ns;
	c->snap_tree_ns = c->tree_ns;
	c->snap_tree_switches = c->tree_switches;
	c->snap_unseen = c->unseen;
	c->snap_cnt_tree[0] = c->cnt_tree[0];
	c->snap_cnt_tree[1] = c->cnt_tree[1];
	c->snap_multiplexed = c->multiplexed;
	c->snap_valid = 1;
	return 0;
}
