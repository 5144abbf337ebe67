/*
 * uncertainty.h — the running terms of an energy figure's error bound
 * (docs/uncertainty.md has the model, its formulas and its assumptions).
 *
 * Every term is a running sum, so that a window of a continuous monitor
 * (a difference of two snapshots) and a sum over series (independent
 * sources) are bounded the same way as one series over one run.
 */
#ifndef ENERGYMON_UNCERTAINTY_H
#define ENERGYMON_UNCERTAINTY_H

#include <stdbool.h>
#include <stdint.h>

/* What a reading says about its own quality (ABI 1.3 fields, or a
 * declared metric's resolution). */
struct em_reading_info {
	double resolution; /* +- this much from the device's rounding, in the series' unit */
	double look_s;     /* the value may describe the quantity up to look_s before it was taken */
	bool ranged;       /* range_low..range_high held over range_s before the reading */
	double range_low, range_high, range_s;
	/* A mean over average_s (DCMI's average): its runs are bounded as the
	 * averaged signal, and the instants the average hides at a stretch's
	 * two edges by avg_low..avg_high (the device's minimum and maximum). */
	double average_s, avg_low, avg_high;
	bool after;        /* ENERGY_READING_LOOKAHEAD: for the bound of the end only */
};

/* An averaged series at the first or last reading of a stretch. */
struct em_unc_edge {
	bool have;
	double w, a, lo, hi; /* window (s), the average, least and most power within it (W) */
};

/* Running sums, in joules (J^2 for variances). Errors are signed
 * "truth - estimate". */
struct em_unc {
	double lo_j, hi_j;    /* integration: the least and most the truth can be off (sum over spans) */
	double mid_j;         /* the middle of each span's range, summed: the expected error */
	double var_j2;        /* closed episodes: width^2 / 12 each (an episode: adjacent uncertain spans) */
	double ep_lo_j, ep_hi_j; /* the open episode's range */
	double ep_shape_j;       /* its width weighted by each run's shape factor (uncertainty.c) */
	double burst_lo_j, burst_hi_j; /* how much further a device range or ceiling allows (<= 0, >= 0) */
	double res_j;         /* resolution: +- res x time (power), +- res per wrap and end (counters) */
	double res_var_j2;    /* its spread when runs of different readings round independently */
	double ranged_s;      /* time whose bound a device range or ceiling widened */
	uint64_t spans;       /* spans (runs of one reading value) bounded */
};

/* One run of equal readings, not yet bounded: its bound needs the readings
 * that follow it within look_s. */
struct em_unc_seg {
	int64_t t0, t1;       /* first and last reading of the run (host mono ns) */
	double v, res, look_s;
	bool ranged;
	double rlo, rhi, rs;
	bool after;           /* look-ahead readings after the end: never a run of their own */
};

#define EM_UNC_PENDING_MAX 64  /* runs waiting for their look-ahead; beyond, the oldest is bounded early */
#define EM_UNC_LOOK_MAX_S 60.0 /* a longer lag or range is cut to this */
/* A resolution or range end beyond this (a petawatt; a petajoule per
 * counter step) is nonsense and counts as not said: a plugin's 1e308 made
 * the terms infinite (x seconds, squared, summed), and an infinite term
 * cannot be written as JSON nor read back from a monitor state. */
#define EM_UNC_MAGNITUDE_MAX 1e15

/* The 95 % bound of a figure from its terms. */
struct em_bound {
	double value, low, high; /* in the figure's unit; NAN when there is none */
	double half_width;       /* max(high - value, value - low) */
	double resolution, integration, burst; /* each term's own extent, in the unit */
	double gap_s;            /* time with no data: not in the figure and not in the bound */
	const char *method;      /* how it was combined, in words */
};

#endif
