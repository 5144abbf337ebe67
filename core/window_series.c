/*
 * One series of a window: what happened between the window's two samples,
 * as a series of its own that the result model reads like any other.
 *  - totals and counts (total, covered_s, gap_s, gaps, wraps, dropped) are
 *    differences of running totals: exact for any window length;
 *  - readings counts the reading the window begins at (the baseline its
 *    first delta or trapezoid starts from) and every one after it, so a
 *    window of two samples has the two readings a total needs;
 *  - min, max, mean and std-dev are recomputed (Welford) over the kept
 *    points of the window. When the window has more readings than are
 *    kept (longer than a continuous series' EM_SERIES_POINTS_MAX / 2 to
 *    EM_SERIES_POINTS_MAX most recent readings), mean and std-dev come
 *    from the difference of the running sums instead (exact), min and max
 *    from the kept ones, and `partial` says so;
 *  - points are the kept readings from the baseline on; gaps the kept gaps
 *    recorded after it (the latest 16 when more).
 */
#include "window_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the series is, from `meta`: a per-target part is filed as its metric. */
static void identity(struct em_series *out, const struct em_series *meta)
{
	out->quantity = meta->quantity;
	out->scope = meta->scope;
	memcpy(out->sensor, meta->sensor, sizeof(out->sensor));
	out->kind = meta->kind;
	out->unit = meta->unit;
	out->index = meta->index;
	out->metric_flags = meta->metric_flags;
	out->declared = meta->declared;
	memcpy(out->key, meta->key, sizeof(out->key));
	memcpy(out->unit_name, meta->unit_name, sizeof(out->unit_name));
	memcpy(out->reason, meta->reason, sizeof(out->reason));
}

static void welford(struct em_series *s, double v, uint64_t *n)
{
	double d = v - s->mean;
	s->mean += d / (double)++*n;
	s->m2 += d * (v - s->mean);
	if (*n == 1 || v < s->min)
		s->min = v;
	if (*n == 1 || v > s->max)
		s->max = v;
}

/* The window's points: the last `want` when every reading is kept in
 * order, else those from the baseline's wall time on. */
static int copy_points(struct em_series *out, const struct em_series *now, bool base, int64_t from_wall,
                       uint64_t want)
{
	size_t first = now->npoints;
	if (now->keep_every == 1 && want <= now->npoints) {
		first = now->npoints - (size_t)want;
	} else {
		first = 0;
		while (first < now->npoints && base && now->points[first].wall_ns < from_wall)
			first++;
	}
	size_t k = now->npoints - first;
	if (!k)
		return 0;
	if (!(out->points = malloc(k * sizeof(*out->points))))
		return -ENOMEM;
	memcpy(out->points, now->points + first, k * sizeof(*out->points));
	out->npoints = k;
	return 0;
}

static void copy_gaps(struct em_series *out, const struct em_series *now, const struct em_series_mark *b)
{
	size_t slots = sizeof(now->gap_list) / sizeof(now->gap_list[0]);
	size_t kept = now->gaps < slots ? (size_t)now->gaps : slots;
	size_t from, take;
	if (now->recent_only) { /* the latest `kept`, in order: the window's are at the end */
		take = out->gaps < kept ? (size_t)out->gaps : kept;
		from = kept - take;
	} else { /* the first `slots` ever: not a continuous monitor's series
		  * (all of those are recent_only), kept for completeness */
		from = b->gaps < slots ? (size_t)b->gaps : slots;
		take = kept - from;
	}
	memset(out->gap_list, 0, sizeof(out->gap_list));
	memcpy(out->gap_list, now->gap_list + from, take * sizeof(out->gap_list[0]));
}

int em_window_series(struct em_series *out, const struct em_series *meta, const struct em_series *nums,
                     const struct em_series_mark *b, bool *partial)
{
	static const struct em_series_mark none;
	if (!b || !b->have)
		b = &none;
	*out = *nums;
	identity(out, meta);
	out->points = NULL;
	out->npoints = 0;
	/* the window's terms: the runs bounded by its end, less those by its
	 * begin (a run open at either edge is bounded as it stood there) */
	out->pend = NULL;
	out->npend = 0;
	struct em_unc end;
	em_unc_runs_now(nums, &end);
	em_unc_sub(&out->unc, &end, &b->unc);
	out->edge_open = b->have ? b->edge : nums->edge_open;
	out->keep_every = 1;
	out->since_kept = 0;
	bool base = b->readings > 0;
	uint64_t fresh = nums->readings - b->readings;
	out->readings = fresh + (base ? 1 : 0);
	out->dropped = nums->dropped - b->dropped;
	out->gaps = nums->gaps - b->gaps;
	out->wraps = nums->wraps - b->wraps;
	out->total = nums->total - b->total;
	out->covered_s = nums->covered_s - b->covered_s;
	out->gap_s = nums->gap_s - b->gap_s;
	out->first_mono = base ? b->last_mono : nums->first_mono;
	copy_gaps(out, nums, b);
	out->mean = out->m2 = out->min = out->max = 0;
	if (!out->readings)
		return 0;
	if (copy_points(out, nums, base, b->last_wall, out->readings))
		return -ENOMEM;
	if (out->npoints == out->readings) {
		uint64_t n = 0;
		for (size_t i = 0; i < out->npoints; i++)
			welford(out, out->points[i].value, &n);
		return 0;
	}
	*partial = true;
	if (!base) { /* the window holds the whole series */
		out->mean = nums->mean;
		out->m2 = nums->m2;
		out->min = nums->min;
		out->max = nums->max;
		return 0;
	}
	/* the readings after the baseline: the running sums' difference
	 * (Chan et al.'s combination, solved for one part) */
	double n_all = (double)nums->readings, n_b = (double)b->readings, n_w = (double)fresh;
	double mean_w = (n_all * nums->mean - n_b * b->mean) / n_w;
	double delta = mean_w - b->mean;
	double m2_w = fmax(0, nums->m2 - b->m2 - delta * delta * n_b * n_w / n_all);
	/* and the baseline reading itself, as one more Welford step */
	double d = b->last_value - mean_w;
	out->mean = mean_w + d / (n_w + 1);
	out->m2 = m2_w + d * (b->last_value - out->mean);
	out->min = out->max = b->last_value;
	for (size_t i = 0; i < out->npoints; i++) {
		out->min = fmin(out->min, out->points[i].value);
		out->max = fmax(out->max, out->points[i].value);
	}
	return 0;
}
