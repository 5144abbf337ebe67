/*
 * tree_check.h — drive one ebpf monitor over a process tree and compare its
 * total with the kernel's, for the tests of tree membership.
 */
#ifndef EBPF_TEST_TREE_CHECK_H
#define EBPF_TEST_TREE_CHECK_H

#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <sys/types.h>

#include "plugin_harness.h"

/* The sensor under which the recording harness keeps the tree's CPU time:
 * the plugin declares it as energymon's own process-scope seconds metric
 * (ABI 1.1 and later hosts), which the harness names "<scope>#<index>". */
#define TREE_SENSOR "process#0"

/* The plugin's tree time must match the kernel's accounting this closely. */
#define TOLERANCE 0.05

/* measured within rel x expected; prints both values when not */
#define ASSERT_WITHIN(measured, expected, rel)                                              \
	do {                                                                                \
		double m_ = (measured), e_ = (expected);                                    \
		int ok_ = e_ > 0 && fabs(m_ - e_) <= (rel) * e_;                            \
		if (!ok_)                                                                   \
			printf("\n  %s = %.4f, expected %s = %.4f (within %.0f%%)\n", #measured, \
			       m_, #expected, e_, (rel) * 100);                             \
		CU_ASSERT(ok_);                                                             \
	} while (0)

/* Load, configure (`follow`: "true"/"false" for ebpf_include_children, or
 * NULL for the default), create and start a monitor of `target`. 0 or an
 * error, printed. */
int start_monitor(struct harness *h, pid_t target, const char *follow);
/* stop + get_data; the tree's CPU time as the host counts it (last TREE_SENSOR
 * reading minus the first, s), or -1. */
double finish(struct harness *h);
/* What the host counts for a cumulative sensor: its last reading minus its
 * first; -1 with fewer than two, or when any is FINAL (a repeated total). */
double host_total(const struct harness *h, const char *sensor, unsigned quantity);

#endif
