/*
 * dcmi_cadence.h — what a BMC's DCMI answers say about how good they are.
 *
 * A BMC refreshes its power reading at its own pace (0.1-5 s), may answer
 * with an average over a statistics period, and reports integer watts.
 * This turns each answer into the reading the plugin emits, with the ABI
 * 1.3 fields the host bounds energy with (resolution, lag_s, average_s,
 * range, STALE), and learns the BMC's real refresh cadence from answers
 * whose value and DCMI time stamp do not change. No I/O: the plugin feeds
 * it answers; the uncertainty tests feed it simulated ones.
 */
#ifndef DCMI_CADENCE_H
#define DCMI_CADENCE_H

#include <stdint.h>

#include "energy_plugin.h"

enum dcmi_power_choice {
	DCMI_POWER_INSTANTANEOUS = 0, /* DCMI "current power" */
	DCMI_POWER_AVERAGE = 1        /* DCMI "average power" over the statistics period */
};

struct dcmi_answer {
	double current_w, min_w, max_w, avg_w;
	uint32_t timestamp;  /* the BMC's, unix seconds */
	uint32_t period_ms;  /* statistics period */
	int64_t mono_ns, wall_ns; /* when the host got it (midpoint of the request) */
};

#define DCMI_CADENCE_HISTORY 16

/* First sightings of refreshes: the answer where a change was first seen.
 * The refresh itself happened between the answer before it and it, so
 * `slack_s` (that interval) is how much earlier it may have been. */
struct dcmi_sightings {
	int64_t last_ns;          /* the latest first sighting (the first answer until one is seen) */
	double last_slack_s;      /* < 0: last_ns is the first answer, whose refresh time is unknown */
	double spacing_s[DCMI_CADENCE_HISTORY]; /* ring of the latest spacings between sightings */
	unsigned nspacing, next_spacing;
	unsigned long seen;       /* sightings after the first answer */
};

struct dcmi_cadence {
	enum dcmi_power_choice choice;
	double ceiling_w;          /* ipmi_max_power_w, 0 when not set */
	struct dcmi_answer last;   /* the previous answer */
	int have_last;
	int64_t first_ns;          /* the first answer's host time */
	/* Kept both ways because whether the time stamp marks refreshes is
	 * learned later: by the chosen value alone, and by value or stamp. */
	struct dcmi_sightings by_value, by_value_or_stamp;
	/* Evidence about the time stamp (see stamp_mode() in the .c). */
	int64_t stamp_since_ns;    /* host time of the first answer with the current stamp */
	int stamp_held;            /* a stamp stayed for longer than a request clock allows */
	unsigned long stamp_alone; /* stamp advances with no power figure changing */
	unsigned long answers, refreshes, stamp_advances, stale;
	int used_ceiling, used_dcmi_max; /* the latest answer's burst ceiling */
};
void dcmi_cadence_init(struct dcmi_cadence *c, enum dcmi_power_choice choice, double ceiling_w);

/* Turn one answer into the reading to emit (quantity POWER_W, scope
 * SYSTEM, sensor "dcmi", value, times and the 1.3 fields). */
void dcmi_cadence_reading(struct dcmi_cadence *c, const struct dcmi_answer *a, struct energy_reading *out);

/* What was learned, for the result's notes: the refresh period (s; 0 when
 * no two refreshes were seen yet), and how the time stamp behaves:
 * "advances with refreshes", "advances with every request", "does not
 * advance", or "unknown". */
double dcmi_cadence_refresh_s(const struct dcmi_cadence *c);
const char *dcmi_cadence_stamp_behaviour(const struct dcmi_cadence *c);

/* What bounds bursts between refreshes, as of the latest answer:
 * "dcmi_maximum", "ipmi_max_power_w", or "none: ..." saying why not. */
const char *dcmi_cadence_burst_ceiling(const struct dcmi_cadence *c);

#endif
