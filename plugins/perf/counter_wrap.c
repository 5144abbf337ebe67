#include "counter_wrap.h"

#include <errno.h>

int counter_delta(uint64_t prev, uint64_t cur, uint64_t modulus, uint64_t *delta, int *wrapped)
{
	*wrapped = 0;
	if (modulus == 0) {
		/* 2^64: unsigned subtraction is already arithmetic modulo 2^64. */
		*delta = cur - prev;
		*wrapped = cur < prev;
		return 0;
	}
	if (prev > modulus || cur > modulus)
		return -ERANGE;
	/* powercap's max_energy_range_uj is the largest value the counter
	 * shows; it is treated as the modulus, so "max" and "0" are the same
	 * point of the circle. */
	if (prev == modulus)
		prev = 0;
	if (cur == modulus)
		cur = 0;
	if (cur >= prev) {
		*delta = cur - prev;
	} else {
		*delta = (modulus - prev) + cur;
		*wrapped = 1;
	}
	return 0;
}

void counter_track_init(struct counter_track *t, uint64_t modulus)
{
	*t = (struct counter_track){ .modulus = modulus };
}

int counter_track_update(struct counter_track *t, uint64_t raw, uint64_t *delta)
{
	*delta = 0;
	if (!t->primed) {
		if (t->modulus && raw > t->modulus)
			return -ERANGE;
		t->last = raw;
		t->primed = 1;
		return 0;
	}
	int wrapped = 0;
	int rc = counter_delta(t->last, raw, t->modulus, delta, &wrapped);
	if (rc != 0)
		return rc;
	t->last = raw;
	t->total += *delta;
	t->wraps += (uint64_t)wrapped;
	return 0;
}

double counter_wrap_guard_s(double range_j, double max_power_w)
{
	if (!(range_j > 0) || !(max_power_w > 0))
		return 0;
	return range_j / (2.0 * max_power_w);
}
