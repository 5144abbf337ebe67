/* plot_legend.c — the power plot's legend (PLplot). */
#include "plot_legend.h"

#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>

void plot_legend(const char *const *call_labels, size_t n, bool bands, bool idle)
{
	size_t calls = n <= LEGEND_MAX ? n : LEGEND_MAX, total = calls + bands + idle;
	PLINT *opts = calloc(total, sizeof *opts), *colours = calloc(total, sizeof *colours);
	PLINT *styles = calloc(total, sizeof *styles), *patterns = calloc(total, sizeof *patterns);
	PLINT *texts = calloc(total, sizeof *texts); /* opaque, also for the band's entry */
	PLFLT *widths = calloc(total, sizeof *widths), *scales = calloc(total, sizeof *scales);
	const char **labels = calloc(total, sizeof *labels);
	char more[64];
	if (opts && colours && styles && patterns && texts && widths && scales && labels) {
		for (size_t i = 0; i < calls; i++) {
			opts[i] = PL_LEGEND_LINE;
			colours[i] = 2 + (PLINT)(i % LINE_COLOURS);
			styles[i] = 1 + (PLINT)(i / LINE_COLOURS % 8);
			widths[i] = 2.0;
			labels[i] = call_labels[i];
		}
		if (n > LEGEND_MAX) {
			snprintf(more, sizeof more, "+ %zu more calls", n - (LEGEND_MAX - 1));
			opts[LEGEND_MAX - 1] = PL_LEGEND_NONE;
			colours[LEGEND_MAX - 1] = 1;
			labels[LEGEND_MAX - 1] = more;
		}
		size_t k = calls;
		if (bands) {
			opts[k] = PL_LEGEND_COLOR_BOX;
			colours[k] = BAND_COLOURS;
			scales[k] = 0.8;
			widths[k] = 1.0;
			labels[k++] = "95 % band between refreshes";
		}
		if (idle) {
			opts[k] = PL_LEGEND_LINE;
			colours[k] = 1;
			styles[k] = IDLE_STYLE;
			widths[k] = 1.5;
			labels[k] = "idle baseline (per call)";
		}
		for (size_t i = 0; i < total; i++)
			texts[i] = i < calls ? colours[i] : 1;
		PLFLT legend_w, legend_h;
		pllegend(&legend_w, &legend_h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
		         PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0, 0.05, 0, 1, 1, 0, 0, (PLINT)total, opts, 1.0,
		         0.6, 1.6, 0.0, texts, labels, colours, patterns, scales, widths, colours, styles, widths,
		         NULL, NULL, NULL, NULL);
	}
	free(opts);
	free(colours);
	free(styles);
	free(patterns);
	free(texts);
	free(widths);
	free(scales);
	free(labels);
}
