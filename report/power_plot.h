/*
 * power_plot.h — power over time, one labelled line per job/call, as the
 * seed's matplotlib example drew it: x is seconds since that call's first
 * reading (s), y is power (W). Drawn by PLplot's cairo driver (Debian:
 * plplot-driver-cairo), "svgcairo" for .svg and "pngcairo" for .png.
 *
 * PLplot keeps its streams in process-wide state, so this must not run
 * from two threads at once; the report command is single-threaded.
 */
#ifndef REPORT_POWER_PLOT_H
#define REPORT_POWER_PLOT_H

#include <stdio.h>

#include "trace_set.h"

/* The PLplot device for `path`'s extension ("svgcairo", "pngcairo"), or
 * NULL for an extension this report cannot draw. */
const char *power_plot_device_for(const char *path);

/* Draws every trace with at least two power readings into `path`.
 * Returns 0 or a negative errno (-EINVAL: unknown extension or no trace to
 * draw, -ENODEV: the PLplot driver is not installed), with the reason on
 * `errors`. */
int power_plot_write(const struct trace_set *set, const char *path, FILE *errors);

#endif
