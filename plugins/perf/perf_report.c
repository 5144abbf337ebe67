#include "perf_report.h"

#include "dead_counter.h"
#include "perf_metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One reading of the counter's declared metric; the host does the deltas
 * (with the metric's counter_max) and the totals. */
static int emit(const struct energy_host *host, const struct rapl_counter *c,
		const struct held_reading *h)
{
	return host->emit_metric(host->ctx, c->metric, h->value_j, h->mono_ns, h->wall_ns);
}

/* The readings held back while the counter had not moved, oldest first. */
static int emit_held(const struct energy_host *host, struct rapl_counter *c)
{
	int rc = 0;
	for (size_t i = 0; i < c->nheld; i++) {
		int one = emit(host, c, &c->held[i]);
		rc = rc ? rc : one;
	}
	c->nheld = 0;
	return rc;
}

/* A counter found dead has started counting after all (issue 9 item 5: the
 * verdict is for the whole run). It was not measuring while it stayed flat,
 * so it is measured from its last flat reading on, and the flat stretch
 * before that reaches the host as nothing rather than as 0 J. */
static void revive(const struct energy_host *host, struct rapl_set *set, struct rapl_counter *c)
{
	if (c->nheld > 1)
		c->held[0] = c->held[c->nheld - 1];
	c->nheld = c->nheld ? 1 : 0;
	c->dead = 0;
	perf_metrics_verdicts(host, set);
	host->log(host->ctx, ENERGY_LOG_WARN, "%s (%s) advanced after all: measured from its "
		  "last flat reading on, not reported unavailable", c->sensor,
		  rapl_domain_info(c->domain)->perf_event);
}

/* Emit a reading, or hold it back until the counter has shown it counts:
 * a dead counter's flat readings must never reach the host as 0 J. */
static int deliver(const struct energy_host *host, struct rapl_set *set,
		   struct rapl_counter *c, const struct held_reading *now)
{
	if (!c->moved && (c->track.total > 0 || !dead_counter_may_die(set, c))) {
		c->moved = 1;
		if (c->dead)
			revive(host, set, c);
	}
	if (c->moved) {
		int rc = emit_held(host, c);
		int one = emit(host, c, now);
		return rc ? rc : one;
	}
	c->held[c->nheld < 2 ? c->nheld++ : 1] = *now;
	return 0;
}

/* The guard asks for readings R / (2 P) apart; one that comes more than
 * R / P after the counter's previous one (a slow host, or failed reads in
 * between) may have let it pass its whole range, and no arithmetic can
 * tell. Say so rather than trust the delta silently. */
static double late_by(const struct rapl_set *set, struct rapl_counter *c, int64_t now)
{
	double gap_s = c->last_read_ns ? (double)(now - c->last_read_ns) / 1e9 : 0;
	c->last_read_ns = now;
	return set->wrap_guard_s > 0 && gap_s > 2 * set->wrap_guard_s ? gap_s : 0;
}

static int read_all(const struct energy_host *host, struct rapl_set *set, int final)
{
	int result = 0;
	double late_gap_s = 0, busy_s = dead_watch_busy(set);
	for (size_t i = 0; i < set->n; i++) {
		struct rapl_counter *c = &set->c[i];
		char why[ENERGY_REASON_MAX];
		uint64_t raw = 0, delta = 0;
		/* Dead counters are read too: one that starts counting is
		 * revived (deliver), so only a verdict that holds to the end
		 * makes it unavailable. */
		int rc = rapl_counter_read(set, c, &raw, why, sizeof(why));
		if (rc == 0 && (rc = counter_track_update(&c->track, raw, &delta)) != 0)
			snprintf(why, sizeof(why), "%s read %llu, beyond its range %llu: the counter "
				 "is not the one that was opened", c->sensor, (unsigned long long)raw,
				 (unsigned long long)c->track.modulus);
		if (rc == 0) {
			struct held_reading now = { rapl_counter_joules(c, raw), now_ns(CLOCK_MONOTONIC),
						    now_ns(CLOCK_REALTIME) };
			double gap_s = late_by(set, c, now.mono_ns);
			late_gap_s = gap_s > late_gap_s ? gap_s : late_gap_s;
			rc = deliver(host, set, c, &now);
		} else {
			host->set_error(host->ctx, "%s", why);
		}
		if (rc != 0)
			result = rc;
	}
	if (late_gap_s > 0) {
		set->late_readings++;
		host->log(host->ctx, ENERGY_LOG_WARN, "readings %.6g s apart, more than the %.6g s in "
			  "which a counter can pass its whole range: a wrap may have been missed",
			  late_gap_s, 2 * set->wrap_guard_s);
	}
	/* Every counter dead so far fails only the closing reading: a failed
	 * sample would be recorded by the host as a failure (and a gap) of a
	 * counter that may yet start counting and be revived. Until then a
	 * sample simply has nothing to emit. */
	size_t usable = dead_watch_judge(host, set, busy_s);
	perf_metrics_verdicts(host, set);
	if (usable == 0 && final) {
		char why[ENERGY_REASON_MAX];
		dead_counter_reason(set, -1, why, sizeof(why));
		host->set_error(host->ctx, "nothing left to measure: %s", why);
		return -ENODEV;
	}
	/* At the end, a flat counter that could not be judged (an idle
	 * machine, DRAM, no proc/stat) is reported as it read. */
	for (size_t i = 0; final && i < set->n; i++)
		if (!set->c[i].dead) {
			int rc = emit_held(host, &set->c[i]);
			result = result ? result : rc;
		}
	return result;
}

int report_sample(const struct energy_host *host, struct rapl_set *set)
{
	return read_all(host, set, 0);
}

int report_final(const struct energy_host *host, struct rapl_set *set)
{
	return read_all(host, set, 1);
}

int report_baseline(const struct energy_host *host, struct rapl_set *set, const char *root)
{
	for (size_t i = 0; i < set->n; i++) {
		struct rapl_counter *c = &set->c[i];
		counter_track_init(&c->track, c->track.modulus);
		c->last_read_ns = 0;
		c->moved = c->dead = 0;
		c->nheld = 0;
	}
	set->late_readings = 0;
	perf_metrics_verdicts(host, set); /* a new run: no counter is dead yet */
	dead_watch_begin(set, root);
	return report_sample(host, set);
}

int report_notes(const struct energy_host *host, const struct rapl_set *set)
{
	host->note_number(host->ctx, "late_readings", (double)set->late_readings, "");
	host->note_string(host->ctx, "backend", rapl_backend_name(set->backend));
	return 0;
}
