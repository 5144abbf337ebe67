/*
 * sensor_sweep.c — spread the environmental sensor reads over sample()
 * calls. A BMC answers one request at a time, and a real one takes 10-50 ms
 * per sensor; reading thirty sensors inside one sample() would stall power
 * sampling for a second. Instead each call reads only as many as needed to
 * finish one sweep within the sensor interval.
 */
#include "sensor_sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi_clock.h"

int sensor_sweep_init(struct sensor_sweep *sw, const struct sdr_catalog *cat, double interval_s,
		      double power_interval_s)
{
	memset(sw, 0, sizeof(*sw));
	sw->sensors = calloc(cat->n ? cat->n : 1, sizeof(*sw->sensors));
	if (!sw->sensors)
		return -ENOMEM;
	for (size_t i = 0; i < cat->n; i++)
		if (cat->sensors[i].quantity != ENERGY_Q_POWER_W)
			sw->sensors[sw->n++] = &cat->sensors[i];
	sw->period_ns = (int64_t)(interval_s * 1e9);
	double calls_per_sweep = power_interval_s > 0 ? interval_s / power_interval_s : 1;
	sw->per_call = calls_per_sweep >= 1 ? (size_t)ceil((double)sw->n / floor(calls_per_sweep)) : sw->n;
	if (sw->per_call == 0)
		sw->per_call = 1;
	return 0;
}

void sensor_sweep_reset(struct sensor_sweep *sw)
{
	sw->active = 0;
	sw->pos = 0;
	sw->next_due_ns = ipmi_now_ns(CLOCK_MONOTONIC);
}

void sensor_sweep_step(struct sensor_sweep *sw, const struct energy_host *host, struct bmc_session *s,
		       ipmi_sensor_read_ctx_t reader)
{
	if (sw->n == 0)
		return;
	if (!sw->active) {
		int64_t now = ipmi_now_ns(CLOCK_MONOTONIC);
		if (now < sw->next_due_ns)
			return;
		sw->active = 1;
		sw->pos = 0;
		/* Keep the schedule, unless we fell behind by more than a period. */
		sw->next_due_ns += sw->period_ns;
		if (sw->next_due_ns <= now)
			sw->next_due_ns = now + sw->period_ns;
	}
	for (size_t k = 0; k < sw->per_call && sw->pos < sw->n && s->is_open; k++, sw->pos++) {
		const struct sdr_sensor *sensor = sw->sensors[sw->pos];
		char why[ENERGY_REASON_MAX];
		double value;
		struct ipmi_stamp when;
		int rc = sdr_sensor_read(reader, s, sensor, &value, &when, why, sizeof(why));
		if (rc) {
			sw->misses++;
			host->log(host->ctx, rc == -ENODATA ? ENERGY_LOG_DEBUG : ENERGY_LOG_WARN, "%s", why);
			if (rc != -ENODATA)
				break;
			continue;
		}
		struct energy_reading r = {
			.struct_size = sizeof(r), .quantity = sensor->quantity, .scope = ENERGY_SCOPE_SENSOR,
			.value = value, .mono_ns = when.mono_ns, .wall_ns = when.wall_ns,
		};
		memcpy(r.sensor, sensor->name, sizeof(r.sensor));
		if (host->emit(host->ctx, &r) == 0)
			sw->reads++;
	}
	if (sw->pos >= sw->n)
		sw->active = 0;
}

void sensor_sweep_free(struct sensor_sweep *sw)
{
	free(sw->sensors);
	sw->sensors = NULL;
	sw->n = 0;
}
