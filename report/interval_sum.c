/* interval_sum.c — combining per-call intervals into the sum's. */
#include "interval_sum.h"

#include <math.h>

void interval_sum_add(struct interval_sum *sum, struct energy_interval interval)
{
	if (!interval.present) {
		sum->without++;
		return;
	}
	double half = (interval.high - interval.low) / 2.0;
	sum->with++;
	sum->centre += (interval.low + interval.high) / 2.0;
	sum->half_widths += half;
	sum->squares += half * half;
}

static struct energy_interval centred(const struct interval_sum *sum, double half)
{
	if (sum->without > 0 || sum->with == 0 || !isfinite(sum->centre) || !isfinite(half))
		return (struct energy_interval){false, 0, 0};
	return (struct energy_interval){true, sum->centre - half, sum->centre + half};
}

struct energy_interval interval_sum_independent(const struct interval_sum *sum)
{
	return centred(sum, fmin(1.96 * sqrt(sum->squares / 3.0), sum->half_widths));
}

struct energy_interval interval_sum_worst_case(const struct interval_sum *sum)
{
	return centred(sum, sum->half_widths);
}
