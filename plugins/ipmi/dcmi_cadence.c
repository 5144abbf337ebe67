/*
 * dcmi_cadence.c — DCMI answers into readings that say how good they are.
 * The rules, and why they hold, are in README.md ("How good a DCMI reading
 * is"); the comments here say why each step is needed.
 */
#include "dcmi_cadence.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A time stamp taken per request, in whole seconds, never shows the same
 * second for more than 1 s of host time; the extra 0.5 s absorbs where in
 * the round trip the BMC read its clock. A stamp held longer is not one. */
#define REQUEST_CLOCK_HOLD_NS 1500000000LL
/* Stamp advances needed before deciding what they follow: one or two can
 * fall next to a value change by chance. */
#define STAMP_MIN_ADVANCES 3

/* Until two refreshes were seen, how slow the BMC is taken to be: BMCs
 * refresh their reading every 0.1-5 s (issue 13's survey of vendors). One
 * that is slower is learned from its second visible refresh on; until
 * then its bound is too narrow (docs/uncertainty.md says so). */
#define DCMI_CADENCE_PRIOR_S 5.0

enum stamp_mode { STAMP_UNKNOWN, STAMP_FROZEN, STAMP_REFRESH, STAMP_REQUEST };

static double seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

/* A request clock advances whatever the power does, so most of its
 * advances come with no power figure changing; a refresh stamp advances
 * with the figures (or was once held longer than a request clock can). */
static enum stamp_mode stamp_mode(const struct dcmi_cadence *c)
{
	if (c->answers < 2)
		return STAMP_UNKNOWN;
	if (c->stamp_advances == 0)
		return STAMP_FROZEN;
	if (c->stamp_held)
		return STAMP_REFRESH;
	if (c->stamp_advances < STAMP_MIN_ADVANCES)
		return STAMP_UNKNOWN;
	return 2 * c->stamp_alone >= c->stamp_advances ? STAMP_REQUEST : STAMP_REFRESH;
}

/* Until the stamp is known to mark refreshes, only the value does: taking
 * a request clock for refreshes would make a 5 s BMC look like a 1 s one. */
static const struct dcmi_sightings *sightings(const struct dcmi_cadence *c)
{
	return stamp_mode(c) == STAMP_REFRESH ? &c->by_value_or_stamp : &c->by_value;
}

static void sightings_start(struct dcmi_sightings *s, int64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->last_ns = now_ns;
	s->last_slack_s = -1;
}

static void sightings_add(struct dcmi_sightings *s, int64_t now_ns, double interval_s)
{
	/* The first answer shows a refresh made at an unknown time before it:
	 * a spacing from it could be anything shorter than the real one. */
	if (s->last_slack_s >= 0) {
		s->spacing_s[s->next_spacing] = seconds(now_ns - s->last_ns);
		s->next_spacing = (s->next_spacing + 1) % DCMI_CADENCE_HISTORY;
		if (s->nspacing < DCMI_CADENCE_HISTORY)
			s->nspacing++;
	}
	s->last_ns = now_ns;
	s->last_slack_s = interval_s;
	s->seen++;
}

/* The shortest, because a refresh whose value came out equal is not seen
 * and doubles a spacing; none is shorter than the real period by more than
 * one sampling interval. 0: fewer than two refreshes seen. */
static double shortest_spacing(const struct dcmi_sightings *s)
{
	double r = 0;
	for (unsigned i = 0; i < s->nspacing; i++)
		if (i == 0 || s->spacing_s[i] < r)
			r = s->spacing_s[i];
	return r;
}

static double chosen(const struct dcmi_cadence *c, const struct dcmi_answer *a)
{
	return c->choice == DCMI_POWER_AVERAGE ? a->avg_w : a->current_w;
}

void dcmi_cadence_init(struct dcmi_cadence *c, enum dcmi_power_choice choice, double ceiling_w)
{
	memset(c, 0, sizeof(*c));
	c->choice = choice;
	c->ceiling_w = ceiling_w > 0 ? ceiling_w : 0;
}

/* Learn from one answer after the first; returns whether it is fresh (the
 * BMC refreshed the chosen value since the previous answer). */
static int observe(struct dcmi_cadence *c, const struct dcmi_answer *a, double interval_s)
{
	const struct dcmi_answer *p = &c->last;
	int value_moved = chosen(c, a) != chosen(c, p);
	int stamp_moved = a->timestamp != p->timestamp;
	int figures_moved = a->current_w != p->current_w || a->min_w != p->min_w || a->max_w != p->max_w ||
			    a->avg_w != p->avg_w;
	if (stamp_moved) {
		c->stamp_advances++;
		c->stamp_alone += !figures_moved;
		c->stamp_since_ns = a->mono_ns;
	} else if (a->mono_ns - c->stamp_since_ns > REQUEST_CLOCK_HOLD_NS) {
		c->stamp_held = 1;
	}
	if (value_moved)
		sightings_add(&c->by_value, a->mono_ns, interval_s);
	if (value_moved || stamp_moved)
		sightings_add(&c->by_value_or_stamp, a->mono_ns, interval_s);
	return value_moved || (stamp_moved && stamp_mode(c) == STAMP_REFRESH);
}

static void set_range(struct energy_reading *out, double low, double high, double span_s)
{
	out->flags |= ENERGY_READING_RANGE;
	out->range_low = low;
	out->range_high = high;
	out->range_s = span_s;
}

/* A burst the current value never showed. The BMC's maximum over its
 * statistics period (since it started, or a rolling window) rises only
 * when a higher power happened since its previous refresh: everything
 * older was already inside the previous answer's period. So a rise bounds
 * the span since that refresh by the new maximum, however long the
 * period; a maximum that stays put says nothing new (its peak is old, or
 * is a level the readings show). The same holds for a falling minimum.
 * `since_refresh_s`: from the earliest moment the refresh before this
 * answer's may have happened, to now (0: unknown). */
static void bound_bursts(struct dcmi_cadence *c, const struct dcmi_answer *a, double since_refresh_s,
			 struct energy_reading *out)
{
	double value = out->value;
	c->used_dcmi_max = a->max_w > 0 && a->period_ms > 0;
	c->used_ceiling = !c->used_dcmi_max && c->ceiling_w > 0;
	if (c->used_ceiling) {
		/* Nothing the BMC says bounds a burst between refreshes: the
		 * user's ceiling does, over the span a refresh may hide. */
		set_range(out, value, fmax(value, c->ceiling_w), out->lag_s);
		return;
	}
	if (c->used_dcmi_max && c->choice == DCMI_POWER_AVERAGE) {
		/* an average holds its window's bursts already; its minimum and
		 * maximum bound what the average hides at a run's two edges */
		set_range(out, a->min_w > 0 ? fmin(value, a->min_w) : value, fmax(value, a->max_w),
			  a->period_ms / 1000.0);
		return;
	}
	if (!c->used_dcmi_max || !c->have_last || since_refresh_s <= 0)
		return;
	const struct dcmi_answer *p = &c->last;
	/* a minimum of 0 W is a BMC that does not report one */
	int rose = a->max_w > p->max_w && a->max_w > value;
	int fell = a->min_w > 0 && p->min_w > 0 && a->min_w < p->min_w && a->min_w < value;
	if (rose || fell)
		set_range(out, fell ? a->min_w : value, rose ? a->max_w : value, since_refresh_s);
}

void dcmi_cadence_reading(struct dcmi_cadence *c, const struct dcmi_answer *a, struct energy_reading *out)
{
	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	out->quantity = ENERGY_Q_POWER_W;
	out->scope = ENERGY_SCOPE_SYSTEM;
	snprintf(out->sensor, sizeof(out->sensor), "dcmi");
	out->value = chosen(c, a);
	out->mono_ns = a->mono_ns;
	out->wall_ns = a->wall_ns;
	/* DCMI carries integer watts, rounded or truncated by the BMC. */
	out->resolution = 1.0;
	if (c->choice == DCMI_POWER_AVERAGE) {
		out->flags |= ENERGY_READING_AVERAGE;
		out->average_s = a->period_ms / 1000.0; /* 0 (not known) when the BMC gives no period */
	}
	c->answers++;
	int fresh = 1;
	double interval_s = 0, since_refresh_s = 0;
	if (!c->have_last) {
		c->first_ns = c->stamp_since_ns = a->mono_ns;
		sightings_start(&c->by_value, a->mono_ns);
		sightings_start(&c->by_value_or_stamp, a->mono_ns);
	} else {
		interval_s = fmax(0, seconds(a->mono_ns - c->last.mono_ns));
		/* the refresh before this answer's, kept both ways because this
		 * answer may change what the stamp is taken to mean */
		int64_t by_value_ns = c->by_value.last_ns, by_both_ns = c->by_value_or_stamp.last_ns;
		double by_value_slack = c->by_value.last_slack_s, by_both_slack = c->by_value_or_stamp.last_slack_s;
		fresh = observe(c, a, interval_s);
		int both = stamp_mode(c) == STAMP_REFRESH;
		double slack = both ? by_both_slack : by_value_slack;
		/* that refresh came up to an interval before its sighting; when
		 * it was only seen as the first answer, its time is not known */
		if (slack >= 0)
			since_refresh_s = seconds(a->mono_ns - (both ? by_both_ns : by_value_ns)) + slack;
	}
	const struct dcmi_sightings *s = sightings(c);
	/* Spacings of first sightings are short by up to one interval. Before
	 * two refreshes: the prior. */
	if (s->nspacing)
		out->lag_s = shortest_spacing(s) + interval_s;
	else
		out->lag_s = DCMI_CADENCE_PRIOR_S + interval_s;
	c->refreshes += fresh && c->have_last;
	if (!fresh) {
		c->stale++;
		out->flags |= ENERGY_READING_STALE;
	}
	bound_bursts(c, a, since_refresh_s, out);
	c->last = *a;
	c->have_last = 1;
}

double dcmi_cadence_refresh_s(const struct dcmi_cadence *c)
{
	return shortest_spacing(sightings(c));
}

const char *dcmi_cadence_stamp_behaviour(const struct dcmi_cadence *c)
{
	switch (stamp_mode(c)) {
	case STAMP_FROZEN:
		return "does not advance";
	case STAMP_REFRESH:
		return "advances with refreshes";
	case STAMP_REQUEST:
		return "advances with every request";
	default:
		return "unknown";
	}
}

const char *dcmi_cadence_burst_ceiling(const struct dcmi_cadence *c)
{
	if (!c->have_last)
		return "none: no DCMI answer yet";
	if (c->used_dcmi_max)
		return "dcmi_maximum";
	if (c->used_ceiling)
		return "ipmi_max_power_w";
	return "none: the BMC reports no maximum (0 W or no statistics period) and ipmi_max_power_w is not set, "
	       "so bursts between refreshes are not bounded";
}
