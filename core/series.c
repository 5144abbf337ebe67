/*
 * One series: the readings of one quantity from one sensor, reduced as they
 * arrive so that a day of sampling needs no more memory than a minute:
 *  - power is integrated with the trapezoid rule over the readings' own
 *    time stamps (not mean x duration), skipping spans where a sample failed;
 *  - cumulative counters are turned into deltas, a drop below the previous
 *    value meaning one wrap at counter_max. Across a gap longer than the
 *    plugin's wrap-safe interval (or, with none declared, a gap after which
 *    the counter reads lower) the number of wraps is unknown, so that
 *    span's delta is not counted: the gap says so;
 *  - min/max/mean/std-dev use Welford's update;
 *  - a bounded number of points is kept for the output files, thinned 2:1
 *    when full (every kept point is a real reading, never an average);
 *    a continuous monitor's series (recent_only) instead drop the oldest
 *    half, so a window finds every reading of its recent past, and keep
 *    the latest gaps rather than the first. The running totals (total,
 *    covered_s, gap_s and the counts) are never thinned either way, so a
 *    window's difference of two of them is exact for any length.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 1.0 temperature, voltage, current and fan series are gauges that never
 * counted towards a source's completeness; every other series does. */
static bool records_gaps(const struct em_series *s)
{
	return s->declared || s->kind != ENERGY_KIND_GAUGE || s->quantity == ENERGY_Q_POWER_W;
}

const char *em_quantity_name(uint32_t q)
{
	switch (q) {
	case ENERGY_Q_POWER_W: return "power";
	case ENERGY_Q_ENERGY_J: return "energy";
	case ENERGY_Q_TEMPERATURE_C: return "temperature";
	case ENERGY_Q_VOLTAGE_V: return "voltage";
	case ENERGY_Q_CURRENT_A: return "current";
	case ENERGY_Q_FAN_RPM: return "fan";
	case ENERGY_Q_CPU_TIME_S: return "cpu_time";
	case ENERGY_Q_COUNT: return "count";
	default: return NULL;
	}
}

const char *em_quantity_unit(uint32_t q)
{
	switch (q) {
	case ENERGY_Q_POWER_W: return "W";
	case ENERGY_Q_ENERGY_J: return "J";
	case ENERGY_Q_TEMPERATURE_C: return "degC";
	case ENERGY_Q_VOLTAGE_V: return "V";
	case ENERGY_Q_CURRENT_A: return "A";
	case ENERGY_Q_FAN_RPM: return "RPM";
	case ENERGY_Q_CPU_TIME_S: return "s";
	case ENERGY_Q_COUNT: return "1";
	default: return NULL;
	}
}

const char *em_scope_name(uint32_t scope)
{
	switch (scope) {
	case ENERGY_SCOPE_SYSTEM: return "system";
	case ENERGY_SCOPE_CPU_PACKAGE: return "cpu_package";
	case ENERGY_SCOPE_CPU_CORES: return "cpu_cores";
	case ENERGY_SCOPE_CPU_UNCORE: return "cpu_uncore";
	case ENERGY_SCOPE_DRAM: return "dram";
	case ENERGY_SCOPE_PROCESS: return "process";
	case ENERGY_SCOPE_SENSOR: return "sensor";
	case ENERGY_SCOPE_ACCELERATOR: return "accelerator";
	case ENERGY_SCOPE_OTHER: return "other";
	default: return NULL;
	}
}

void em_series_init(struct em_series *s, const struct energy_reading *r)
{
	memset(s, 0, sizeof(*s));
	s->quantity = r->quantity;
	s->scope = r->scope;
	em_quantity_kind_unit(r->quantity, &s->kind, &s->unit);
	memcpy(s->sensor, r->sensor, sizeof(s->sensor));
	s->sensor[sizeof(s->sensor) - 1] = '\0';
	s->keep_every = 1;
	s->counter_max = r->counter_max;
}

static void keep_point(struct em_series *s, int64_t wall_ns, double value)
{
	if (++s->since_kept < s->keep_every)
		return;
	s->since_kept = 0;
	if (!s->points) {
		s->points = malloc(EM_SERIES_POINTS_MAX * sizeof(*s->points));
		if (!s->points)
			return; /* the totals stay exact; only the point list is lost */
	}
	if (s->npoints == EM_SERIES_POINTS_MAX && s->recent_only) {
		size_t half = EM_SERIES_POINTS_MAX / 2;
		memmove(s->points, s->points + half, (EM_SERIES_POINTS_MAX - half) * sizeof(*s->points));
		s->npoints -= half;
	} else if (s->npoints == EM_SERIES_POINTS_MAX) {
		for (size_t i = 0; i < EM_SERIES_POINTS_MAX / 2; i++)
			s->points[i] = s->points[2 * i];
		s->npoints = EM_SERIES_POINTS_MAX / 2;
		s->keep_every *= 2;
	}
	s->points[s->npoints].wall_ns = wall_ns;
	s->points[s->npoints].value = value;
	s->npoints++;
}

const char *em_gap_reason(uint32_t why)
{
	switch (why) {
	case EM_GAP_WRAP_UNSAFE:
		return "samples failed for longer than the counter's wrap-safe interval, so it may have wrapped "
		       "more than once: the span's energy is not counted";
	case EM_GAP_ABANDONED: return "the plugin was abandoned: nothing was measured from here to the end";
	default: return "samples failed: the span is not interpolated";
	}
}

/* Seconds from `from` to a later `to`. Plugins stamp readings with any
 * int64: the signed difference of two far apart overflowed (undefined;
 * it wrapped to a negative span), the unsigned one is exact. */
static double span_s(int64_t from, int64_t to)
{
	return (double)((uint64_t)to - (uint64_t)from) * 1e-9;
}

static void record_gap(struct em_series *s, int64_t from_wall, int64_t to_wall, double seconds, uint32_t why)
{
	size_t slots = sizeof(s->gap_list) / sizeof(s->gap_list[0]);
	size_t at = s->gaps;
	if (at >= slots && s->recent_only) { /* the latest ones: shift the oldest out */
		memmove(s->gap_list, s->gap_list + 1, (slots - 1) * sizeof(s->gap_list[0]));
		at = slots - 1;
	}
	if (at < slots) {
		s->gap_list[at].from_wall = from_wall;
		s->gap_list[at].to_wall = to_wall;
		s->gap_list[at].why = why;
	}
	s->gaps++;
	s->gap_s += seconds;
}

static double counter_delta(struct em_series *s, double prev, double cur)
{
	if (cur >= prev)
		return cur - prev;
	/* a wrap only from a value the wrap point allows: above it, the
	 * plugin's counter_max is wrong and the drop is taken as a reset, so
	 * no delta is ever negative */
	if (s->counter_max > 0 && prev <= s->counter_max && cur >= 0) {
		s->wraps++;
		return s->counter_max - prev + cur;
	}
	/* A counter without a wrap point went backwards: it was reset (the
	 * source restarted). Count from the new value; what was lost is lost. */
	return cur > 0 ? cur : 0;
}

/* The ABI 1.3 fields as the bound reads them; nonsense (negative, not
 * finite, or beyond EM_UNC_MAGNITUDE_MAX) counts as not said. */
static void reading_info(const struct energy_reading *r, struct em_reading_info *in)
{
	memset(in, 0, sizeof(*in));
	if (r->resolution > 0 && r->resolution <= EM_UNC_MAGNITUDE_MAX)
		in->resolution = r->resolution;
	double lag = isfinite(r->lag_s) && r->lag_s > 0 ? r->lag_s : 0;
	double avg = (r->flags & ENERGY_READING_AVERAGE) && isfinite(r->average_s) && r->average_s > 0 ? r->average_s : 0;
	in->look_s = lag;
	bool ranged = (r->flags & ENERGY_READING_RANGE) && fabs(r->range_low) <= EM_UNC_MAGNITUDE_MAX &&
	              fabs(r->range_high) <= EM_UNC_MAGNITUDE_MAX && r->range_low <= r->range_high &&
	              isfinite(r->range_s) && r->range_s >= 0;
	if (avg > 0) {
		/* an average already holds every burst of its window: its range
		 * says what the average hides at the edges, nothing more */
		in->average_s = avg;
		in->avg_low = ranged ? fmin(r->range_low, r->value) : NAN;
		in->avg_high = ranged ? fmax(r->range_high, r->value) : NAN;
	} else if (ranged) {
		in->ranged = true;
		in->range_low = fmin(r->range_low, r->value);
		in->range_high = fmax(r->range_high, r->value);
		in->range_s = r->range_s;
	}
}

void em_series_add(struct em_series *s, const struct energy_reading *r, unsigned failure_epoch)
{
	uint64_t before = s->readings;
	struct em_reading_info in;
	reading_info(r, &in);
	if (r->flags & ENERGY_READING_LOOKAHEAD) {
		/* after the end: for the bound of the last seconds only */
		in.after = true;
		if (s->readings && r->mono_ns > s->last_mono && s->kind == ENERGY_KIND_GAUGE &&
		    s->unit == ENERGY_UNIT_WATT && failure_epoch == s->failure_epoch)
			em_unc_power_add(s, r->mono_ns, r->value, &in, false);
		return;
	}
	em_series_push_info(s, r->mono_ns, r->wall_ns, r->value, failure_epoch, &in);
	/* a new wrap point applies from the next delta on */
	if (r->counter_max > 0 && s->readings > before)
		s->counter_max = r->counter_max;
}

void em_series_push(struct em_series *s, int64_t mono_ns, int64_t wall_ns, double v, unsigned failure_epoch)
{
	em_series_push_info(s, mono_ns, wall_ns, v, failure_epoch, NULL);
}

void em_series_push_info(struct em_series *s, int64_t mono_ns, int64_t wall_ns, double v, unsigned failure_epoch,
                         const struct em_reading_info *info)
{
	if (s->readings && mono_ns <= s->last_mono) {
		s->dropped++;
		return;
	}
	struct em_reading_info none = {.resolution = s->resolution};
	if (!info)
		info = &none;
	else if (info->resolution > s->resolution)
		s->resolution = info->resolution;
	bool failed_between = false;
	if (s->readings) {
		double dt = span_s(s->last_mono, mono_ns);
		failed_between = failure_epoch != s->failure_epoch && records_gaps(s);
		if (s->kind == ENERGY_KIND_GAUGE) {
			/* trapezoid rule: watts become joules; any gauge's
			 * time-weighted mean is total / covered_s */
			if (failed_between) {
				record_gap(s, s->last_wall, wall_ns, dt, EM_GAP_FAILED_SAMPLES);
			} else {
				s->total += 0.5 * (s->last_value + v) * dt;
				s->covered_s += dt;
			}
		} else {
			/* A counter stays exact across a failed sample unless it
			 * may have wrapped more than once; the gap is reported
			 * either way. */
			bool unsafe = failed_between && (s->wrap_safe_s > 0 ? dt > s->wrap_safe_s : v < s->last_value);
			if (unsafe) {
				record_gap(s, s->last_wall, wall_ns, dt, EM_GAP_WRAP_UNSAFE);
			} else {
				if (failed_between)
					record_gap(s, s->last_wall, wall_ns, dt, EM_GAP_FAILED_SAMPLES);
				s->total += counter_delta(s, s->last_value, v);
				s->covered_s += dt;
			}
		}
	} else {
		s->first_mono = mono_ns;
		s->min = s->max = v;
	}
	s->readings++;
	double d = v - s->mean;
	s->mean += d / (double)s->readings;
	s->m2 += d * (v - s->mean);
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	if (s->kind == ENERGY_KIND_GAUGE && s->unit == ENERGY_UNIT_WATT)
		em_unc_power_add(s, mono_ns, v, info, failed_between);
	s->last_mono = mono_ns;
	s->last_wall = wall_ns;
	s->last_value = v;
	s->failure_epoch = failure_epoch;
	keep_point(s, wall_ns, v);
}

void em_series_gap_to(struct em_series *s, int64_t to_mono, int64_t to_wall, uint32_t why)
{
	if (!s->readings || to_mono <= s->last_mono)
		return;
	if (records_gaps(s))
		record_gap(s, s->last_wall, to_wall, span_s(s->last_mono, to_mono), why);
}

void em_series_free(struct em_series *s)
{
	free(s->points);
	s->points = NULL;
	free(s->pend);
	s->pend = NULL;
	s->npend = 0;
}
