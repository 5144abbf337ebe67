/*
 * test_targets.c — set_targets (ABI 1.1): one ebpf instance follows the
 * process trees it is given, replacing the tree of create(). The plugin is
 * loaded with dlopen and driven through the recording harness (a minimal
 * host), on the real kernel. Needs root.
 *
 * Two busy trees burn CPU before set_targets (not followed: the tree of
 * create() is an idle process) and after it (followed: the roots, a
 * grandchild that existed before the call, and one forked after it). The
 * set names the existing grandchild beside its root, so a task counted twice
 * would show as too much time.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "tree_check.h"
#include "workload.h"

/* A child that burns in two phases, each started by a byte on its pipe. */
struct phased {
	pid_t pid;
	pid_t grandchild; /* forked in phase 1 (existing before set_targets), or 0 */
	int go[2], report[2];
};

static void read_byte(int fd)
{
	char b;
	if (read(fd, &b, 1) != 1)
		_exit(2);
}

/* Phase 1: burn 0.3 s (and with `existing`, fork a grandchild that waits
 * for phase 2). Phase 2: without `existing`, fork a grandchild then; the
 * grandchild burns 0.4 s, the child 0.2 s more. */
static void phased_child(struct phased *p, int existing)
{
	pid_t g = 0;
	read_byte(p->go[0]);
	burn_cpu(0.3);
	if (existing && (g = fork()) == 0) {
		read_byte(p->go[0]);
		burn_cpu(0.4);
		_exit(0);
	}
	if (write(p->report[1], &g, sizeof(g)) != sizeof(g))
		_exit(2);
	read_byte(p->go[0]);
	if (!existing && (g = fork()) == 0) {
		burn_cpu(0.4);
		_exit(0);
	}
	burn_cpu(0.2);
	if (g > 0)
		waitpid(g, NULL, 0);
	_exit(0);
}

static int spawn_phased(struct phased *p, int existing)
{
	if (pipe(p->go) != 0 || pipe(p->report) != 0)
		return -errno;
	p->pid = fork();
	if (p->pid == 0)
		phased_child(p, existing);
	close(p->report[1]);
	return p->pid > 0 ? 0 : -errno;
}

static void go(struct phased *p, int bytes)
{
	if (write(p->go[1], "gg", (size_t)bytes) != bytes)
		perror("go");
}

/* Wait for the end of phase 1: the child reports, then sleeps. */
static int phase1_done(struct phased *p)
{
	if (read(p->report[0], &p->grandchild, sizeof(p->grandchild)) != sizeof(p->grandchild))
		return -1;
	if (wait_until_asleep(p->pid) != 0)
		return -1;
	return p->grandchild > 0 ? wait_until_asleep(p->grandchild) : 0;
}

static double last_tree(const struct harness *h)
{
	const struct energy_reading *r = harness_last(h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S);
	return r ? r->value : -1;
}

static void nothing(void *arg)
{
	(void)arg;
}

static void test_followed_after_set_targets_not_before(void)
{
	struct waiting_child idle;
	struct phased a, b;
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	int has_set_targets = h.plugin->set_targets != NULL;
	harness_close(&h);
	CU_ASSERT_FATAL(has_set_targets); /* before any child exists to be left behind */
	CU_ASSERT_FATAL(spawn_waiting(&idle, nothing, NULL) == 0); /* blocked until released */
	CU_ASSERT_FATAL(spawn_phased(&a, 1) == 0);
	CU_ASSERT_FATAL(spawn_phased(&b, 0) == 0);
	CU_ASSERT_FATAL(start_monitor(&h, idle.pid, NULL) == 0);

	/* phase 1: both trees burn, but the monitor follows the idle process */
	go(&a, 1);
	go(&b, 1);
	CU_ASSERT_FATAL(phase1_done(&a) == 0 && phase1_done(&b) == 0);
	CU_ASSERT_FATAL(a.grandchild > 0);
	CU_ASSERT(h.plugin->sample(h.instance) == 0);
	double before = host_total(&h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S);
	double burnt = schedstat_cpu_s(a.pid) + schedstat_cpu_s(b.pid);
	printf("\n  before set_targets: tree %.4f s while the trees burnt %.4f s\n", before, burnt);
	CU_ASSERT(burnt >= 0.55);
	CU_ASSERT(before >= 0 && before < 0.05);

	/* follow both trees; the grandchild is named too, and counts once */
	int64_t pids[] = { a.pid, a.grandchild, b.pid };
	CU_ASSERT_EQUAL(h.plugin->set_targets(h.instance, pids, 3), 0);
	/* a pid that does not exist: refused, the set above stays */
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	int64_t bad[] = { a.pid, gone };
	CU_ASSERT_EQUAL(h.plugin->set_targets(h.instance, bad, 2), -ESRCH);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "does not exist"));

	CU_ASSERT(h.plugin->sample(h.instance) == 0);
	double at_set = last_tree(&h);
	double kernel_at_set = schedstat_cpu_s(a.pid) + schedstat_cpu_s(a.grandchild) + schedstat_cpu_s(b.pid);

	/* phase 2: the roots, the grandchild that existed, the one forked now */
	go(&a, 2);
	go(&b, 1);
	double expected = reap_cpu_s(a.pid) + reap_cpu_s(b.pid) - kernel_at_set;
	CU_ASSERT(h.plugin->stop(h.instance) == 0);
	double after = last_tree(&h) - at_set;
	printf("  after set_targets: tree %.4f s, kernel %.4f s\n", after, expected);
	ASSERT_WITHIN(after, expected, TOLERANCE);
	CU_ASSERT(expected >= 1.1); /* 2 x (0.2 s + 0.4 s) */
	CU_ASSERT(h.plugin->get_data(h.instance) == 0);
	release(&idle);
	reap_cpu_s(idle.pid);
	harness_close(&h);
}

static void burn_0_4(void *arg)
{
	(void)arg;
	burn_cpu(0.4);
}

static void test_an_empty_set_follows_nothing(void)
{
	struct waiting_child c;
	struct harness h;
	CU_ASSERT_FATAL(harness_load(&h, "ebpf") == 0);
	int has_set_targets = h.plugin->set_targets != NULL;
	harness_close(&h);
	CU_ASSERT_FATAL(has_set_targets);
	CU_ASSERT_FATAL(spawn_waiting(&c, burn_0_4, NULL) == 0);
	CU_ASSERT_FATAL(start_monitor(&h, c.pid, NULL) == 0);
	CU_ASSERT_EQUAL(h.plugin->set_targets(h.instance, NULL, 0), 0);
	release(&c);
	double kernel = reap_cpu_s(c.pid);
	double measured = finish(&h);
	printf("\n  target dropped: tree %.4f s while it burnt %.4f s\n", measured, kernel);
	CU_ASSERT(kernel >= 0.35);
	CU_ASSERT(measured >= 0 && measured < 0.05);
	harness_close(&h);
}

int main(void)
{
	skip_unless_bpf_allowed();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf set_targets", NULL, NULL);
	CU_add_test(s, "two busy trees: followed after set_targets, not before, each task once",
		    test_followed_after_set_targets_not_before);
	CU_add_test(s, "an empty set follows nothing", test_an_empty_set_follows_nothing);
	return cunit_run_registered();
}
