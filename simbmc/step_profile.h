/*
 * step_profile.h — the arithmetic of a piecewise-constant power profile.
 *
 * A profile is n points (t[i] unix seconds, w[i] watts), t non-decreasing.
 * The power is w[i] from t[i] until t[i+1]; before t[0] it is w[0], after
 * t[n-1] it is w[n-1]. Shared by the DCMI module (which serves it) and the
 * test client (which computes the truth tests compare against), so both
 * sides agree on the same definition by construction.
 */
#ifndef SIMBMC_STEP_PROFILE_H
#define SIMBMC_STEP_PROFILE_H

#include <stddef.h>

/* Watts at unix time `at`. n must be >= 1. */
double step_profile_power_w(const double *t, const double *w, size_t n,
			    double at);

/* Exact integral of the profile over [from, to] in joules (0 if to <= from).
 * n must be >= 1. */
double step_profile_energy_j(const double *t, const double *w, size_t n,
			     double from, double to);

/* Minimum and maximum watts the profile takes anywhere in [from, to]
 * (the value at `from` when to <= from). n must be >= 1. */
void step_profile_range_w(const double *t, const double *w, size_t n,
			  double from, double to, double *min_w, double *max_w);

#endif
