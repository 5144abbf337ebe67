/*
 * The integration term of a power series' bound (docs/uncertainty.md).
 *
 * A reading may describe the power as it was up to look_s earlier (a BMC
 * refreshes its value every few seconds, or averages it), so what the
 * power did during a span shows in the readings that follow it within
 * look_s. Readings are grouped into runs of one value; a run is bounded
 * once the readings that can still describe it have arrived:
 *  - its quiet part (more than look_s before the next run) held the run's
 *    value, as far as the readings can tell;
 *  - its last look_s held something between the least and the most of the
 *    runs that start within look_s after it;
 *  - a device range (DCMI minimum and maximum, or the user's ceiling)
 *    widens every part it covers: a burst between refreshes.
 * The truth of the run lies in [least x time, most x time]; the estimate is
 * the trapezoid rule the series already applies. Adjacent uncertain runs
 * form one episode (one step seen late is one error, not several); closed
 * episodes are taken as independent (var_j2).
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* a uniform's variance over a range of width w is w^2 / 12 (a
 * multiplication: this runs for every reading) */
#define UNIFORM_VAR (1.0 / 12.0)

/* fmin/fmax are library calls at -O2 (NaN rules); every value here is
 * finite, and these run for every reading. */
static inline double least(double a, double b)
{
	return a < b ? a : b;
}

static inline double most(double a, double b)
{
	return a > b ? a : b;
}

static double secs(int64_t ns)
{
	return (double)ns * 1e-9;
}

/* The truth held within [lo, hi] over [a, b] (seconds): the blind end. */
struct reach {
	double a, b, lo, hi;
};

/* How much further than [lo, hi] over [from, to] the pending ranges (and
 * the blind end's reach, `extra`, when not NULL) let the truth go, in
 * joules (*below <= 0, *above >= 0). They overlap (a ceiling comes with
 * every reading and reaches a lag back): at each instant only the widest
 * covering it counts, so the sum over the span never exceeds what one
 * range over all of it could allow. */
static bool widen_by_ranges(const struct em_unc_seg *p, size_t n, size_t k, double from, double to, double lo,
                            double hi, const struct reach *extra, double *below, double *above)
{
	/* the contributors clipped to the span, then the span cut where any
	 * begins or ends: each piece takes the widest that covers it */
	struct reach in[EM_UNC_PENDING_MAX + 1];
	double cut[2 * EM_UNC_PENDING_MAX + 2];
	size_t m = 0, ncut = 0;
	if (extra && (extra->lo < lo || extra->hi > hi) && least(to, extra->b) > most(from, extra->a))
		in[m++] = (struct reach){most(from, extra->a), least(to, extra->b), extra->lo, extra->hi};
	for (size_t j = k; j < n; j++) {
		if (!p[j].ranged || (p[j].rlo >= lo && p[j].rhi <= hi))
			continue;
		/* rs already counts from the earliest the device could have begun it */
		double a = most(from, secs(p[j].t0) - p[j].rs), b = least(to, secs(p[j].t1));
		if (b > a)
			in[m++] = (struct reach){a, b, p[j].rlo, p[j].rhi};
	}
	if (!m)
		return false;
	for (size_t i = 0; i < m; i++) {
		cut[ncut++] = in[i].a;
		cut[ncut++] = in[i].b;
	}
	for (size_t i = 1; i < ncut; i++) /* nearly sorted already (runs come in time order) */
		for (size_t c = i; c > 0 && cut[c - 1] > cut[c]; c--) {
			double t = cut[c];
			cut[c] = cut[c - 1];
			cut[c - 1] = t;
		}
	for (size_t i = 0; i + 1 < ncut; i++) {
		double a = cut[i], b = cut[i + 1], mid = 0.5 * (a + b), deepest = 0, highest = 0;
		if (b <= a)
			continue;
		for (size_t j = 0; j < m; j++)
			if (in[j].a <= mid && mid <= in[j].b) {
				deepest = least(deepest, in[j].lo - lo);
				highest = most(highest, in[j].hi - hi);
			}
		*below += deepest * (b - a);
		*above += highest * (b - a);
	}
	return true;
}

/* shape: the run's variance relative to a uniform spread over [a, b] */
static void episode(struct em_unc *u, double a, double b, double shape)
{
	if (b - a > 1e-12) {
		u->ep_lo_j += a;
		u->ep_hi_j += b;
		u->ep_shape_j += shape * (b - a);
		return;
	}
	double w = u->ep_hi_j - u->ep_lo_j;
	if (w > 0)
		u->var_j2 += w * u->ep_shape_j * UNIFORM_VAR; /* w^2 x (ep_shape / w) / 12 */
	u->ep_lo_j = u->ep_hi_j = u->ep_shape_j = 0;
}

/* Where in a run's tail the change happened: at a refresh, anywhere in
 * the refresh period before the span between the run's last reading and
 * the next run's first (tail - gap long), plus where in that span the
 * refresh was first seen (gap long). Refresh and sampling are not in step,
 * so the two add as independent uniforms: variance (r^2 + g^2) / 12, not
 * the (r + g)^2 / 12 of one uniform over the whole tail. */
static double tail_shape(double tail, double gap)
{
	if (tail <= 0)
		return 1;
	double r = most(0, tail - gap), g = least(gap, tail);
	return (r * r + g * g) / (tail * tail);
}

/* Bound run k of p[0..n) into u. Without a successor (the end of the run,
 * or before a gap) the last look_s cannot be seen in any reading: it is
 * taken to lie within what the series has shown (seen_lo..seen_hi). */
static void bound_run(const struct em_unc_seg *p, size_t n, size_t k, double seen_lo, double seen_hi,
                      struct em_unc *u)
{
	const struct em_unc_seg *g = &p[k];
	size_t runs = n;
	while (runs > 0 && p[runs - 1].after)
		runs--;
	bool next = k + 1 < runs;
	double t0 = secs(g->t0), t1 = secs(g->t1);
	double end = next ? secs(p[k + 1].t0) : t1, v_next = next ? p[k + 1].v : g->v;
	double est = g->v * (t1 - t0) + 0.5 * (g->v + v_next) * (end - t1);
	/* How late the change shows: the lag the readings after the run were
	 * taken with. A BMC's cadence is its own, so the newest reading's lag
	 * (learned) also caps the readings taken before it was known (under
	 * the plugin's prior). */
	double look = k + 1 < n ? 0 : g->look_s;
	bool any_range = g->ranged;
	for (size_t j = k + 1; j < n; j++) {
		look = most(look, p[j].look_s);
		any_range |= p[j].ranged;
	}
	look = least(look, p[n - 1].look_s);
	/* the span between the run's last reading and the next run's first is
	 * never quiet: the change happened somewhere in it */
	double split = most(t0, least(t1, end - look));
	double qlo = g->v, qhi = g->v, llo = g->v, lhi = g->v;
	for (size_t j = k + 1; j < n && secs(p[j].t0) <= end + look; j++) {
		llo = least(llo, p[j].v);
		lhi = most(lhi, p[j].v);
	}
	/* Bounded before every reading that could describe its tail came (the
	 * end of the series, a gap, a full queue): what the power did in the
	 * last look_s before the newest reading may show only in readings that
	 * will never be taken. That blind span (each instant of it once, in
	 * whichever run holds it) lies within what the power was ever seen at. */
	double blind = most(split, least(end, secs(p[n - 1].t1) - p[n - 1].look_s));
	double quiet = split - t0, tail = blind - split, dark = end - blind;
	tail += dark;
	double a = qlo * quiet + llo * tail - est, b = qhi * quiet + lhi * tail - est;
	/* The blind span's reach to what was ever seen, and a device range,
	 * are ceilings, not likely values: they widen the bound on their side
	 * as worst cases and never move the expected error. */
	struct reach seen = {.a = blind, .b = end, .lo = least(llo, seen_lo), .hi = most(lhi, seen_hi)};
	double below = 0, above = 0;
	bool ranged = false;
	if (any_range)
		ranged = widen_by_ranges(p, n, k, t0, split, qlo, qhi, NULL, &below, &above);
	if (any_range || dark > 0)
		ranged |= widen_by_ranges(p, n, k, split, end, llo, lhi, dark > 0 ? &seen : NULL, &below, &above);
	if (ranged || below < 0 || above > 0) {
		u->burst_lo_j += below;
		u->burst_hi_j += above;
		u->ranged_s += end - t0;
	}
	u->lo_j += a;
	u->hi_j += b;
	u->mid_j += 0.5 * (a + b);
	/* A run that held its value for a while (a quiet part) ends whatever
	 * the changes before it did: a new, independent episode begins. Runs
	 * with no quiet part (a ramp, stairs faster than the look-ahead) are
	 * one change seen late, and their errors add. */
	if (quiet > 0)
		episode(u, 0, 0, 1);
	episode(u, a, b, tail_shape(tail, end - t1));
	u->res_j += g->res * (end - t0);
	double r = 2 * g->res * (end - t0);
	u->res_var_j2 += r * r * UNIFORM_VAR;
	u->spans++;
}

/* How long after the next run's start readings can still change run 0's bound. */
static double reach_s(const struct em_unc_seg *p, size_t n)
{
	double reach = 0;
	for (size_t j = 0; j < n; j++)
		reach = most(reach, p[j].look_s + (p[j].ranged ? p[j].rs : 0));
	return reach;
}

static void drop_first(struct em_series *s)
{
	if (s->npend == 2) /* the usual case when runs are bounded as they come: no library call */
		s->pend[0] = s->pend[1];
	else
		memmove(s->pend, s->pend + 1, (s->npend - 1) * sizeof(*s->pend));
	s->npend--;
}

/* What averaging hides at a stretch's edges: the integral of the averages
 * over [t0, t1] counts the last w/2 before t0 (weighted) and misses the
 * last w/2 before t1, so truth - integral = w1/2 * P1 - w0/2 * P0, with
 * P the power's weighted mean over each edge's window (docs). Its own
 * independent term. */
static void edge_term(const struct em_unc_edge *e0, const struct em_unc_edge *e1, struct em_unc *u)
{
	if (!e0->have || !e1->have)
		return;
	double lo = 0.5 * (e1->w * e1->lo - e0->w * e0->hi), hi = 0.5 * (e1->w * e1->hi - e0->w * e0->lo);
	u->lo_j += lo;
	u->hi_j += hi;
	u->mid_j += 0.5 * (e1->w * e1->a - e0->w * e0->a);
	u->var_j2 += (hi - lo) * (hi - lo) * UNIFORM_VAR;
}

static void edge_of(const struct em_series *s, double v, const struct em_reading_info *in, struct em_unc_edge *e)
{
	e->have = in->average_s > 0;
	e->w = least(in->average_s, EM_UNC_LOOK_MAX_S);
	e->a = v;
	/* without the device's minimum and maximum, the least and most the
	 * series has shown */
	e->lo = isnan(in->avg_low) ? least(v, s->min) : in->avg_low;
	e->hi = isnan(in->avg_high) ? most(v, s->max) : in->avg_high;
}

/* What the power is known to have reached: the readings, and the range
 * the device gave with the latest one. Where no later reading can tell
 * (the run's last look-ahead), the truth is taken to lie within it. */
static double seen_lo(const struct em_series *s)
{
	return s->unc_seen ? least(s->min, s->unc_seen_lo) : s->min;
}

static double seen_hi(const struct em_series *s)
{
	return s->unc_seen ? most(s->max, s->unc_seen_hi) : s->max;
}

void em_unc_flush(struct em_series *s)
{
	for (size_t k = 0; k < s->npend; k++)
		if (!s->pend[k].after)
			bound_run(s->pend, s->npend, k, seen_lo(s), seen_hi(s), &s->unc);
	episode(&s->unc, 0, 0, 1);
	s->npend = 0;
}

/* An averaged stretch's two edges (edge_term). Readings that are not
 * averages, in a stretch that had none, leave them untouched. */
static void track_edges(struct em_series *s, double v, const struct em_reading_info *in, bool restart)
{
	bool avg = in->average_s > 0;
	if (!avg && !s->edge_last.have && !restart && s->readings > 1)
		return; /* nothing to track: the usual, per-reading case */
	struct em_unc_edge e = {.have = false};
	if (avg)
		edge_of(s, v, in, &e);
	/* The edge term W1/2 P1 - W0/2 P0 holds for one window W: a
	 * constant 100 W whose averaging went from 1 s to 60 s was
	 * bounded 2950 J off, at zero width. A new window (or none)
	 * ends the stretch at its edges, as a restart does. */
	bool rewindowed = !restart && s->readings > 1 &&
	                  (e.have ? e.w : 0) != (s->edge_last.have ? s->edge_last.w : 0);
	if (rewindowed)
		edge_term(&s->edge_open, &s->edge_last, &s->unc);
	if (restart || s->readings <= 1 || rewindowed)
		s->edge_open = e;
	s->edge_last = e;
}

void em_unc_power_add(struct em_series *s, int64_t mono_ns, double v, const struct em_reading_info *in, bool restart)
{
	if (restart) {
		edge_term(&s->edge_open, &s->edge_last, &s->unc);
		em_unc_flush(s);
	}
	if (!in->after) {
		/* Look-aheads followed by a reading were not after the end: as
		 * runs of their own they cut the span before them short, and
		 * the rest of it, which the total integrates, went unbounded.
		 * They sit at the queue's end (this keeps them there). */
		while (s->npend && s->pend[s->npend - 1].after)
			s->npend--;
		track_edges(s, v, in, restart);
		bool avg = in->average_s > 0;
		/* the device's latest range only: a peak of long ago (a
		 * since-start maximum) says nothing of the last seconds */
		s->unc_seen_lo = in->ranged ? in->range_low : avg && !isnan(in->avg_low) ? in->avg_low : v;
		s->unc_seen_hi = in->ranged ? in->range_high : avg && !isnan(in->avg_high) ? in->avg_high : v;
		s->unc_seen = true;
	}
	if (!s->pend && !(s->pend = malloc(EM_UNC_PENDING_MAX * sizeof(*s->pend)))) {
		s->unc_lost = true; /* the bound cannot be kept: it is reported as unknown */
		return;
	}
	double look = least(in->look_s, EM_UNC_LOOK_MAX_S);
	s->look_s = look + least(in->average_s, EM_UNC_LOOK_MAX_S); /* cut as the edge's window is */
	struct em_unc_seg *last = s->npend ? &s->pend[s->npend - 1] : NULL;
	if (last && last->v == v && !in->ranged && !last->ranged && last->after == in->after) {
		last->t1 = mono_ns;
		last->look_s = look; /* the latest reading knows the cadence best */
		last->res = most(last->res, in->resolution);
	} else {
		if (s->npend == EM_UNC_PENDING_MAX) { /* bounded early, with the look-ahead there is */
			if (!s->pend[0].after)
				bound_run(s->pend, s->npend, 0, seen_lo(s), seen_hi(s), &s->unc);
			drop_first(s);
		}
		s->pend[s->npend++] = (struct em_unc_seg){
			.t0 = mono_ns, .t1 = mono_ns, .v = v, .res = in->resolution, .look_s = look,
			.ranged = in->ranged, .rlo = in->range_low, .rhi = in->range_high,
			.rs = least(in->range_s, EM_UNC_LOOK_MAX_S), .after = in->after,
		};
	}
	while (s->npend >= 2 && !s->pend[0].after &&
	       secs(mono_ns) - secs(s->pend[1].t0) >= reach_s(s->pend, s->npend)) {
		bound_run(s->pend, s->npend, 0, seen_lo(s), seen_hi(s), &s->unc);
		drop_first(s);
	}
}

void em_unc_runs_now(const struct em_series *s, struct em_unc *out)
{
	*out = s->unc;
	for (size_t k = 0; k < s->npend; k++)
		if (!s->pend[k].after)
			bound_run(s->pend, s->npend, k, seen_lo(s), seen_hi(s), out);
	episode(out, 0, 0, 1);
}

void em_unc_now(const struct em_series *s, struct em_unc *out)
{
	em_unc_runs_now(s, out);
	edge_term(&s->edge_open, &s->edge_last, out);
}

void em_unc_add(struct em_unc *sum, const struct em_unc *u)
{
	sum->lo_j += u->lo_j;
	sum->hi_j += u->hi_j;
	sum->mid_j += u->mid_j;
	sum->var_j2 += u->var_j2;
	sum->burst_lo_j += u->burst_lo_j;
	sum->burst_hi_j += u->burst_hi_j;
	sum->res_j += u->res_j;
	sum->res_var_j2 += u->res_var_j2;
	sum->ranged_s += u->ranged_s;
	sum->spans += u->spans;
}

void em_unc_sub(struct em_unc *out, const struct em_unc *now, const struct em_unc *then)
{
	struct em_unc neg = {
		.lo_j = -then->lo_j, .hi_j = -then->hi_j, .mid_j = -then->mid_j, .var_j2 = -then->var_j2,
		.burst_lo_j = -then->burst_lo_j, .burst_hi_j = -then->burst_hi_j, .res_j = -then->res_j, .res_var_j2 = -then->res_var_j2,
		.ranged_s = -then->ranged_s,
	};
	*out = *now;
	out->spans = now->spans > then->spans ? now->spans - then->spans : 0;
	em_unc_add(out, &neg);
	/* A difference of sums of non-negative terms. A snapshot bounds the runs
	 * still waiting for their look-ahead provisionally, and settling them
	 * later can shrink a term: neither that nor rounding may make one negative. */
	out->ranged_s = most(0, out->ranged_s);
	out->var_j2 = most(0, out->var_j2);
	out->res_var_j2 = most(0, out->res_var_j2);
	out->res_j = most(0, out->res_j);
	out->lo_j = least(0, out->lo_j);
	out->hi_j = most(0, out->hi_j);
	out->burst_lo_j = least(0, out->burst_lo_j);
	out->burst_hi_j = most(0, out->burst_hi_j);
}
