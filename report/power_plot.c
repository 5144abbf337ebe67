/* power_plot.c — drawing power over time with PLplot. */
#include "power_plot.h"

#include <errno.h>
#include <plplot.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* LEGEND_MAX entries fit the page's height; past that the last one says
 * how many calls are not listed (every line is still drawn). */
enum { PAGE_WIDTH_PX = 1000, PAGE_HEIGHT_PX = 600, LINE_COLOURS = 10, GRID_GREY = 12,
       LABEL_SIZE = 160, LEGEND_MAX = 18 };

/* Asked before plinit(), which would otherwise prompt on stdin for another
 * device when the driver is missing. */
static bool device_installed(const char *device)
{
	const char *menu[128], *names[128];
	const char **menu_p = menu, **names_p = names;
	int n = 128;
	plgFileDevs(&menu_p, &names_p, &n);
	for (int i = 0; i < n; i++)
		if (strcmp(names_p[i], device) == 0)
			return true;
	return false;
}

struct line {
	PLFLT *t_s, *p_w;
	int n;
	char label[LABEL_SIZE];
};

static int by_timestamp(const void *a, const void *b)
{
	double ta = ((const struct power_sample *)a)->timestamp_s;
	double tb = ((const struct power_sample *)b)->timestamp_s;
	return (ta > tb) - (ta < tb);
}

/* Readings sorted by time, shifted so each call starts at 0 s. */
static int make_line(const struct energy_trace *trace, struct line *line)
{
	struct power_sample *sorted = malloc(trace->n_power * sizeof *sorted);
	line->t_s = malloc(trace->n_power * sizeof *line->t_s);
	line->p_w = malloc(trace->n_power * sizeof *line->p_w);
	if (sorted == NULL || line->t_s == NULL || line->p_w == NULL) {
		free(sorted);
		return -ENOMEM;
	}
	memcpy(sorted, trace->power, trace->n_power * sizeof *sorted);
	qsort(sorted, trace->n_power, sizeof *sorted, by_timestamp);
	for (size_t i = 0; i < trace->n_power; i++) {
		line->t_s[i] = sorted[i].timestamp_s - sorted[0].timestamp_s;
		line->p_w[i] = sorted[i].power_w;
	}
	line->n = (int)trace->n_power;
	snprintf(line->label, sizeof line->label, "Job %s-%s (%s)", trace->job_key,
	         trace->call_id, trace->source);
	free(sorted);
	return 0;
}

static void free_lines(struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(lines[i].t_s);
		free(lines[i].p_w);
	}
	free(lines);
}

/* White page, black axes, then ten colours told apart in print; line
 * styles cycle too so more than ten calls stay distinguishable. */
static void set_palette(void)
{
	static const PLINT red[] = {255, 0, 31, 255, 44, 214, 148, 140, 227, 127, 188, 23, 210};
	static const PLINT green[] = {255, 0, 119, 127, 160, 39, 103, 86, 119, 127, 189, 190, 210};
	static const PLINT blue[] = {255, 0, 180, 14, 44, 40, 189, 75, 194, 127, 34, 207, 210};
	plscmap0(red, green, blue, (PLINT)(sizeof red / sizeof red[0]));
}

static void draw(const struct line *lines, size_t n, const char *device, const char *path)
{
	PLFLT t_max = 0.0, p_min = lines[0].p_w[0], p_max = lines[0].p_w[0];
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < lines[i].n; k++) {
			if (lines[i].t_s[k] > t_max) t_max = lines[i].t_s[k];
			if (lines[i].p_w[k] < p_min) p_min = lines[i].p_w[k];
			if (lines[i].p_w[k] > p_max) p_max = lines[i].p_w[k];
		}
	/* A flat line would give PLplot an empty range; pad it. */
	PLFLT pad = (p_max - p_min) * 0.05 + (p_max == p_min ? 1.0 : 0.0);
	if (t_max <= 0.0)
		t_max = 1.0;

	PLINT stream;
	plmkstrm(&stream);
	plsdev(device);
	plsfnam(path);
	plspage(0.0, 0.0, PAGE_WIDTH_PX, PAGE_HEIGHT_PX, 0, 0);
	set_palette();
	plinit();
	/* Room on the left for the y label and on the right for the legend. */
	pladv(0);
	plvpor(0.10, 0.70, 0.12, 0.90);
	plwind(0.0, t_max, p_min - pad, p_max + pad);
	plcol0(GRID_GREY);
	plbox("g", 0.0, 0, "g", 0.0, 0);
	plcol0(1);
	plbox("bcnst", 0.0, 0, "bcnstv", 0.0, 0);
	pllab("Time (s)", "Power (W)", "Power Consumption Over Time");

	PLINT legend_n = n <= LEGEND_MAX ? (PLINT)n : LEGEND_MAX;
	PLINT *opts = calloc(n, sizeof *opts), *colours = calloc(n, sizeof *colours);
	PLINT *styles = calloc(n, sizeof *styles);
	PLFLT *widths = calloc(n, sizeof *widths);
	const char **labels = calloc(n, sizeof *labels);
	bool legend = opts && colours && styles && widths && labels;
	for (size_t i = 0; i < n; i++) {
		PLINT colour = 2 + (PLINT)(i % LINE_COLOURS), style = 1 + (PLINT)(i / LINE_COLOURS % 8);
		plcol0(colour);
		pllsty(style);
		plwidth(2.0);
		plline(lines[i].n, lines[i].t_s, lines[i].p_w);
		if (legend) {
			opts[i] = PL_LEGEND_LINE;
			colours[i] = colour;
			styles[i] = style;
			widths[i] = 2.0;
			labels[i] = lines[i].label;
		}
	}
	pllsty(1);
	char more[64];
	if (legend && n > LEGEND_MAX) {
		snprintf(more, sizeof more, "+ %zu more calls", n - (LEGEND_MAX - 1));
		opts[LEGEND_MAX - 1] = PL_LEGEND_NONE;
		colours[LEGEND_MAX - 1] = 1;
		labels[LEGEND_MAX - 1] = more;
	}
	if (legend) {
		PLFLT legend_w, legend_h;
		pllegend(&legend_w, &legend_h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
		         PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0, 0.05,
		         0, 1, 1, 0, 0, legend_n, opts, 1.0, 0.6, 1.6, 0.0, colours, labels, NULL,
		         NULL, NULL, NULL, colours, styles, widths, NULL, NULL, NULL, NULL);
	}
	free(opts);
	free(colours);
	free(styles);
	free(widths);
	free(labels);
	plend1();
}

int power_plot_write(const struct trace_set *set, const char *path, FILE *errors)
{
	const char *device = power_plot_device_for(path);
	if (device == NULL) {
		fprintf(errors, "report: cannot plot to %s: name it .svg or .png\n", path);
		return -EINVAL;
	}
	if (!device_installed(device)) {
		fprintf(errors, "report: cannot plot to %s: PLplot device %s is missing "
		        "(Debian package plplot-driver-cairo)\n", path, device);
		return -ENODEV;
	}
	/* Opened here first so an unwritable path is an error with a reason,
	 * not a PLplot abort. */
	FILE *probe = fopen(path, "w");
	if (probe == NULL) {
		int code = -errno;
		fprintf(errors, "report: cannot write %s: %s\n", path, strerror(errno));
		return code;
	}
	fclose(probe);

	struct line *lines = calloc(set->count ? set->count : 1, sizeof *lines);
	if (lines == NULL)
		return -ENOMEM;
	size_t n = 0, too_short = 0;
	for (size_t i = 0; i < set->count; i++) {
		if (set->traces[i].n_power < 2) {
			too_short++;
			continue;
		}
		if (make_line(&set->traces[i], &lines[n++]) != 0) {
			free_lines(lines, n);
			fprintf(errors, "report: out of memory plotting %s\n", path);
			return -ENOMEM;
		}
	}
	if (too_short > 0)
		fprintf(errors, "report: note: %zu trace(s) with fewer than two power readings "
		        "not drawn\n", too_short);
	if (n == 0) {
		free_lines(lines, n);
		remove(path);
		fprintf(errors, "report: cannot plot to %s: no trace has two power readings\n", path);
		return -EINVAL;
	}
	draw(lines, n, device, path);
	free_lines(lines, n);
	return 0;
}
