/*
 * check.h — CUnit assertions that print both values when they fail, plus
 * the skip convention (exit 77) for hosts without ipmi_sim.
 */
#ifndef SIMBMC_TEST_CHECK_H
#define SIMBMC_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include "simbmc_client.h"

#define CHECK_INT(a, op, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (!(a_ op b_)) \
		fprintf(stderr, "%s:%d: %s %s %s: %lld vs %lld\n", __FILE__, \
			__LINE__, #a, #op, #b, a_, b_); \
	CU_ASSERT(a_ op b_); \
} while (0)

#define CHECK_NEAR(a, b, tol) do { \
	double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol); \
	int ok_ = a_ - b_ <= t_ && b_ - a_ <= t_; \
	if (!ok_) \
		fprintf(stderr, "%s:%d: %s ~ %s (+-%g): %.9g vs %.9g\n", __FILE__, \
			__LINE__, #a, #b, t_, a_, b_); \
	CU_ASSERT(ok_); \
} while (0)

/* A call that must return 0; prints the error text it left otherwise. */
#define CHECK_OK(call, errtext) do { \
	int rc_ = (call); \
	if (rc_ != 0) \
		fprintf(stderr, "%s:%d: %s = %d: %s\n", __FILE__, __LINE__, \
			#call, rc_, (errtext)); \
	CU_ASSERT_EQUAL_FATAL(rc_, 0); \
} while (0)

/* Exit 77 (skipped), saying why, where ipmi_sim cannot run. */
static inline void require_simbmc(void)
{
	char why[512];
	if (simbmc_available(why, sizeof(why)) != 0) {
		printf("SKIP: %s\n", why);
		exit(77);
	}
}

#endif
