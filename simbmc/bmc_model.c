#include "bmc_model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "step_profile.h"

/* The last refresh at or before `now`. A refresh happens exactly at
 * start + k * refresh_s; the guard keeps floating-point rounding of k from
 * putting it after `now`, which would show a reading from the future. */
static double last_refresh(const struct bmc_behaviour *b, double start, double now)
{
	double r;

	if (!(b->refresh_s > 0.0) || now <= start)
		return now;
	r = start + floor((now - start) / b->refresh_s) * b->refresh_s;
	return r > now ? now : r;
}

/* Unix seconds as DCMI's 32-bit field carries them (floor, clamped). */
static uint32_t stamp_of(double unix_s)
{
	if (!(unix_s > 0.0))
		return 0;
	if (unix_s >= (double)UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)floor(unix_s);
}

void bmc_model_answer(const struct bmc_behaviour *b, const double *t, const double *w, size_t n, double start,
		      double now, struct bmc_answer *out)
{
	double r = last_refresh(b, start, now);
	double from = start;
	double len;

	if (b->window_s > 0.0 && r - b->window_s > start)
		from = r - b->window_s;
	if (from > r) /* now < start: outside the contract; answer for the instant */
		from = r;
	len = r - from;

	out->current_w = step_profile_power_w(t, w, n, r);
	out->avg_w = len > 0.0 ? step_profile_energy_j(t, w, n, from, r) / len : out->current_w;
	step_profile_range_w(t, w, n, from, r, &out->min_w, &out->max_w);
	if (b->quantise) {
		/* round(): to nearest, halves away from zero, as dcmi_watts(). */
		out->current_w = round(out->current_w);
		out->avg_w = round(out->avg_w);
		out->min_w = round(out->min_w);
		out->max_w = round(out->max_w);
	}
	switch (b->stamp) {
	case BMC_STAMP_REFRESH:
		out->timestamp = stamp_of(r);
		break;
	case BMC_STAMP_FROZEN:
		out->timestamp = stamp_of(start);
		break;
	case BMC_STAMP_REQUEST:
	default:
		out->timestamp = stamp_of(now);
		break;
	}
	/* Rounded, not truncated: a window of k whole refresh periods computed
	 * in floating point may come out a hair short of k * 1000 ms. */
	out->period_ms = len * 1000.0 >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)lround(len * 1000.0);
	out->refreshed_at = r;
}

/* A finite, non-negative number of milliseconds and nothing after it. */
static int parse_ms(const char *s, double *seconds)
{
	char *end;
	double v;

	if (*s == '\0' || *s == ' ' || *s == '\t' || *s == '+' || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0.0)
		return -EINVAL;
	*seconds = v / 1000.0;
	return 0;
}

int bmc_behaviour_option(struct bmc_behaviour *b, const char *option)
{
	const char *eq = strchr(option, '=');
	const char *v;
	size_t klen;
	double s;

	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - option);
	v = eq + 1;
	/* b changes only when the whole option is valid. */
	if (klen == 10 && strncmp(option, "refresh_ms", klen) == 0) {
		if (parse_ms(v, &s))
			return -EINVAL;
		b->refresh_s = s;
	} else if (klen == 9 && strncmp(option, "window_ms", klen) == 0) {
		if (parse_ms(v, &s))
			return -EINVAL;
		b->window_s = s;
	} else if (klen == 8 && strncmp(option, "quantise", klen) == 0) {
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return -EINVAL;
		b->quantise = v[0] == '1';
	} else if (klen == 5 && strncmp(option, "stamp", klen) == 0) {
		if (strcmp(v, "refresh") == 0)
			b->stamp = BMC_STAMP_REFRESH;
		else if (strcmp(v, "request") == 0)
			b->stamp = BMC_STAMP_REQUEST;
		else if (strcmp(v, "frozen") == 0)
			b->stamp = BMC_STAMP_FROZEN;
		else
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}
