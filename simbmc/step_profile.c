#include "step_profile.h"

/* Index of the step in force at `at`: the last i with t[i] <= at, or 0. */
static size_t step_index(const double *t, size_t n, double at)
{
	size_t lo = 0, hi = n;

	/* Binary search: profiles written by tests are short, but a demo may
	 * replay a long recorded trace at every request. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

double step_profile_power_w(const double *t, const double *w, size_t n,
			    double at)
{
	return w[step_index(t, n, at)];
}

double step_profile_energy_j(const double *t, const double *w, size_t n,
			     double from, double to)
{
	double sum = 0.0;

	if (to <= from)
		return 0.0;
	for (size_t i = step_index(t, n, from); i < n; i++) {
		/* Step i covers [t[i], t[i+1]); the first one reaches back to
		 * -infinity and the last one forward to +infinity. */
		double a = (i == 0 || t[i] < from) ? from : t[i];
		double b = (i + 1 < n && t[i + 1] < to) ? t[i + 1] : to;
		if (b > a)
			sum += w[i] * (b - a);
		if (b >= to)
			break;
	}
	return sum;
}

void step_profile_range_w(const double *t, const double *w, size_t n,
			  double from, double to, double *min_w, double *max_w)
{
	size_t i = step_index(t, n, from);
	double lo = w[i], hi = w[i];

	for (i++; i < n && t[i] <= to; i++) {
		if (w[i] < lo)
			lo = w[i];
		if (w[i] > hi)
			hi = w[i];
	}
	*min_w = lo;
	*max_w = hi;
}
