/*
 * test_per_target.c — ABI 1.2: one ebpf instance follows many process
 * trees at once and reports each root's own tree time (emit_target), on
 * the real kernel. The plugin is driven through the recording harness with
 * the 1.2 members added here: host->flags and an emit_target that keeps
 * each target's first and last reading. Needs root.
 *
 * Each tree is a root and one child, forked before set_targets and blocked
 * until released, each burning a known amount of CPU. The kernel's
 * accounting of a tree: the root's rusage at wait4 (its own and its reaped
 * child's), less what both had used when set_targets was called.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "tree_check.h"
#include "workload.h"

#define PER_TREE_TOLERANCE 0.02 /* the bound against the kernel's accounting */
#define UNION_TOLERANCE 0.01
#define MAX_TREES 16

struct target_rec {
	int64_t pid;
	double first, last;
	int readings;
};

/* The harness first: the plugin's ctx (&h) is then this struct's address. */
struct rec_host {
	struct harness h;
	struct target_rec t[64];
	size_t nt;
	int refused; /* emit_target calls for a pid outside the set */
	int64_t set[64];
	size_t nset;
};

static struct target_rec *rec_of(struct rec_host *r, int64_t pid)
{
	for (size_t i = 0; i < r->nt; i++)
		if (r->t[i].pid == pid)
			return &r->t[i];
	return NULL;
}

static int rec_emit_target(void *ctx, int metric, int64_t target, double value, int64_t mono, int64_t wall)
{
	struct rec_host *r = ctx;
	(void)mono, (void)wall;
	if (metric < 0 || (size_t)metric >= r->h.nmetrics || !(r->h.metrics[metric].decl.flags & ENERGY_METRIC_PER_TARGET))
		return -EINVAL;
	int known = 0;
	for (size_t i = 0; i < r->nset; i++)
		known |= r->set[i] == target;
	if (!known) {
		r->refused++;
		return -ESRCH;
	}
	struct target_rec *t = rec_of(r, target);
	if (!t) {
		if (r->nt == sizeof(r->t) / sizeof(r->t[0]))
			return -ENOSPC;
		t = &r->t[r->nt++];
		t->pid = target;
		t->first = value;
		t->readings = 0;
	}
	t->last = value;
	t->readings++;
	return 0;
}

/* The host's side of set_targets: the set it accepts emit_target for, as
 * the real host does after the plugin returned 0. */
static int set_targets(struct rec_host *r, const int64_t *pids, size_t n)
{
	int rc = r->h.plugin->set_targets(r->h.instance, pids, n);
	if (rc == 0) {
		memcpy(r->set, pids, n * sizeof(*pids));
		r->nset = n;
		/* a target that left loses its total */
		for (size_t i = 0; i < r->nt;) {
			int kept = 0;
			for (size_t k = 0; k < n; k++)
				kept |= pids[k] == r->t[i].pid;
			if (kept)
				i++;
			else
				r->t[i] = r->t[--r->nt];
		}
	}
	return rc;
}

/* Load with TARGETS_LATER (target pid 0), create and start. */
static int start_later(struct rec_host *r)
{
	memset(r, 0, sizeof(*r));
	if (harness_load(&r->h, "ebpf") != 0)
		return printf("\n  load: %s\n", r->h.error), -1;
	r->h.host.flags = ENERGY_HOST_TARGETS_LATER;
	r->h.host.emit_target = rec_emit_target;
	harness_set_target(&r->h, 0, 0.1);
	int rc = harness_create(&r->h);
	if (rc == 0)
		rc = r->h.plugin->start(r->h.instance);
	if (rc != 0)
		printf("\n  create/start: %d %s\n", rc, r->h.error);
	return rc;
}

struct tree {
	pid_t root, child;
	int go[2], report[2];
	double at_set;   /* the kernel's CPU time of root + child at set_targets */
	double child_at_set;
};

/* Root and child both block on `go`; then the child burns child_s and
 * exits, the root burns root_s, reaps the child and reports the child's
 * own CPU time (its rusage) before exiting. */
static int spawn_tree(struct tree *t, double root_s, double child_s)
{
	if (pipe(t->go) != 0 || pipe(t->report) != 0)
		return -errno;
	t->root = fork();
	if (t->root < 0)
		return -errno;
	if (t->root == 0) {
		char b;
		pid_t c = fork();
		if (c == 0) {
			if (read(t->go[0], &b, 1) != 1)
				_exit(2);
			burn_cpu(child_s);
			_exit(0);
		}
		if (write(t->report[1], &c, sizeof(c)) != sizeof(c) || read(t->go[0], &b, 1) != 1)
			_exit(2);
		burn_cpu(root_s);
		struct rusage ru;
		int status;
		if (wait4(c, &status, 0, &ru) != c)
			_exit(2);
		double s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			   ru.ru_stime.tv_usec / 1e6;
		if (write(t->report[1], &s, sizeof(s)) != sizeof(s))
			_exit(2);
		_exit(0);
	}
	close(t->report[1]);
	if (read(t->report[0], &t->child, sizeof(t->child)) != sizeof(t->child))
		return -EIO;
	if (wait_until_asleep(t->root) != 0 || wait_until_asleep(t->child) != 0)
		return -EIO;
	return 0;
}

static void note_at_set(struct tree *t)
{
	t->child_at_set = schedstat_cpu_s(t->child);
	t->at_set = schedstat_cpu_s(t->root) + t->child_at_set;
}

static void go_tree(struct tree *t)
{
	if (write(t->go[1], "gg", 2) != 2)
		perror("go");
}

/* Reap: the whole tree's and the child's own CPU time since set_targets. */
static void reap_tree(struct tree *t, double *tree_s, double *child_s)
{
	double total = reap_cpu_s(t->root), child = -1;
	if (read(t->report[0], &child, sizeof(child)) != sizeof(child))
		child = -1;
	*tree_s = total - t->at_set;
	*child_s = child - t->child_at_set;
	close(t->go[0]);
	close(t->go[1]);
	close(t->report[0]);
}

static double own(struct rec_host *r, int64_t pid)
{
	struct target_rec *t = rec_of(r, pid);
	return t && t->readings >= 2 ? t->last - t->first : -1;
}

static void test_many_trees_each_its_own_time(void)
{
	struct rec_host *r = calloc(1, sizeof(*r));
	struct tree trees[MAX_TREES];
	int64_t pids[MAX_TREES];
	const int n = 12;
	CU_ASSERT_FATAL(r && start_later(r) == 0);
	for (int i = 0; i < n; i++) {
		CU_ASSERT_FATAL(spawn_tree(&trees[i], 0.06 + 0.01 * i, 0.05 + 0.01 * (i % 4)) == 0);
		pids[i] = trees[i].root;
	}
	for (int i = 0; i < n; i++)
		note_at_set(&trees[i]);
	CU_ASSERT_EQUAL_FATAL(set_targets(r, pids, (size_t)n), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double union_at_set = harness_last(&r->h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S)->value;
	for (int i = 0; i < n; i++)
		go_tree(&trees[i]);
	double kernel[MAX_TREES], child, sum_kernel = 0;
	for (int i = 0; i < n; i++) {
		reap_tree(&trees[i], &kernel[i], &child);
		sum_kernel += kernel[i];
	}
	CU_ASSERT(r->h.plugin->stop(r->h.instance) == 0);
	double union_s = harness_last(&r->h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S)->value - union_at_set, sum = 0;
	for (int i = 0; i < n; i++) {
		double mine = own(r, pids[i]);
		sum += mine;
		printf("\n  tree %d: %.4f s, kernel %.4f s", i, mine, kernel[i]);
		ASSERT_WITHIN(mine, kernel[i], PER_TREE_TOLERANCE);
	}
	printf("\n  %d trees: union %.4f s, sum of the trees %.4f s, kernel %.4f s\n", n, union_s, sum, sum_kernel);
	ASSERT_WITHIN(sum, union_s, UNION_TOLERANCE);
	CU_ASSERT(sum_kernel >= 1.2);
	CU_ASSERT_EQUAL(r->refused, 0);
	CU_ASSERT(r->h.plugin->get_data(r->h.instance) == 0);
	const struct harness_note *unseen = harness_note(&r->h, "unseen_context_switches");
	printf("\n  unseen context switches: %.0f\n", unseen ? unseen->number : -1);
	harness_close(&r->h);
	free(r);
}

/* A root inside another root's tree: the inner one counts its own tasks,
 * the outer one its whole tree (the inner one's time added back). */
static void test_nested_root(void)
{
	struct rec_host *r = calloc(1, sizeof(*r));
	struct tree t;
	CU_ASSERT_FATAL(r && start_later(r) == 0);
	CU_ASSERT_FATAL(spawn_tree(&t, 0.2, 0.3) == 0);
	int64_t pids[] = { t.root, t.child };
	note_at_set(&t);
	CU_ASSERT_EQUAL_FATAL(set_targets(r, pids, 2), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double union_at_set = harness_last(&r->h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S)->value;
	go_tree(&t);
	double tree_s, child_s;
	reap_tree(&t, &tree_s, &child_s);
	CU_ASSERT(r->h.plugin->stop(r->h.instance) == 0);
	double union_s = harness_last(&r->h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S)->value - union_at_set;
	printf("\n  nested: outer %.4f s (kernel %.4f), inner %.4f s (kernel %.4f), union %.4f s\n", own(r, t.root),
	       tree_s, own(r, t.child), child_s, union_s);
	ASSERT_WITHIN(own(r, t.root), tree_s, PER_TREE_TOLERANCE);
	ASSERT_WITHIN(own(r, t.child), child_s, PER_TREE_TOLERANCE);
	ASSERT_WITHIN(union_s, tree_s, PER_TREE_TOLERANCE); /* each task once */
	harness_close(&r->h);
	free(r);
}

static void burn_long(void *arg)
{
	(void)arg;
	burn_cpu(30); /* killed long before */
}

/* A target removed by set_targets is no longer reported; given again, it
 * starts from zero (its counter slot is fresh). */
static void test_removed_target_stops(void)
{
	struct rec_host *r = calloc(1, sizeof(*r));
	struct waiting_child a, b;
	CU_ASSERT_FATAL(r && start_later(r) == 0);
	CU_ASSERT_FATAL(spawn_waiting(&a, burn_long, NULL) == 0 && spawn_waiting(&b, burn_long, NULL) == 0);
	int64_t both[] = { a.pid, b.pid }, only_a[] = { a.pid };
	CU_ASSERT_EQUAL_FATAL(set_targets(r, both, 2), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	release(&a);
	release(&b);
	CU_ASSERT(wait_for_cpu_s(b.pid, 0.2) == 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double b_before = own(r, b.pid);
	CU_ASSERT(b_before > 0.1);
	CU_ASSERT_EQUAL(set_targets(r, only_a, 1), 0);
	int a_readings = rec_of(r, a.pid)->readings;
	CU_ASSERT_PTR_NULL(rec_of(r, b.pid));
	double b_kernel = schedstat_cpu_s(b.pid);
	CU_ASSERT(wait_for_cpu_s(b.pid, b_kernel + 0.1) == 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	CU_ASSERT_PTR_NULL(rec_of(r, b.pid)); /* not reported while out of the set */
	CU_ASSERT(rec_of(r, a.pid)->readings > a_readings);
	CU_ASSERT_EQUAL(r->refused, 0);
	/* back in the set: from zero, not from what it had: its first
	 * reading is at most what it burnt since the call began */
	double b_before_set = schedstat_cpu_s(b.pid);
	CU_ASSERT_EQUAL(set_targets(r, both, 2), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double b_back = schedstat_cpu_s(b.pid);
	CU_ASSERT(wait_for_cpu_s(b.pid, b_back + 0.1) == 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	struct target_rec *rb = rec_of(r, b.pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	printf("\n  removed and given again: first reading %.4f s, then %.4f s (it had %.4f s)\n", rb->first,
	       rb->last, b_before);
	CU_ASSERT(rb->first <= b_back - b_before_set + 0.001);
	CU_ASSERT(rb->first < 0.5 * b_before);
	CU_ASSERT(rb->last - rb->first >= 0.09);
	kill(a.pid, SIGKILL);
	kill(b.pid, SIGKILL);
	reap_cpu_s(a.pid);
	reap_cpu_s(b.pid);
	CU_ASSERT(r->h.plugin->stop(r->h.instance) == 0);
	harness_close(&r->h);
	free(r);
}

static void burn_0_3(void *arg)
{
	(void)arg;
	burn_cpu(0.3);
}

/* A child that blocks on `gate` until released, then burns cpu_s and
 * exits: with the pid `want` when the kernel lets this process choose it
 * (clone3's set_tid: root in its pid namespace, Linux 5.5), so that a pid
 * is reused for sure; else with any pid (*reused then says 0). */
static pid_t spawn_gated_as(pid_t want, int gate[2], double cpu_s, int *reused)
{
	if (pipe(gate) != 0)
		return -1;
	pid_t tid = want;
	struct clone_args args = {.exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&tid, .set_tid_size = 1};
	fflush(NULL);
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	*reused = pid == want;
	if (pid < 0)
		pid = fork();
	if (pid == 0) {
		char b;
		close(gate[1]);
		if (read(gate[0], &b, 1) != 1)
			_exit(2);
		burn_cpu(cpu_s);
		_exit(0);
	}
	close(gate[0]);
	return (pid_t)pid;
}

static void open_gate(int gate[2])
{
	if (write(gate[1], "g", 1) != 1)
		perror("gate");
	close(gate[1]);
}

/* A root that exited and was reaped stays in the set: set_targets naming it
 * again succeeds, its total stays what its tree burnt, and a new process of
 * the same pid (forced where the kernel allows) is not counted in it. */
static void test_exited_root_keeps_its_total(void)
{
	struct rec_host *r = calloc(1, sizeof(*r));
	struct waiting_child a, b, c;
	CU_ASSERT_FATAL(r && start_later(r) == 0);
	CU_ASSERT_FATAL(spawn_waiting(&a, burn_0_3, NULL) == 0 && spawn_waiting(&b, burn_long, NULL) == 0 &&
	                spawn_waiting(&c, burn_long, NULL) == 0);
	int64_t ab[] = {a.pid, b.pid}, abc[] = {a.pid, b.pid, c.pid};
	CU_ASSERT(wait_until_asleep(a.pid) == 0);
	double a_at_set = schedstat_cpu_s(a.pid);
	CU_ASSERT_EQUAL_FATAL(set_targets(r, ab, 2), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	release(&a);
	double kernel = reap_cpu_s(a.pid) - a_at_set;
	/* the tree has ended and was reaped: named again, with a new root */
	CU_ASSERT_EQUAL_FATAL(set_targets(r, abc, 3), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double after_exit = own(r, a.pid);
	/* a new child of this process, with A's pid if it can be had */
	int gate[2], reused = 0;
	pid_t d = spawn_gated_as(a.pid, gate, 0.3, &reused);
	CU_ASSERT_FATAL(d > 0);
	CU_ASSERT_EQUAL(set_targets(r, abc, 3), 0); /* the trees walked again */
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	open_gate(gate);
	double d_kernel = reap_cpu_s(d);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	printf("\n  exited root: %.4f s after it was reaped, %.4f s at the end, kernel %.4f s; a new child "
	       "(pid %d, %s) burnt %.4f s\n", after_exit, own(r, a.pid), kernel, (int)d,
	       reused ? "A's pid reused" : "pid reuse not allowed here", d_kernel);
	CU_ASSERT(kernel >= 0.29);
	ASSERT_WITHIN(own(r, a.pid), kernel, PER_TREE_TOLERANCE);
	CU_ASSERT(d_kernel >= 0.29);
	CU_ASSERT(own(r, a.pid) - after_exit < 0.001);
	/* a new pid that does not exist is still refused, the set unchanged */
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	CU_ASSERT_FATAL(gone > 0 && waitpid(gone, NULL, 0) == gone);
	int64_t with_gone[] = {a.pid, b.pid, c.pid, gone};
	CU_ASSERT_EQUAL(set_targets(r, with_gone, 4), -ESRCH);
	CU_ASSERT_EQUAL(r->nset, 3u);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->h.error, "does not exist"));
	CU_ASSERT_EQUAL(r->refused, 0);
	kill(b.pid, SIGKILL);
	kill(c.pid, SIGKILL);
	reap_cpu_s(b.pid);
	reap_cpu_s(c.pid);
	CU_ASSERT(r->h.plugin->stop(r->h.instance) == 0);
	harness_close(&r->h);
	free(r);
}

/* A followed root's pid given to a new process before the next set_targets
 * (its start time differs): the new process is not taken for that tree. */
static void test_reused_pid_is_not_the_tree(void)
{
	struct rec_host *r = calloc(1, sizeof(*r));
	struct waiting_child a, b;
	CU_ASSERT_FATAL(r && start_later(r) == 0);
	CU_ASSERT_FATAL(spawn_waiting(&a, burn_0_3, NULL) == 0 && spawn_waiting(&b, burn_long, NULL) == 0);
	int64_t ab[] = {a.pid, b.pid};
	CU_ASSERT_EQUAL_FATAL(set_targets(r, ab, 2), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	release(&a);
	reap_cpu_s(a.pid);
	int gate[2], reused = 0;
	pid_t d = spawn_gated_as(a.pid, gate, 0.3, &reused);
	CU_ASSERT_FATAL(d > 0);
	if (!reused) {
		open_gate(gate);
		reap_cpu_s(d);
		printf("\n    skipped: this process cannot choose a pid (clone3 set_tid) ");
		CU_PASS("skipped: pid reuse cannot be forced here");
	} else {
		CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
		double before = own(r, a.pid);
		CU_ASSERT_EQUAL(set_targets(r, ab, 2), 0); /* pid A alive again: another process */
		CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
		open_gate(gate);
		double d_kernel = reap_cpu_s(d);
		CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
		printf("\n  pid %d reused: the old tree %.4f s before, %.4f s after the new process burnt %.4f s\n",
		       (int)a.pid, before, own(r, a.pid), d_kernel);
		CU_ASSERT(d_kernel >= 0.29);
		CU_ASSERT(own(r, a.pid) - before < 0.001);
	}
	kill(b.pid, SIGKILL);
	reap_cpu_s(b.pid);
	CU_ASSERT(r->h.plugin->stop(r->h.instance) == 0);
	harness_close(&r->h);
	free(r);
}

/* A root that exits leaving a child running (re-parented away, here to
 * this process as subreaper): a later set_targets, which walks the trees
 * again from their roots, keeps the orphan in its tree. */
static void test_orphan_of_exited_root_stays(void)
{
	struct rec_host *r = calloc(1, sizeof(*r));
	struct waiting_child b;
	int go_root[2], go_orphan[2], report[2];
	CU_ASSERT_FATAL(r && start_later(r) == 0);
	CU_ASSERT_FATAL(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	CU_ASSERT_FATAL(spawn_waiting(&b, burn_long, NULL) == 0);
	CU_ASSERT_FATAL(pipe(go_root) == 0 && pipe(go_orphan) == 0 && pipe(report) == 0);
	fflush(NULL);
	pid_t a = fork();
	if (a == 0) {
		char c;
		pid_t g = fork();
		if (g == 0) {
			if (read(go_orphan[0], &c, 1) != 1)
				_exit(2);
			burn_cpu(0.3);
			_exit(0);
		}
		if (write(report[1], &g, sizeof(g)) != sizeof(g) || read(go_root[0], &c, 1) != 1)
			_exit(2);
		_exit(0); /* leaves g running */
	}
	pid_t g = 0;
	CU_ASSERT_FATAL(a > 0 && read(report[0], &g, sizeof(g)) == sizeof(g));
	CU_ASSERT(wait_until_asleep(a) == 0 && wait_until_asleep(g) == 0);
	int64_t ab[] = {a, b.pid};
	CU_ASSERT_EQUAL_FATAL(set_targets(r, ab, 2), 0);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double g_at = schedstat_cpu_s(g);
	CU_ASSERT(write(go_root[1], "g", 1) == 1);
	CU_ASSERT(waitpid(a, NULL, 0) == a);
	CU_ASSERT_EQUAL(set_targets(r, ab, 2), 0); /* walked again: the root is gone */
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double before = own(r, a);
	CU_ASSERT(write(go_orphan[1], "g", 1) == 1);
	double kernel = reap_cpu_s(g) - g_at;
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	printf("\n  orphan of an exited root: %.4f s in its tree, kernel %.4f s\n", own(r, a) - before, kernel);
	CU_ASSERT(kernel >= 0.29);
	ASSERT_WITHIN(own(r, a) - before, kernel, PER_TREE_TOLERANCE);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	int fds[] = {go_root[0], go_root[1], go_orphan[0], go_orphan[1], report[0], report[1]};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
	kill(b.pid, SIGKILL);
	reap_cpu_s(b.pid);
	CU_ASSERT(r->h.plugin->stop(r->h.instance) == 0);
	harness_close(&r->h);
	free(r);
}

/* TARGETS_LATER with pid 0: nothing is followed until set_targets. */
static void test_later_follows_nothing_until_set(void)
{
	struct rec_host *r = calloc(1, sizeof(*r));
	struct waiting_child c;
	CU_ASSERT_FATAL(r && start_later(r) == 0);
	CU_ASSERT_FATAL(spawn_waiting(&c, burn_0_3, NULL) == 0);
	release(&c);
	double kernel = reap_cpu_s(c.pid);
	CU_ASSERT(r->h.plugin->sample(r->h.instance) == 0);
	double tree = host_total(&r->h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S);
	printf("\n  before set_targets: tree %.4f s while a process burnt %.4f s\n", tree, kernel);
	CU_ASSERT(kernel >= 0.25);
	CU_ASSERT(tree >= 0 && tree < 0.01);
	CU_ASSERT_EQUAL(r->nt, 0u);
	CU_ASSERT(r->h.plugin->stop(r->h.instance) == 0);
	harness_close(&r->h);
	free(r);
}

/* Without the flag, pid 0 is still refused (1.1 behaviour). */
static void test_pid_0_refused_without_flag(void)
{
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	harness_set_target(&h, 0, 0.1);
	CU_ASSERT_EQUAL(harness_create(&h), -ESRCH);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "no process tree to follow"));
	harness_close(&h);
}

int main(void)
{
	skip_unless_bpf_allowed();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf per-target readings", NULL, NULL);
	CU_add_test(s, "12 trees at once: each its own time, the union their sum", test_many_trees_each_its_own_time);
	CU_add_test(s, "a nested root: inner its own, outer its whole tree", test_nested_root);
	CU_add_test(s, "a removed target stops; given again it starts from zero", test_removed_target_stops);
	CU_add_test(s, "TARGETS_LATER: nothing followed until set_targets", test_later_follows_nothing_until_set);
	CU_add_test(s, "an exited root keeps its total; a new child is not in it", test_exited_root_keeps_its_total);
	CU_add_test(s, "a root's pid reused by a new process: not that tree", test_reused_pid_is_not_the_tree);
	CU_add_test(s, "an orphan of an exited root stays in its tree", test_orphan_of_exited_root_stays);
	CU_add_test(s, "without the flag, pid 0 is refused", test_pid_0_refused_without_flag);
	return cunit_run_registered();
}
