/*
 * counter_wrap.h — energy between two readings of a counter that wraps, and
 * the sampling interval that keeps that energy unambiguous. Pure functions:
 * no I/O, so the tests can check them exactly.
 */
#ifndef PERF_COUNTER_WRAP_H
#define PERF_COUNTER_WRAP_H

#include <stdint.h>

/* The counter counts 0 .. modulus-1 (a value equal to modulus is read as 0)
 * and then starts again at 0. modulus 0 stands for 2^64: a full-width
 * counter whose wrap is plain unsigned arithmetic. */
struct counter_track {
	uint64_t modulus;
	uint64_t last;   /* raw value of the previous reading */
	uint64_t total;  /* raw units since the first reading */
	uint64_t wraps;  /* times the counter passed its modulus */
	int primed;      /* a first reading has been taken */
};

/* Units from `prev` to `cur`, assuming at most one wrap between them.
 * Returns 0, or -ERANGE when a value exceeds the modulus (not this counter).
 * *wrapped is set to 1 when the counter passed its modulus. */
int counter_delta(uint64_t prev, uint64_t cur, uint64_t modulus, uint64_t *delta, int *wrapped);

void counter_track_init(struct counter_track *t, uint64_t modulus);
/* Feed one raw reading. The first one only sets the baseline (delta 0).
 * Returns 0 or -ERANGE (the reading is then ignored). */
int counter_track_update(struct counter_track *t, uint64_t raw, uint64_t *delta);

/*
 * The longest interval between readings for which the energy spent is known
 * without ambiguity, in seconds.
 *
 * Why: a reading only tells us the counter modulo its range R (in joules).
 * If the energy spent between two readings is E, we see E mod R. The delta
 * rule above recovers E exactly if and only if E < R, i.e. at most one wrap
 * happened and it did not lap the previous value. E is at most P * t for a
 * domain that draws at most P watts over t seconds, so t < R / P suffices.
 * Two wraps between readings need E >= R, which this rules out. We halve it
 * so a reading that comes late (a loaded machine, a slow host thread) by up
 * to the whole interval is still safe: t = R / (2 P).
 *
 * range_j <= 0 or max_power_w <= 0 is a caller error: returns 0.
 */
double counter_wrap_guard_s(double range_j, double max_power_w);

#endif
