/*
 * dead_counter.h — tell a RAPL counter that is exposed but never counts
 * (seen on VMs: an Intel guest whose power PMU offers energy-psys that stays
 * at 0 under any load) from one that measured little.
 *
 * A live package or psys counter advances about every millisecond whenever
 * the machine runs at all. So a package or psys counter that has not moved
 * while the machine spent at least DEAD_COUNTER_BUSY_S seconds of CPU time
 * is not measuring: reporting its 0 J would invent a number. Cores, uncore
 * (iGPU) and DRAM may legitimately stay flat on an idle or light machine and
 * are never judged. Without the machine's CPU time (no proc/stat under the
 * root) nothing is judged. The verdict is for the whole run: a dead counter
 * is still read, and one that moves is revived (perf_report.c); only one
 * still dead at stop is unavailable.
 */
#ifndef PERF_DEAD_COUNTER_H
#define PERF_DEAD_COUNTER_H

#include "energy_plugin.h"
#include "rapl_counter.h"

#include <stddef.h>

#define DEAD_COUNTER_BUSY_S 0.5

/* The machine's busy CPU time since boot, seconds (user, nice, system, irq,
 * softirq and steal of proc/stat's "cpu" line), or NAN when unreadable. */
double machine_busy_s(const char *proc_stat_path);

/* Remember where proc/stat is (under `root`) and take the busy baseline. */
void dead_watch_begin(struct rapl_set *set, const char *root);

/* Whether c can be judged at all: a package or psys counter, with the
 * machine's busy time known. Others are trusted from the first reading. */
int dead_counter_may_die(const struct rapl_set *set, const struct rapl_counter *c);

/* The machine's busy CPU time since the baseline, seconds; NAN when it is
 * unknown or no counter is left to judge. Read it before the counters, so
 * they had all of that time to move. */
double dead_watch_busy(const struct rapl_set *set);

/* Judge the counters that have not moved since the baseline, given
 * dead_watch_busy() from before their latest reading; mark the dead ones
 * (c->dead) and log why. Returns how many counters are not dead (now). */
size_t dead_watch_judge(const struct energy_host *host, struct rapl_set *set, double busy_s);

/* Why the dead counters of `domain` (-1: all) were found dead, naming
 * each, in words for the user; "" when there are none. */
void dead_counter_reason(const struct rapl_set *set, int domain, char *why, size_t why_len);
/* The same for the one counter c (found dead), for its metric's reason. */
void dead_counter_reason_of(const struct rapl_counter *c, char *why, size_t why_len);

/* For probe(): watch freshly opened counters for up to DEAD_PROBE_WINDOW_S.
 * 0 when a counter is usable or the window could not tell; -ENODEV with the
 * reason when every counter was found dead. */
#define DEAD_PROBE_WINDOW_S 0.25
int dead_watch_probe(struct rapl_set *set, const char *root, char *why, size_t why_len);

#endif
