/*
 * A figure's 95 % bound from its running terms (docs/uncertainty.md).
 *
 * Each term has a hard extent (the truth cannot be further off, if the
 * model's assumptions hold) and a spread. The bound is the narrower of
 * the hard range and the expected error +- 1.96 standard deviations:
 * independent episodes and independently rounded runs partly cancel, so a
 * long run with many steps is not charged the sum of every worst case,
 * while one step (or one constant, consistently rounded level) is.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* A counter's readings are each within +- resolution: its delta is within
 * twice that, and each wrap adds one more (the wrap point is known to one
 * unit). Counter deltas are read at the sampled instants, so there is no
 * integration term. */
static void counter_unc(const struct em_series *s, struct em_unc *u)
{
	double extent = s->resolution * (2.0 + (double)s->wraps);
	u->res_j = extent;
	u->res_var_j2 = extent * extent / 3.0; /* uniform over +- extent */
	u->spans = s->readings > 1 ? s->readings - 1 : 0;
}

bool em_series_unc(const struct em_series *s, struct em_unc *out)
{
	memset(out, 0, sizeof(*out));
	uint32_t kind = em_series_kind(s), unit = em_series_unit_id(s);
	if (kind == ENERGY_KIND_GAUGE && unit == ENERGY_UNIT_WATT) {
		em_unc_now(s, out);
		return true;
	}
	if ((kind == ENERGY_KIND_COUNTER && unit == ENERGY_UNIT_JOULE) || kind == ENERGY_KIND_SECONDS) {
		counter_unc(s, out);
		return true;
	}
	return false;
}

void em_bound_none(struct em_bound *b)
{
	memset(b, 0, sizeof(*b));
	b->value = b->low = b->high = b->half_width = NAN;
	b->resolution = b->integration = b->burst = b->gap_s = NAN;
	b->method = NULL;
}

void em_bound_of(const struct em_unc *u, double value, double gap_s, struct em_bound *b)
{
	em_bound_none(b);
	if (!isfinite(value))
		return;
	double sd = sqrt(u->var_j2 + u->res_var_j2);
	double hard_lo = u->lo_j - u->res_j, hard_hi = u->hi_j + u->res_j;
	double lo = fmax(hard_lo, u->mid_j - 1.96 * sd), hi = fmin(hard_hi, u->mid_j + 1.96 * sd);
	if (lo > hi) /* rounding at the edge of the hard range */
		lo = hi = 0.5 * (lo + hi);
	lo += u->burst_lo_j;
	hi += u->burst_hi_j;
	/* Terms of absurd (finite) readings can overflow: no bound rather
	 * than an infinite one, which JSON cannot carry (a metric's whole
	 * entry was lost with it). */
	if (!isfinite(lo) || !isfinite(hi) || !isfinite(value + lo) || !isfinite(value + hi) ||
	    !isfinite(u->res_j) || !isfinite(u->hi_j - u->lo_j) || !isfinite(u->burst_hi_j - u->burst_lo_j))
		return;
	b->value = value;
	b->low = value + lo;
	b->high = value + hi;
	b->half_width = fmax(hi, -lo);
	b->resolution = u->res_j;
	b->integration = 0.5 * (u->hi_j - u->lo_j);
	b->burst = fmax(u->burst_hi_j, -u->burst_lo_j) + 0.0; /* never -0 */
	b->gap_s = gap_s;
	b->method = lo > hard_lo || hi < hard_hi
	                    ? "95 %: expected error +- 1.96 standard deviations of independent episodes and "
	                      "rounding runs, within the worst case of each term"
	                    : "95 %: the worst case of each term (too few independent parts to expect cancelling)";
}
