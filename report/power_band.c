/* power_band.c — the band between a series' refreshes. */
#include "power_band.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool power_band_bound(const struct energy_trace *trace, struct power_bound *out)
{
	const json_t *series = json_object_get(json_object_get(trace->root, "energymon"), "series");
	bool found = false;
	size_t index;
	const json_t *one;
	memset(out, 0, sizeof *out);
	json_array_foreach(series, index, one) {
		const char *quantity = json_string_value(json_object_get(one, "quantity"));
		const json_t *bound = json_object_get(one, "bound");
		struct maybe_double look = maybe_number_at(bound, "look_s");
		struct maybe_double resolution = maybe_number_at(bound, "resolution");
		if (quantity == NULL || strcmp(quantity, "power") != 0 || !look.present || !resolution.present ||
		    !(look.value >= 0) || !(resolution.value >= 0) || !isfinite(look.value) ||
		    !isfinite(resolution.value))
			continue;
		out->look_s = fmax(out->look_s, look.value);
		out->resolution_w = fmax(out->resolution_w, resolution.value);
		found = true;
	}
	return found;
}

static int ascending(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Lowest and highest reading that may describe the power at x. */
static void window(const double *t_s, const double *p_w, size_t n, double x, double look_s, double *lo, double *hi)
{
	size_t k = 0;
	while (k + 1 < n && t_s[k] < x)
		k++;
	*lo = *hi = p_w[k]; /* the next reading, as the line shows */
	for (; k < n && t_s[k] <= x + look_s; k++) {
		*lo = fmin(*lo, p_w[k]);
		*hi = fmax(*hi, p_w[k]);
	}
}

size_t power_band_polygon(const double *t_s, const double *p_w, size_t n, struct power_bound bound, double *x,
                          double *y)
{
	/* The band changes only where a reading enters or leaves the window:
	 * at each t_k and t_k - L. */
	size_t edges = 0;
	double *at = malloc(2 * n * sizeof *at);
	if (at == NULL)
		return 0;
	for (size_t k = 0; k < n; k++) {
		at[edges++] = t_s[k];
		if (t_s[k] - bound.look_s > t_s[0])
			at[edges++] = t_s[k] - bound.look_s;
	}
	qsort(at, edges, sizeof *at, ascending);
	size_t steps = 0;
	for (size_t e = 0; e + 1 < edges; e++) {
		if (!(at[e + 1] > at[e]))
			continue;
		double lo, hi;
		window(t_s, p_w, n, (at[e] + at[e + 1]) / 2.0, bound.look_s, &lo, &hi);
		x[2 * steps] = at[e];
		x[2 * steps + 1] = at[e + 1];
		y[2 * steps] = y[2 * steps + 1] = hi + bound.resolution_w;
		/* the lower edge, stored from the far end back */
		x[4 * n * 2 - 1 - 2 * steps] = at[e];
		x[4 * n * 2 - 2 - 2 * steps] = at[e + 1];
		y[4 * n * 2 - 1 - 2 * steps] = y[4 * n * 2 - 2 - 2 * steps] = lo - bound.resolution_w;
		steps++;
	}
	free(at);
	/* close the gap between the two edges */
	size_t upper = 2 * steps;
	memmove(x + upper, x + 8 * n - upper, upper * sizeof *x);
	memmove(y + upper, y + 8 * n - upper, upper * sizeof *y);
	return 2 * upper;
}
