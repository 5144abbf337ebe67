/*
 * How evenly a sampler kept its schedule: a histogram of the intervals
 * between consecutive sample() calls in log-spaced buckets 2% wide, so the
 * median and p95 cost a fixed 4.8 KB however long the run.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#define FIRST_S 1e-6
#define RATIO 1.02

void em_interval_add(struct em_interval_stats *st, double seconds)
{
	long b = seconds <= FIRST_S ? 0 : lround(floor(log(seconds / FIRST_S) / log(RATIO)));
	if (b < 0)
		b = 0;
	if (b >= EM_INTERVAL_BUCKETS)
		b = EM_INTERVAL_BUCKETS - 1;
	st->buckets[b]++;
	st->count++;
	if (seconds > st->max_s)
		st->max_s = seconds;
}

/* The geometric middle of the bucket holding quantile q; NAN when empty. */
double em_interval_quantile(const struct em_interval_stats *st, double q)
{
	if (!st->count)
		return NAN;
	uint64_t rank = (uint64_t)ceil(q * (double)st->count);
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (int b = 0; b < EM_INTERVAL_BUCKETS; b++) {
		seen += st->buckets[b];
		if (seen >= rank) {
			double mid = FIRST_S * pow(RATIO, b + 0.5);
			return mid > st->max_s ? st->max_s : mid;
		}
	}
	return st->max_s;
}

void em_interval_since(const struct em_interval_stats *now, const struct em_interval_stats *then,
                       struct em_interval_stats *out)
{
	memset(out, 0, sizeof(*out));
	int top = -1;
	for (int b = 0; b < EM_INTERVAL_BUCKETS; b++) {
		out->buckets[b] = now->buckets[b] - then->buckets[b];
		if (out->buckets[b])
			top = b;
	}
	out->count = now->count - then->count;
	/* the longest interval since is in the highest bucket that grew: its
	 * upper edge, unless the longest ever is smaller (the last bucket has
	 * no upper edge) */
	if (top >= 0)
		out->max_s = top == EM_INTERVAL_BUCKETS - 1 ? now->max_s : fmin(now->max_s, FIRST_S * pow(RATIO, top + 1));
}
