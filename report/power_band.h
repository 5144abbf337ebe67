/*
 * power_band.h — the band a power series' readings allow between refreshes.
 *
 * A reading taken at t may describe the power up to look_s (L) before t
 * (a BMC's refresh lag and averaging: the series' "bound" in the file's
 * energymon section). So the power at an instant x is only known to lie
 * between the lowest and highest of the readings taken in [x, x + L],
 * widened by the series' resolution. Where no reading falls in that
 * window the next reading stands for it, as the plotted line does.
 */
#ifndef REPORT_POWER_BAND_H
#define REPORT_POWER_BAND_H

#include <stdbool.h>
#include <stddef.h>

#include "energy_trace.h"

struct power_bound {
	double look_s, resolution_w;
};

/* The bound of the trace's power series: the widest of them (the power
 * readings list does not say which series each came from). False when no
 * power series carries one (older files): such a trace has no band. */
bool power_band_bound(const struct energy_trace *trace, struct power_bound *out);

/* The band around readings (t_s ascending, n >= 1) as one closed polygon,
 * the upper edge left to right then the lower edge back: at most 8n points
 * into x and y (each of 8n entries). Returns the number of points. */
size_t power_band_polygon(const double *t_s, const double *p_w, size_t n, struct power_bound bound, double *x,
                          double *y);

#endif
