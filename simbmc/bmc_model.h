/*
 * bmc_model.h — how a real BMC turns the power it measures into DCMI
 * answers: it refreshes its reading only every refresh period, may average
 * over a rolling window, reports integer watts, and stamps answers with
 * its own clock. Pure arithmetic on a step profile (step_profile.h) and a
 * time you pass in, so the DCMI module serves it in real time and the
 * tests drive the very same code on a simulated clock, without sleeping.
 */
#ifndef SIMBMC_BMC_MODEL_H
#define SIMBMC_BMC_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* What the DCMI time stamp says. */
enum bmc_stamp_mode {
	BMC_STAMP_REFRESH = 0, /* when the reading was last refreshed (seconds, floor) */
	BMC_STAMP_REQUEST = 1, /* when the request was answered, refreshed or not */
	BMC_STAMP_FROZEN = 2   /* always the BMC's start time: a BMC whose clock is not set */
};

struct bmc_behaviour {
	double refresh_s;    /* the reading changes only at start + k * refresh_s; 0: every request */
	double window_s;     /* statistics period: average/min/max over the last window_s before
	                        the refresh; 0: since the BMC started */
	int quantise;        /* nonzero: watts rounded to the nearest integer (DCMI carries integers) */
	enum bmc_stamp_mode stamp;
};

struct bmc_answer {
	double current_w;    /* the power at the last refresh */
	double min_w, max_w, avg_w; /* over the statistics period ending at the last refresh */
	uint32_t timestamp;  /* unix seconds, per bmc_behaviour.stamp */
	uint32_t period_ms;  /* the statistics period the figures cover (rounded to the
	                        ms, clamped to UINT32_MAX: DCMI's field is 32-bit) */
	double refreshed_at; /* unix seconds of the last refresh (not on the wire; for tests) */
};

/* The answer a BMC started at `start` (unix s) gives at `now` (>= start)
 * for the profile (t, w, n >= 1; see step_profile.h). The statistics period
 * is [max(start, r - window_s), r] for the last refresh r; when it is empty
 * (r == start) the average is the current reading. Pure: no allocation, no
 * state; O(log n + profile points inside the period). */
void bmc_model_answer(const struct bmc_behaviour *b, const double *t, const double *w, size_t n, double start,
		      double now, struct bmc_answer *out);

/* Parse "refresh_ms=P", "window_ms=W", "quantise=0|1", "stamp=refresh|request|frozen"
 * (one option) into b. Returns 0, or -EINVAL. */
int bmc_behaviour_option(struct bmc_behaviour *b, const char *option);

#endif
