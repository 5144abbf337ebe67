/*
 * monitor_roots.c — the roots of the followed trees on the BPF side: the
 * roots map (pid -> slot), the per-root counters (slot_ns), and the seed
 * walk that marks the trees' tasks. The roots can be replaced at any time
 * (monitor_set_roots): the tasks are seeded again under a new membership
 * generation. Which root has which slot is roots.c's book.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "monitor_priv.h"

/* Mark the tasks of the tree that exist now: run the seed iterator once. */
static int seed_tree(struct ebpf_monitor *m, char *why, size_t len)
{
	int err = 0, fd = -1;
	struct bpf_link *it = bpf_program__attach_iter(m->skel->progs.seed, NULL);
	if (!it) {
		err = -errno;
		snprintf(why, len, "ebpf: attaching the task iterator failed: %s", strerror(-err));
		goto cleanup;
	}
	fd = bpf_iter_create(bpf_link__fd(it));
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "ebpf: creating the task iterator failed: %s", strerror(-err));
		goto cleanup;
	}
	char buf[256];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0) {
		err = -errno;
		snprintf(why, len, "ebpf: walking the tasks failed: %s", strerror(-err));
	}
cleanup:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(it);
	return err;
}

/* Mark the trees of the current roots under a new generation, then make it
 * the only one. While the walk runs, the old and the new generation both
 * count (each task holds one mark, so nothing counts twice); the fork
 * handler's ancestry check catches forks that race the walk. */
int monitor_reseed(struct ebpf_monitor *m, char *why, size_t len)
{
	struct cputime_bpf__bss *bss = m->skel->bss;
	__u32 old = __atomic_load_n(&bss->gen, __ATOMIC_SEQ_CST), next = old + 1;
	__atomic_store_n(&bss->seeded_tasks, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&bss->seed_gen, next, __ATOMIC_SEQ_CST);
	__atomic_store_n(&bss->seeding, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&bss->epoch, 1, __ATOMIC_SEQ_CST);
	int err = seed_tree(m, why, len);
	__atomic_store_n(&bss->seeding, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&bss->gen, err ? old : next, __ATOMIC_SEQ_CST);
	__atomic_store_n(&bss->seed_gen, err ? old : next, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&bss->epoch, 1, __ATOMIC_SEQ_CST);
	return err;
}

/* A slot given to a new root starts from zero on every CPU. No task
 * carries it now (roots.c), so nothing writes it meanwhile. */
static int zero_slots(struct ebpf_monitor *m, const __u32 *fresh, size_t n, char *why, size_t len)
{
	int fd = bpf_map__fd(m->skel->maps.slot_ns);
	memset(m->slot_values, 0, (size_t)m->ncpus * sizeof(*m->slot_values));
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &fresh[i], m->slot_values, BPF_ANY) != 0) {
			int err = -errno;
			snprintf(why, len, "ebpf: clearing per-tree counter %u failed: %s", fresh[i], strerror(-err));
			return err;
		}
	return 0;
}

int monitor_set_roots(struct ebpf_monitor *m, const pid_t *pids, size_t n, char *why, size_t len)
{
	int fd = bpf_map__fd(m->skel->maps.roots);
	__u32 key, next;
	__u32 *fresh = calloc(n ? n : 1, sizeof(*fresh));
	size_t nfresh = 0;
	if (!fresh) {
		snprintf(why, len, "ebpf: out of memory");
		return -ENOMEM;
	}
	int err = roots_replace(m->roots, pids, n, m->follow_children, fresh, &nfresh, why, len);
	if (!err)
		err = zero_slots(m, fresh, nfresh, why, len);
	free(fresh);
	if (err)
		return err;
	/* Only the seed walk and forks during it read the roots, so they may
	 * change here one by one. */
	while (bpf_map_get_next_key(fd, NULL, &next) == 0) {
		key = next;
		if (bpf_map_delete_elem(fd, &key) != 0)
			break;
	}
	for (size_t i = 0; i < m->roots->n; i++) {
		if (m->roots->dead[i])
			continue; /* its counter stays; its pid must not seed anything */
		key = (__u32)m->roots->pid[i];
		if (bpf_map_update_elem(fd, &key, &m->roots->slot[i], BPF_ANY) != 0) {
			err = -errno;
			snprintf(why, len, "ebpf: adding process %d to the roots failed: %s", (int)key,
				 strerror(-err));
			return err;
		}
	}
	/* the trees followed now, for the seed walk to keep their orphans */
	__u8 *kept = m->skel->bss->slot_kept;
	memset(kept, 0, sizeof(m->skel->bss->slot_kept));
	for (size_t i = 0; i < m->roots->n; i++)
		kept[m->roots->slot[i]] = 1;
	if (!m->started)
		return 0; /* monitor_start seeds them */
	libbpf_print_fn_t old_print = libbpf_set_print(monitor_quiet);
	err = monitor_reseed(m, why, len);
	libbpf_set_print(old_print);
	/* The task running on each CPU was classified when it was switched
	 * in: make every CPU switch, so the new set applies from now on. */
	return err ? err : cpu_visit_all(why, len);
}

/* Each root's own time, read after the flush ran on every CPU (so the
 * slices running then are in): later than the snapshot by the time this
 * read takes, microseconds. */
int monitor_read_roots(struct ebpf_monitor *m, char *why, size_t len)
{
	int fd = bpf_map__fd(m->skel->maps.slot_ns);
	struct ebpf_roots *r = m->roots;
	for (size_t i = 0; i < r->n; i++) {
		if (bpf_map_lookup_elem(fd, &r->slot[i], m->slot_values) != 0) {
			int err = -errno;
			snprintf(why, len, "ebpf: reading the per-tree counters failed: %s", strerror(-err));
			return err;
		}
		r->own_ns[i] = 0;
		for (int cpu = 0; cpu < m->ncpus; cpu++)
			r->own_ns[i] += m->slot_values[cpu];
	}
	roots_sum(r);
	return 0;
}

const struct ebpf_roots *monitor_roots(const struct ebpf_monitor *m)
{
	return m->roots;
}
