/*
 * monitor.c — the user side of cputime.bpf.c, in libbpf-bootstrap order:
 * open, set rodata, load (create); attach the fork handler, seed the tree,
 * attach the switch handler (start); flush and read (sample, stop); detach.
 * The roots of the trees, and the seeding, are in monitor_roots.c.
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
#include "monitor_priv.h"

#define VERIFIER_LOG_SIZE (256 * 1024)

_Static_assert(EBPF_MAX_COUNTERS == CPUTIME_MAX_COUNTERS, "one counter map per counter");
_Static_assert(EBPF_MAX_ROOTS == CPUTIME_MAX_ROOTS && EBPF_SLOTS == CPUTIME_SLOTS, "one book of roots");

/* libbpf prints to stderr by default; a plugin never prints. The callback
 * has no user pointer, so it cannot reach the host's log: stay silent and
 * report through return codes and the verifier log instead. */
int monitor_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
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
	libbpf_print_fn_t old_print = libbpf_set_print(monitor_quiet);
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

int monitor_start(struct ebpf_monitor *m, char *why, size_t len)
{
	int err;
	libbpf_print_fn_t old_print = libbpf_set_print(monitor_quiet);
	/* Fork handler first: a fork racing the walk below is caught either
	 * by the walk or by the handler's ancestry check. */
	m->fork_link = bpf_program__attach(m->skel->progs.on_fork);
	if (!m->fork_link) {
		err = -errno;
		snprintf(why, len, "ebpf: attaching to tp_btf/sched_process_fork failed: %s", strerror(-err));
		goto cleanup;
	}
	err = monitor_reseed(m, why, len);
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
	return monitor_read_roots(m, why, len);
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
