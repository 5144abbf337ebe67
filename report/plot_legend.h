/*
 * plot_legend.h — the power plot's legend, and the palette and styles the
 * plot and its legend share.
 */
#ifndef REPORT_PLOT_LEGEND_H
#define REPORT_PLOT_LEGEND_H

#include <stdbool.h>
#include <stddef.h>

/* Colour map 0: white, black, LINE_COLOURS line colours, the grid's grey,
 * then the line colours again translucent (BAND_ALPHA) for the bands.
 * LEGEND_MAX entries fit the page's height. */
enum { LINE_COLOURS = 10, GRID_GREY = 12, BAND_COLOURS = 13, LEGEND_MAX = 18, IDLE_STYLE = 2 };
/* Translucent, so lines and other calls' bands show through. */
#define BAND_ALPHA 0.25

/* The calls' entries (at most LEGEND_MAX, the last then saying how many
 * are not listed; every line is still drawn), then one for the bands and
 * one for the idle lines when any is drawn. Call between plinit() and
 * plend1(). */
void plot_legend(const char *const *call_labels, size_t n, bool bands, bool idle);

#endif
