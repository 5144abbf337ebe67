/*
 * monitor_priv.h — the BPF side's state, shared by monitor.c (lifecycle,
 * readings) and monitor_roots.c (the roots, seeding, per-root counters).
 */
#ifndef EBPF_MONITOR_PRIV_H
#define EBPF_MONITOR_PRIV_H

#include <stdarg.h>
#include <bpf/libbpf.h>

#include "cputime.h"
#include "cputime.skel.h"
#include "ebpf_internal.h"

struct ebpf_monitor {
	const struct energy_host *host;
	struct cputime_bpf *skel;
	struct bpf_link *fork_link;
	struct bpf_link *switch_link;
	int ncpus;                  /* possible CPUs: the per-CPU map's width */
	struct cputime_cpu *values; /* one entry per possible CPU */
	__u64 *slot_values;         /* one slot_ns entry per possible CPU */
	struct ebpf_roots *roots;
	int follow_children;
	int started;                /* the handlers are attached */
};

/* libbpf's print callback while the plugin runs: silent (a plugin never prints). */
int monitor_quiet(enum libbpf_print_level level, const char *fmt, va_list ap);
/* Mark the trees of the current roots under a new generation (monitor_roots.c). */
int monitor_reseed(struct ebpf_monitor *m, char *why, size_t len);
/* Each root's own and tree time into m->roots, after a flush (monitor_roots.c). */
int monitor_read_roots(struct ebpf_monitor *m, char *why, size_t len);

#endif
