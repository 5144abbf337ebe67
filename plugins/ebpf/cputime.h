/*
 * cputime.h — what the kernel side (cputime.bpf.c) and the user side share:
 * one entry of the per-CPU accounting map. Fixed-width fields only, no
 * implicit padding, so both compilers lay it out the same way.
 *
 * The switch handler on a CPU is the only writer of the live fields of that
 * CPU's entry; the flush program (run on that CPU, with interrupts off, so
 * never at the same time as the switch handler there) is the only writer of
 * the snap_ fields, which user space reads after the flush returns. That is
 * why no locks and no sequence counters are needed.
 */
#ifndef EBPF_CPUTIME_H
#define EBPF_CPUTIME_H

#define CPUTIME_MAX_COUNTERS 2 /* perf counters read at each switch */
#define CPUTIME_MAX_ROOTS 4096  /* process trees followed at once */
/* Per-root counters (slot_ns): user space gives each root a slot from 1;
 * 0 is "no slot". A slot freed by one set of roots is not given again by
 * the same change (tasks of the old generation may still carry it while
 * the new one is seeded), so twice the roots, plus slot 0, never run out. */
#define CPUTIME_SLOTS (2 * CPUTIME_MAX_ROOTS + 1)

#ifdef __BPF__
/* vmlinux.h provides __u32/__u64 */
#else
#include <linux/types.h>
#endif

/* Who has been on a CPU since its last switch. UNKNOWN: no switch seen on
 * that CPU yet, so the running task's slice cannot be attributed. */
enum ebpf_task_kind {
	KIND_UNKNOWN = 0,
	KIND_IDLE = 1,  /* the idle task (pid 0) */
	KIND_OTHER = 2, /* a task outside the monitored tree */
	KIND_TREE = 3   /* a task of the monitored tree */
};
/* A tree task's kind carries its root's slot (cputime_mark.slot) above
 * the low 8 bits: KIND_TREE | slot << KIND_SLOT_SHIFT. */
#define KIND_SLOT_SHIFT 8
#define KIND_BASE(kind) ((kind) & 0xffu)

/* A task's mark in the task-local storage: the membership generation
 * (cputime.bpf.c) and the slot of its nearest followed root. A child
 * inherits both at fork. */
struct cputime_mark {
	__u32 gen;
	__u32 slot;
};

struct cputime_cpu {
	/* live: written by the sched_switch handler (and by the flush, which
	 * closes the running slice) */
	/* Times are in the scheduler's clock (rq->clock, ns), which the
	 * scheduler has just read at every switch: reading it costs a load,
	 * where bpf_ktime_get_ns() costs about 40 ns on the test VMs. */
	__u64 last_clk;       /* rq->clock at the last switch or flush; 0: none yet */
	__u64 pair_clk;       /* rq->clock and CLOCK_MONOTONIC read together, */
	__u64 pair_kt;        /* to convert between the two (flush, start) */
	__u64 busy_ns;        /* non-idle time charged so far */
	__u64 idle_ns;        /* idle time charged so far */
	__u64 tree_ns;        /* time of tree tasks charged so far */
	__u64 tree_switches;  /* switches away from a tree task */
	__u64 unseen;         /* switches whose prev was not the last next: one went unseen */
	__u64 cur_task;       /* address of the task switched in last, only compared */
	__u32 cur_kind;       /* enum ebpf_task_kind of the task running since last_clk (with its slot) */
	__u32 multiplexed;    /* 1: a counter ran only part of the time */
	__u64 cnt_last[CPUTIME_MAX_COUNTERS]; /* counter values at the last switch or flush */
	__u64 cnt_tree[CPUTIME_MAX_COUNTERS]; /* counts charged to the tree */
	/* the kinds of the last two tasks looked up here, by address and
	 * start time (an address alone may be reused by a later task) */
	__u64 memo_task[2];
	__u64 memo_start[2];
	__u32 memo_kind[2];
	__u32 memo_next;      /* slot to replace next */
	__u32 memo_epoch;     /* the epoch (cputime.bpf.c) the memo is for */
	/* snapshot: written only by the flush program */
	__u64 snap_ns;        /* CLOCK_MONOTONIC of the snapshot */
	__u64 snap_busy_ns;
	__u64 snap_idle_ns;
	__u64 snap_tree_ns;
	__u64 snap_tree_switches;
	__u64 snap_unseen;
	__u64 snap_cnt_tree[CPUTIME_MAX_COUNTERS];
	__u32 snap_valid;     /* 1 once a flush ran on this CPU */
	__u32 snap_multiplexed;
};

#endif
