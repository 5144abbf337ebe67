/*
 * monitor.c — the user side of cputime.bpf.c, in libbpf-bootstrap order:
 * open, set rodata, load (create); attach the fork handler, seed the tree,
 * attach the switch handler (start); flush and read (sample, stop); detach.
 * The roots of the trees can be replaced at any time (monitor_set_roots):
 * the tasks are seeded again under a new membership generation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cputime.h"
#include "cputime.skel.h"
#include "ebpf_internal.h"

#define VERIFIER_LOG_SIZE (256 * 1024)

_Static_assert(EBPF_MAX_COUNTERS == CPUTIME_MAX_COUNTERS, "one counter map per counter");
_Static_assert(EBPF_MAX_ROOTS == CPUTIME_MAX_ROOTS && EBPF_SLOTS == CPUTIME_SLOTS, "one book of roots");

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

/* libbpf prints to stderr by default; a plugin never prints. The callback
 * has no user pointer, so it cannot reach the host's log: stay silent and
 * report through return codes and the verifier log instead. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The verifier's verdict is the last non-empty line of its log. */
static const char *last_line(char *log)
{
	size_t n = strlen(log);
	while (n > 0 && (log[n - 1] == '\n' || log[n - 1] == ' '))
		log[--n] = '\0';
	char *nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

/* Hand the perf events to the kernel side: one map per counter, by CPU. */
static int install_counters(struct ebpf_monitor *m, const struct ebpf_counters *counters, char *why,
			    size_t len)
{
	struct bpf_map *maps[EBPF_MAX_COUNTERS] = { m->skel->maps.counter0, m->skel->maps.counter1 };
	for (unsigned i = 0; i < counters->n; i++)
		for (__u32 cpu = 0; cpu < (__u32)counters->ncpus && (int)cpu < m->ncpus; cpu++) {
			int fd = counters->fds[i][cpu];
			if (fd < 0)
				continue;
			if (bpf_map_update_elem(bpf_map__fd(maps[i]), &cpu, &fd, BPF_ANY) != 0) {
				int err = -errno;
				snprintf(why, len, "ebpf: installing the %s counter of CPU %u failed: %s",
					 counters->name[i], cpu, strerror(-err));
				return err;
			}
		}
	return 0;
}

int monitor_open(struct ebpf_monitor **out, const struct energy_host *host, int follow_children, const struct ebpf_counters *counters,
		 char *why, size_t len)
{
	int err;
	struct ebpf_monitor *m = calloc(1, sizeof(*m));
	char *log = calloc(1, VERIFIER_LOG_SIZE);
	libbpf_print_fn_t old_print = libbpf_set_print(quiet);
	if (!m || !log) {
		err = -ENOMEM;
		snprintf(why, len, "ebpf: out of memory");
		goto cleanup;
	}
	m->host = host;
	m->ncpus = libbpf_num_possible_cpus();
	if (m->ncpus <= 0) {
		err = m->ncpus ? m->ncpus : -EIO;
		snprintf(why, len, "ebpf: cannot count the possible CPUs (/sys/devices/system/cpu/possible): %s",
			 strerror(-err));
		goto cleanup;
	}
	m->values = calloc((size_t)m->ncpus, sizeof(*m->values));
	m->slot_values = calloc((size_t)m->ncpus, sizeof(*m->slot_values));
	m->roots = roots_new();
	m->follow_children = follow_children;
	if (!m->values || !m->slot_values || !m->roots) {
		err = -ENOMEM;
		snprintf(why, len, "ebpf: out of memory");
		goto cleanup;
	}

	LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log,
		    .kernel_log_size = VERIFIER_LOG_SIZE);
	m->skel = cputime_bpf__open_opts(&opts);
	if (!m->skel) {
		err = errno ? -errno : -EINVAL;
		snprintf(why, len, "ebpf: opening the embedded BPF object failed: %s", strerror(-err));
		goto cleanup;
	}
	m->skel->rodata->follow_children = follow_children ? 1 : 0;
	m->skel->rodata->n_counters = counters->n;

	err = cputime_bpf__load(m->skel);
	if (err) {
		snprintf(why, len, "ebpf: the kernel refused to load the BPF programs (%s)%s%s",
			 strerror(-err), log[0] ? ": " : "", last_line(log));
		host->log(host->ctx, ENERGY_LOG_DEBUG, "ebpf: verifier log:\n%s", log);
		goto cleanup;
	}
	err = install_counters(m, counters, why, len);
	if (err)
		goto cleanup;
	*out = m;
	m = NULL;
cleanup:
	libbpf_set_print(old_print);
	free(log);
	monitor_close(m);
	return err;
}

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
static int reseed(struct ebpf_monitor *m, char *why, size_t len)
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
		key = (__u32)m->roots->pid[i];
		if (bpf_map_update_elem(fd, &key, &m->roots->slot[i], BPF_ANY) != 0) {
			err = -errno;
			snprintf(why, len, "ebpf: adding process %d to the roots failed: %s", (int)key,
				 strerror(-err));
			return err;
		}
	}
	if (!m->started)
		return 0; /* monitor_start seeds them */
	libbpf_print_fn_t old_print = libbpf_set_print(quiet);
	err = reseed(m, why, len);
	libbpf_set_print(old_print);
	/* The task running on each CPU was classified when it was switched
	 * in: make every CPU switch, so the new set applies from now on. */
	return err ? err : cpu_visit_all(why, len);
}

int monitor_start(struct ebpf_monitor *m, char *why, size_t len)
{
	int err;
	libbpf_print_fn_t old_print = libbpf_set_print(quiet);
	/* Fork handler first: a fork racing the walk below is caught either
	 * by the walk or by the handler's ancestry check. */
	m->fork_link = bpf_program__attach(m->skel->progs.on_fork);
	if (!m->fork_link) {
		err = -errno;
		snprintf(why, len, "ebpf: attaching to tp_btf/sched_process_fork failed: %s", strerror(-err));
		goto cleanup;
	}
	err = reseed(m, why, len);
	if (err)
		goto cleanup;

	__atomic_store_n(&m->skel->bss->start_ns, (__u64)now_ns(CLOCK_MONOTONIC), __ATOMIC_SEQ_CST);
	m->switch_link = bpf_program__attach(m->skel->progs.on_switch);
	if (!m->switch_link) {
		err = -errno;
		snprintf(why, len, "ebpf: attaching to tp_btf/sched_switch failed: %s", strerror(-err));
		goto cleanup;
	}
	/* Until a CPU switches once, who runs there is unknown and its
	 * running slice cannot be charged: make every CPU switch now. */
	err = cpu_visit_all(why, len);
cleanup:
	libbpf_set_print(old_print);
	if (err)
		monitor_stop(m);
	m->started = !err;
	return err;
}

/* Each root's own time, read after the flush ran on every CPU (so the
 * slices running then are in): later than the snapshot by the time this
 * read takes, microseconds. */
static int read_roots(struct ebpf_monitor *m, char *why, size_t len)
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

int monitor_read(struct ebpf_monitor *m, struct ebpf_totals *out, char *why, size_t len)
{
	int prog_fd = bpf_program__fd(m->skel->progs.flush);
	for (int cpu = 0; cpu < m->ncpus; cpu++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = (__u32)cpu);
		int err = bpf_prog_test_run_opts(prog_fd, &opts);
		if (err == -ENXIO)
			continue; /* offline: its totals stay as last flushed */
		if (err) {
			snprintf(why, len, "ebpf: flushing CPU %d's counters failed: %s", cpu, strerror(-err));
			return err;
		}
	}
	memset(out, 0, sizeof(*out));
	out->mono_ns = now_ns(CLOCK_MONOTONIC);
	out->wall_ns = now_ns(CLOCK_REALTIME);
	__u32 zero = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(m->skel->maps.cpu_acct), &zero, m->values) != 0) {
		int err = -errno;
		snprintf(why, len, "ebpf: reading the per-CPU counters failed: %s", strerror(-err));
		return err;
	}
	for (int cpu = 0; cpu < m->ncpus; cpu++) {
		const struct cputime_cpu *c = &m->values[cpu];
		if (!c->snap_valid)
			continue;
		out->busy_ns += c->snap_busy_ns;
		out->idle_ns += c->snap_idle_ns;
		out->tree_ns += c->snap_tree_ns;
		out->tree_switches += c->snap_tree_switches;
		out->unseen += c->snap_unseen;
		for (int i = 0; i < EBPF_MAX_COUNTERS; i++)
			out->counts[i] += c->snap_cnt_tree[i];
		out->multiplexed |= c->snap_multiplexed != 0;
		out->cpus++;
	}
	return read_roots(m, why, len);
}

void monitor_stop(struct ebpf_monitor *m)
{
	m->started = 0;
	bpf_link__destroy(m->switch_link);
	m->switch_link = NULL;
	bpf_link__destroy(m->fork_link);
	m->fork_link = NULL;
}

uint64_t monitor_missed_forks(const struct ebpf_monitor *m)
{
	return __atomic_load_n(&m->skel->bss->missed_forks, __ATOMIC_RELAXED);
}

const struct ebpf_roots *monitor_roots(const struct ebpf_monitor *m)
{
	return m->roots;
}

uint64_t monitor_seeded_tasks(const struct ebpf_monitor *m)
{
	return __atomic_load_n(&m->skel->bss->seeded_tasks, __ATOMIC_RELAXED);
}

void monitor_close(struct ebpf_monitor *m)
{
	if (!m)
		return;
	monitor_stop(m);
	cputime_bpf__destroy(m->skel);
	free(m->values);
	free(m->slot_values);
	free(m->roots);
	free(m);
}
