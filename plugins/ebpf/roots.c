/*
 * roots.c — the user side's book of the followed roots: which slot of the
 * per-root counters (slot_ns in cputime.bpf.c) each root has, and which
 * roots are nested in which.
 *
 * Slots: a root keeps its slot for as long as it stays in the set, so its
 * counter only grows. A new root gets a slot that no task can still carry:
 * never one freed by the same change (tasks of the old generation keep
 * counting while the new one is seeded), and the caller zeroes it first.
 * A slot freed by one change may be given by the next one: by then the
 * generation that carried it no longer counts.
 *
 * Nesting: a task counts for its nearest root only (each task has one
 * mark), so a root inside another root's tree takes its part away from the
 * outer one. When following children, the outer root's per-target time
 * adds its nested roots' own times back, the nesting read from /proc's
 * parent links when the set is given (a tree re-parented later keeps the
 * nesting it had then).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf_internal.h"

#define MAX_DEPTH 64 /* parent links followed, as in cputime.bpf.c */

struct ebpf_roots *roots_new(void)
{
	return calloc(1, sizeof(struct ebpf_roots));
}

/* The parent and the start time (field 22, clock ticks since boot) of
 * `pid` from /proc/PID/stat; -1 when it cannot be read (no such process). */
static int stat_of(pid_t pid, pid_t *ppid, unsigned long long *started)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: skip to the last ')' */
	const char *end = strrchr(buf, ')');
	char state;
	int parent;
	if (!end || sscanf(end + 1, " %c %d", &state, &parent) != 2 || parent < 0)
		return -1;
	*ppid = (pid_t)parent;
	const char *p = end;
	for (int field = 2; p && field < 22; field++) /* to the space before field 22 */
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", started) != 1)
		*started = 0;
	return 0;
}

/* The parent of `pid`, or 0. */
static pid_t parent_of(pid_t pid)
{
	pid_t ppid;
	unsigned long long started;
	return stat_of(pid, &ppid, &started) == 0 ? ppid : 0;
}

/* The start time of `pid`, or 0 when it does not exist now. */
static unsigned long long start_of(pid_t pid)
{
	pid_t ppid;
	unsigned long long started;
	if (stat_of(pid, &ppid, &started) != 0)
		return 0;
	return started ? started : 1; /* exists, start unknown: never "changed" from unknown */
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* r->pid is sorted (roots_replace keeps it so): 4096 roots cost no more
 * than a dozen comparisons each to find. */
static int index_of(const struct ebpf_roots *r, pid_t pid)
{
	const pid_t *hit = bsearch(&pid, r->pid, r->n, sizeof(pid), cmp_pid);
	return hit ? (int)(hit - r->pid) : -1;
}

int roots_index(const struct ebpf_roots *r, pid_t pid)
{
	return index_of(r, pid);
}

/* The nesting of the roots whose outer[] is -1 (new ones, and those whose
 * outer root left), from /proc's parent links now. A dead root's pid may
 * name another process: it finds nothing. */
static void find_nesting(struct ebpf_roots *r, int follow_children)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->outer[i] >= 0 || r->dead[i])
			continue;
		pid_t p = r->pid[i];
		for (int depth = 0; follow_children && depth < MAX_DEPTH && r->outer[i] < 0; depth++) {
			p = parent_of(p); /* 0 above pid 1 */
			if (p <= 0)
				break;
			r->outer[i] = index_of(r, p);
		}
	}
}

int roots_replace(struct ebpf_roots *r, const pid_t *pids, size_t n, int follow_children, uint32_t *fresh,
		  size_t *nfresh, char *why, size_t len)
{
	static const size_t slots = sizeof(r->slot_pid) / sizeof(r->slot_pid[0]);
	if (n > EBPF_MAX_ROOTS) {
		snprintf(why, len, "ebpf: %zu process trees asked for, at most %d can be followed", n, EBPF_MAX_ROOTS);
		return -E2BIG;
	}
	struct ebpf_roots *next = calloc(1, sizeof(*next));
	if (!next) {
		snprintf(why, len, "ebpf: out of memory");
		return -ENOMEM;
	}
	memcpy(next->slot_pid, r->slot_pid, sizeof(next->slot_pid));
	/* the set, sorted, each pid once; staying roots keep their slots */
	memcpy(next->pid, pids, n * sizeof(*pids));
	qsort(next->pid, n, sizeof(*pids), cmp_pid);
	for (size_t i = 0; i < n; i++) {
		if (next->n && next->pid[next->n - 1] == next->pid[i])
			continue;
		int old = index_of(r, next->pid[i]);
		size_t k = next->n++;
		next->pid[k] = next->pid[i];
		next->slot[k] = old >= 0 ? r->slot[old] : 0;
		next->outer[k] = -1;
		if (old < 0) {
			next->started[k] = start_of(next->pid[k]);
			next->dead[k] = next->started[k] == 0; /* exited since it was checked */
			continue;
		}
		/* A staying root that has exited keeps its slot, so its total
		 * stays readable, but is never seeded again: a new process given
		 * the same pid (maybe another user's) is not its tree. */
		unsigned long long now = start_of(next->pid[k]);
		next->started[k] = r->started[old];
		next->dead[k] = r->dead[old] || now == 0 || (r->started[old] > 1 && now != r->started[old]);
	}
	/* staying roots keep their nesting while their outer root stays: the
	 * outer root's tree time then never drops (a nested root re-parented
	 * when the outer one exits, say) */
	for (size_t k = 0; follow_children && k < next->n; k++) {
		int old = index_of(r, next->pid[k]);
		if (old >= 0 && r->outer[old] >= 0)
			next->outer[k] = index_of(next, r->pid[r->outer[old]]);
	}
	/* new roots: slots free before this change (slot_pid still names
	 * the roots leaving now, so theirs are not taken) */
	uint32_t s = 1;
	*nfresh = 0;
	for (size_t i = 0; i < next->n; i++) {
		if (next->slot[i])
			continue;
		while (s < slots && next->slot_pid[s])
			s++;
		if (s >= slots) { /* cannot happen: 2 x the roots, see cputime.h */
			free(next);
			snprintf(why, len, "ebpf: no free per-tree counter left");
			return -ENOSPC;
		}
		next->slot[i] = s;
		next->slot_pid[s] = next->pid[i];
		fresh[(*nfresh)++] = s;
	}
	/* the leaving roots' slots are free from the next change on */
	for (size_t i = 0; i < r->n; i++)
		if (index_of(next, r->pid[i]) < 0)
			next->slot_pid[r->slot[i]] = 0;
	find_nesting(next, follow_children);
	memcpy(r, next, sizeof(*r));
	free(next);
	return 0;
}

void roots_sum(struct ebpf_roots *r)
{
	for (size_t i = 0; i < r->n; i++)
		r->tree_ns[i] = r->own_ns[i];
	for (size_t i = 0; i < r->n; i++) {
		int k = r->outer[i];
		for (size_t steps = 0; k >= 0 && steps < r->n; steps++, k = r->outer[k])
			r->tree_ns[k] += r->own_ns[i];
	}
}
