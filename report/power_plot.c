/* power_plot.c — drawing power over time with PLplot: per call its line,
 * the band its readings allow (power_band.h) and its idle baseline. */
#include "power_plot.h"

#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "energy_bound.h"
#include "plot_legend.h"
#include "power_band.h"

enum { PAGE_WIDTH_PX = 1000, PAGE_HEIGHT_PX = 600, LABEL_SIZE = 160 };

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
	PLFLT *band_t, *band_p; /* power_band.h; NULL for files without bounds */
	int band_n;
	double idle_w;          /* the idle baseline's power; NAN without one */
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
	struct energy_bounds bounds;
	energy_bounds_read(trace, trace->energy_row, &bounds);
	line->idle_w = bounds.idle_power_w.present && isfinite(bounds.idle_power_w.value) ? bounds.idle_power_w.value
	                                                                                  : NAN;
	struct power_bound bound;
	if (power_band_bound(trace, &bound)) {
		line->band_t = malloc(8 * trace->n_power * sizeof *line->band_t);
		line->band_p = malloc(8 * trace->n_power * sizeof *line->band_p);
		if (line->band_t == NULL || line->band_p == NULL) {
			free(sorted);
			return -ENOMEM;
		}
		line->band_n = (int)power_band_polygon(line->t_s, line->p_w, trace->n_power, bound, line->band_t,
		                                       line->band_p);
	}
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
		free(lines[i].band_t);
		free(lines[i].band_p);
	}
	free(lines);
}

/* White page, black axes, then ten colours told apart in print; line
 * styles cycle too so more than ten calls stay distinguishable. After the
 * grid's grey, the same ten colours translucent for the bands. */
static void set_palette(void)
{
	static const PLINT red[] = {255, 0, 31, 255, 44, 214, 148, 140, 227, 127, 188, 23, 210};
	static const PLINT green[] = {255, 0, 119, 127, 160, 39, 103, 86, 119, 127, 189, 190, 210};
	static const PLINT blue[] = {255, 0, 180, 14, 44, 40, 189, 75, 194, 127, 34, 207, 210};
	enum { N = sizeof red / sizeof red[0] };
	PLINT r[N + LINE_COLOURS], g[N + LINE_COLOURS], b[N + LINE_COLOURS];
	PLFLT alpha[N + LINE_COLOURS];
	for (int i = 0; i < N + LINE_COLOURS; i++) {
		int from = i < N ? i : 2 + (i - N);
		r[i] = red[from];
		g[i] = green[from];
		b[i] = blue[from];
		alpha[i] = i < N ? 1.0 : BAND_ALPHA;
	}
	plscmap0a(r, g, b, alpha, N + LINE_COLOURS);
}

/* The y range: readings, bands and idle lines all in view. */
static void power_range(const struct line *lines, size_t n, PLFLT *t_max, PLFLT *p_min, PLFLT *p_max)
{
	*t_max = 0.0;
	*p_min = *p_max = lines[0].p_w[0];
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < lines[i].n; k++) {
			*t_max = fmax(*t_max, lines[i].t_s[k]);
			*p_min = fmin(*p_min, lines[i].p_w[k]);
			*p_max = fmax(*p_max, lines[i].p_w[k]);
		}
		for (int k = 0; k < lines[i].band_n; k++) {
			*p_min = fmin(*p_min, lines[i].band_p[k]);
			*p_max = fmax(*p_max, lines[i].band_p[k]);
		}
		if (!isnan(lines[i].idle_w)) {
			*p_min = fmin(*p_min, lines[i].idle_w);
			*p_max = fmax(*p_max, lines[i].idle_w);
		}
	}
}

static void draw(const struct line *lines, size_t n, const char *device, const char *path)
{
	PLFLT t_max, p_min, p_max;
	power_range(lines, n, &t_max, &p_min, &p_max);
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

	/* Bands first, so every line is drawn over them. */
	bool bands = false, idle = false;
	for (size_t i = 0; i < n; i++) {
		if (lines[i].band_n < 3)
			continue;
		plcol0(BAND_COLOURS + (PLINT)(i % LINE_COLOURS));
		plpsty(0);
		plfill(lines[i].band_n, lines[i].band_t, lines[i].band_p);
		bands = true;
	}
	for (size_t i = 0; i < n; i++) {
		PLINT colour = 2 + (PLINT)(i % LINE_COLOURS), style = 1 + (PLINT)(i / LINE_COLOURS % 8);
		plcol0(colour);
		pllsty(style);
		plwidth(2.0);
		plline(lines[i].n, lines[i].t_s, lines[i].p_w);
		if (!isnan(lines[i].idle_w)) { /* across the call's own time */
			PLFLT t[2] = {0.0, lines[i].t_s[lines[i].n - 1]}, p[2] = {lines[i].idle_w, lines[i].idle_w};
			pllsty(IDLE_STYLE);
			plwidth(1.5);
			plline(2, t, p);
			idle = true;
		}
	}
	pllsty(1);
	const char **labels = malloc(n * sizeof *labels);
	if (labels) { /* without it the plot has no legend, nothing worse */
		for (size_t i = 0; i < n; i++)
			labels[i] = lines[i].label;
		plot_legend(labels, n, bands, idle);
	}
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
