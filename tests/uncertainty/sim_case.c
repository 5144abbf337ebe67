#include "sim_case.h"

#include <math.h>
#include <string.h>

#include "../../core/internal.h"
#include "../../plugins/ipmi/dcmi_cadence.h"
#include "../../simbmc/bmc_model.h"
#include "../../simbmc/step_profile.h"

static uint64_t next_u64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

double sim_uniform(uint64_t *state, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(next_u64(state) >> 11) / 9007199254740992.0);
}

static void point(struct sim_case *c, double t, double w)
{
	if (c->n < SIM_PROFILE_MAX) {
		c->t[c->n] = t;
		c->w[c->n] = w;
		c->n++;
	}
}

/* Idle stretches, steps, ramps (0.1 s stairs) and bursts shorter than
 * any sampling interval, until the run is covered. */
void sim_case_generate(struct sim_case *c)
{
	uint64_t r = c->seed * 7919 + 17;
	c->n = 0;
	c->start = 1.7e9 + sim_uniform(&r, 0, 1000);
	c->duration = sim_uniform(&r, 60, 240);
	static const double windows[] = {0, 1, 10};
	c->refresh_s = sim_uniform(&r, 0.1, 5);
	c->window_s = windows[next_u64(&r) % 3];
	c->average = c->window_s > 0;
	c->interval_s = sim_uniform(&r, 0.05, 2);
	double t = c->start, level = sim_uniform(&r, 60, 90), end = c->start + c->duration + 30;
	point(c, t, level);
	while (t < end && c->n < SIM_PROFILE_MAX - 256) {
		double kind = sim_uniform(&r, 0, 1);
		if (kind < 0.2) { /* idle */
			level = sim_uniform(&r, 60, 90);
			point(c, t, level);
			t += sim_uniform(&r, 5, 30);
		} else if (kind < 0.6) { /* a step */
			level = sim_uniform(&r, 100, 400);
			point(c, t, level);
			t += sim_uniform(&r, 2, 30);
		} else if (kind < 0.8) { /* a ramp */
			double to = sim_uniform(&r, 60, 400), len = sim_uniform(&r, 5, 20);
			for (double u = 0; u < len; u += 0.1)
				point(c, t + u, level + (to - level) * u / len);
			level = to;
			t += len;
			point(c, t, level);
		} else { /* a burst, then back */
			point(c, t, level + sim_uniform(&r, 100, 400));
			t += sim_uniform(&r, 0.05, 0.5);
			point(c, t, level);
			t += sim_uniform(&r, 1, 10);
		}
	}
}

static int64_t ns_of(double s)
{
	return (int64_t)llround(s * 1e9);
}

int sim_case_run(struct sim_case *c)
{
	uint64_t r = c->seed * 104729 + 3;
	struct bmc_behaviour b = {.refresh_s = c->refresh_s, .window_s = c->window_s, .quantise = 1,
	                          .stamp = BMC_STAMP_REFRESH};
	struct dcmi_cadence cad;
	dcmi_cadence_init(&cad, c->average ? DCMI_POWER_AVERAGE : DCMI_POWER_INSTANTANEOUS, c->ceiling_w);
	struct em_series s;
	memset(&s, 0, sizeof(s));
	/* the host's mono clock: time since an arbitrary boot */
	double boot = c->start - 5000;
	/* a BMC has been up for longer than its statistics period (one that
	 * is still filling after a restart is not modelled: docs) */
	double now = c->start + c->window_s + sim_uniform(&r, 0, 3);
	c->first = now;
	c->readings = 0;
	while (now <= c->first + c->duration) {
		struct bmc_answer a;
		bmc_model_answer(&b, c->t, c->w, c->n, c->start, now, &a);
		struct dcmi_answer in = {.current_w = a.current_w, .min_w = a.min_w, .max_w = a.max_w,
		                         .avg_w = a.avg_w, .timestamp = a.timestamp, .period_ms = a.period_ms,
		                         .mono_ns = ns_of(now - boot), .wall_ns = ns_of(now)};
		struct energy_reading rd;
		dcmi_cadence_reading(&cad, &in, &rd);
		if (!c->readings)
			em_series_init(&s, &rd);
		em_series_add(&s, &rd, 0);
		c->last_lag_s = rd.lag_s;
		c->readings++;
		c->last = now;
		now += c->interval_s * sim_uniform(&r, 0.9, 1.1);
	}
	/* the plugin's stop(): a little longer, until the BMC refreshes, so
	 * that its lag hides nothing of the end (ENERGY_READING_LOOKAHEAD) */
	struct energy_reading last_rd;
	double poll = fmin(c->interval_s, 0.1), until = c->last + (c->readings ? c->last_lag_s : 0);
	for (double t = c->last + poll; c->lookahead && t <= until; t += poll) {
		struct bmc_answer a;
		bmc_model_answer(&b, c->t, c->w, c->n, c->start, t, &a);
		struct dcmi_answer in = {.current_w = a.current_w, .min_w = a.min_w, .max_w = a.max_w,
		                         .avg_w = a.avg_w, .timestamp = a.timestamp, .period_ms = a.period_ms,
		                         .mono_ns = ns_of(t - boot), .wall_ns = ns_of(t)};
		dcmi_cadence_reading(&cad, &in, &last_rd);
		if (!(last_rd.flags & ENERGY_READING_STALE)) {
			last_rd.flags |= ENERGY_READING_LOOKAHEAD;
			em_series_add(&s, &last_rd, 0);
			break;
		}
	}
	struct em_unc u;
	struct em_bound bound;
	if (!em_series_unc(&s, &u) || s.unc_lost) {
		em_series_free(&s);
		return -1;
	}
	em_bound_of(&u, s.total, s.gap_s, &bound);
	c->truth_j = step_profile_energy_j(c->t, c->w, c->n, c->first, c->last);
	c->estimate_j = s.total;
	c->low_j = bound.low;
	c->high_j = bound.high;
	c->half_j = 0.5 * (bound.high - bound.low); /* the interval's own half-width */
	c->burst_j = bound.burst;
	c->integration_j = bound.integration;
	c->resolution_j = bound.resolution;
	em_series_free(&s);
	return 0;
}
