/*
 * test_roots.c — the ebpf plugin's book of roots (plugins/ebpf/roots.c),
 * which needs no BPF: a staying root keeps its slot, a new root never gets
 * a slot freed by the same change (tasks of the old generation may still
 * carry it while the new one is seeded) but may get it from the next one,
 * slots never run out at 4096 roots replaced by 4096 others, and a nested
 * root's time is added to the roots it is nested in (from /proc).
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ebpf_internal.h"

static struct ebpf_roots *r;
static uint32_t fresh[EBPF_MAX_ROOTS];
static size_t nfresh;
static char why[256];

static uint32_t slot_of(pid_t pid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->pid[i] == pid)
			return r->slot[i];
	return 0;
}

static int replace(const pid_t *pids, size_t n)
{
	return roots_replace(r, pids, n, 1, fresh, &nfresh, why, sizeof(why));
}

static void test_slots_kept_and_not_reused_in_one_change(void)
{
	r = roots_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	pid_t ab[] = { 1000001, 1000002, 1000001 }; /* a duplicate counts once */
	CU_ASSERT_EQUAL_FATAL(replace(ab, 3), 0);
	CU_ASSERT_EQUAL(r->n, 2u);
	CU_ASSERT_EQUAL(nfresh, 2u);
	uint32_t a = slot_of(1000001), b = slot_of(1000002);
	CU_ASSERT(a >= 1 && b >= 1 && a != b);
	/* b leaves, c comes: a keeps its slot, c gets neither a's nor b's */
	pid_t ac[] = { 1000003, 1000001 };
	CU_ASSERT_EQUAL_FATAL(replace(ac, 2), 0);
	CU_ASSERT_EQUAL(slot_of(1000001), a);
	uint32_t c = slot_of(1000003);
	CU_ASSERT(c != a && c != b && c >= 1);
	CU_ASSERT_EQUAL(nfresh, 1u);
	CU_ASSERT_EQUAL(fresh[0], c);
	/* the next change may give b's slot again (its generation is gone) */
	pid_t acd[] = { 1000001, 1000003, 1000004 };
	CU_ASSERT_EQUAL_FATAL(replace(acd, 3), 0);
	CU_ASSERT_EQUAL(slot_of(1000004), b);
	free(r);
}

static void test_4096_replaced_by_4096_others(void)
{
	r = roots_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	pid_t *pids = malloc(EBPF_MAX_ROOTS * sizeof(*pids));
	CU_ASSERT_PTR_NOT_NULL_FATAL(pids);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < EBPF_MAX_ROOTS; i++)
			pids[i] = 2000000 + round * EBPF_MAX_ROOTS + i;
		CU_ASSERT_EQUAL_FATAL(replace(pids, EBPF_MAX_ROOTS), 0);
		CU_ASSERT_EQUAL(nfresh, (size_t)EBPF_MAX_ROOTS);
	}
	CU_ASSERT_EQUAL(replace(pids, EBPF_MAX_ROOTS + 1), -E2BIG);
	free(pids);
	free(r);
}

static void test_nested_roots_add_up(void)
{
	r = roots_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	int go[2];
	CU_ASSERT_FATAL(pipe(go) == 0);
	pid_t child = fork();
	if (child == 0) {
		char b;
		close(go[1]); /* so that the parent's close is end-of-file */
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	/* this process is a root, its child one nested in it, and pid 1
	 * (everyone's ancestor) the outermost */
	pid_t set[] = { getpid(), child, 1 };
	CU_ASSERT_EQUAL_FATAL(replace(set, 3), 0);
	for (size_t i = 0; i < r->n; i++)
		r->own_ns[i] = r->pid[i] == child ? 5 : r->pid[i] == 1 ? 7 : 10;
	roots_sum(r);
	for (size_t i = 0; i < r->n; i++) {
		uint64_t want = r->pid[i] == child ? 5 : r->pid[i] == 1 ? 22 : 15;
		CU_ASSERT_EQUAL(r->tree_ns[i], want);
	}
	/* not following children: roots do not nest */
	CU_ASSERT_EQUAL_FATAL(roots_replace(r, set, 3, 0, fresh, &nfresh, why, sizeof(why)), 0);
	for (size_t i = 0; i < r->n; i++)
		r->own_ns[i] = r->pid[i] == child ? 5 : r->pid[i] == 1 ? 7 : 10;
	roots_sum(r);
	for (size_t i = 0; i < r->n; i++)
		CU_ASSERT_EQUAL(r->tree_ns[i], r->own_ns[i]);
	close(go[1]);
	waitpid(child, NULL, 0);
	close(go[0]);
	free(r);
}

static int index_in(pid_t pid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->pid[i] == pid)
			return (int)i;
	return -1;
}

/* A root that exited and was reaped, named again: dead (never seeded),
 * with its slot and its nesting kept, so the outer root's time and its
 * own never drop; the live roots are not dead. */
static void test_exited_root_kept_dead(void)
{
	r = roots_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	CU_ASSERT_FATAL(child > 0);
	pid_t set[] = { getpid(), child };
	CU_ASSERT_EQUAL_FATAL(replace(set, 2), 0);
	uint32_t slot = slot_of(child);
	CU_ASSERT_FALSE(r->dead[index_in(child)]);
	CU_ASSERT_FALSE(r->dead[index_in(getpid())]);
	CU_ASSERT(r->started[index_in(child)] > 1);
	CU_ASSERT_EQUAL(r->outer[index_in(child)], index_in(getpid()));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(replace(set, 2), 0);
	CU_ASSERT_EQUAL(nfresh, 0u);
	CU_ASSERT_EQUAL(slot_of(child), slot);
	CU_ASSERT_TRUE(r->dead[index_in(child)]);
	CU_ASSERT_FALSE(r->dead[index_in(getpid())]);
	CU_ASSERT_EQUAL(r->outer[index_in(child)], index_in(getpid()));
	/* and it stays dead whatever its pid becomes */
	CU_ASSERT_EQUAL_FATAL(replace(set, 2), 0);
	CU_ASSERT_TRUE(r->dead[index_in(child)]);
	free(r);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("ebpf roots", NULL, NULL);
	CU_add_test(s, "slots kept, not reused within one change", test_slots_kept_and_not_reused_in_one_change);
	CU_add_test(s, "4096 roots replaced by 4096 others", test_4096_replaced_by_4096_others);
	CU_add_test(s, "nested roots add up", test_nested_roots_add_up);
	CU_add_test(s, "an exited root is kept, dead, with its slot and nesting", test_exited_root_kept_dead);
	return cunit_run_registered();
}
