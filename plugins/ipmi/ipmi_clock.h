/*
 * ipmi_clock.h — the two clocks a reading is stamped with.
 */
#ifndef IPMI_CLOCK_H
#define IPMI_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t ipmi_now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* When a request was answered, as well as the client can tell: the midpoint
 * of the request's round trip on both clocks. */
struct ipmi_stamp {
	int64_t mono_ns;
	int64_t wall_ns;
};

static inline struct ipmi_stamp ipmi_stamp_begin(void)
{
	struct ipmi_stamp s = {ipmi_now_ns(CLOCK_MONOTONIC), ipmi_now_ns(CLOCK_REALTIME)};
	return s;
}

static inline struct ipmi_stamp ipmi_stamp_midpoint(struct ipmi_stamp begin)
{
	int64_t half = (ipmi_now_ns(CLOCK_MONOTONIC) - begin.mono_ns) / 2;
	struct ipmi_stamp s = {begin.mono_ns + half, begin.wall_ns + half};
	return s;
}

#endif
