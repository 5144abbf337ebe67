/*
 * rapl_counter.h — the counters one instance reads, whichever backend found
 * them: one per package and domain (psys: one for the system).
 */
#ifndef PERF_RAPL_COUNTER_H
#define PERF_RAPL_COUNTER_H

#include "counter_wrap.h"
#include "energy_plugin.h"
#include "rapl_domain.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* 16 packages x 5 domains; more is refused with a message, never cut. */
#define RAPL_MAX_COUNTERS 80

enum rapl_backend {
	RAPL_BACKEND_PERF = 1,
	RAPL_BACKEND_POWERCAP = 2
};

/* A reading kept back while a counter has not moved (see dead_counter.h). */
struct held_reading {
	double value_j;
	int64_t mono_ns, wall_ns;
};

struct rapl_counter {
	enum rapl_domain domain;
	char sensor[ENERGY_NAME_MAX];  /* "package-0", "package-0/cores", "psys" */
	char package[ENERGY_NAME_MAX]; /* "package-0"; "" for psys */
	double joules_per_unit;        /* raw counter unit in joules */
	/* powercap counts microjoules: dividing by 1e6 is exact to the last
	 * bit where multiplying by 1e-6 is not. 0: use joules_per_unit. */
	double units_per_joule;
	double max_power_w;            /* from sysfs constraints; 0: not published */
	/* The hardware's energy unit (J): each reading's resolution, declared
	 * with the metric (rapl_unit.h). unit_assumed: no powercap range said it. */
	double unit_j;
	int unit_assumed;
	int fd;                        /* perf event, or the open energy_uj file */
	/* The host's id of its declared metric (energymon's own key for the
	 * domain, index = the package's place among the domain's counters). */
	int metric;
	int reason_given;              /* metric_reason() said it is dead */
	int64_t last_read_ns;          /* CLOCK_MONOTONIC of the last good read; 0: none */
	struct counter_track track;    /* modulus in raw units; 0 is 2^64 */
	/* Until the counter first moves its readings are held back: the
	 * first and the latest. A counter found dead emits nothing unless it
	 * moves later: then only its latest flat reading is emitted before
	 * the moved one (it was not counting before). One that cannot be
	 * judged is emitted at stop, flat. */
	int moved;
	int dead;
	double dead_flat_s, dead_busy_s; /* the evidence, for the reason */
	struct held_reading held[2];
	size_t nheld;
};

struct rapl_set {
	enum rapl_backend backend;
	/* Readings further apart than R / P (twice the guard interval asked
	 * of the host) may hide a wrap: they are counted and reported. */
	double wrap_guard_s;
	uint64_t late_readings;
	/* The machine's busy CPU time, to tell a dead counter from an idle
	 * machine: ROOT/proc/stat, and its value (s) and CLOCK_MONOTONIC
	 * (ns) at the baseline reading; NAN when it cannot be read. */
	char proc_stat[PATH_MAX];
	double busy_base_s;
	int64_t base_ns;
	size_t n;
	struct rapl_counter c[RAPL_MAX_COUNTERS];
};

/* `units` of this counter in joules. */
double rapl_counter_joules(const struct rapl_counter *c, uint64_t units);
/* The counter's wrap point in joules (the reading's counter_max). */
double rapl_counter_range_j(const struct rapl_counter *c);
/* Read the raw value now. On failure fills why and returns -errno. */
int rapl_counter_read(const struct rapl_set *set, const struct rapl_counter *c, uint64_t *raw,
		      char *why, size_t why_len);
/* Close every counter; the set may be reused. */
void rapl_set_close(struct rapl_set *set);
const char *rapl_backend_name(enum rapl_backend b);

#endif
