/*
 * rapl_tree.h — build the sysfs files the perf plugin reads, under a fresh
 * temporary root, laid out as a real kernel lays them out (powercap zones
 * behind /sys/class symlinks, the power PMU behind /sys/bus). Tests point
 * perf_sysfs_root at it and change energy_uj between samples.
 */
#ifndef PERF_TEST_RAPL_TREE_H
#define PERF_TEST_RAPL_TREE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct rapl_tree {
	char root[PATH_MAX];
};

/* All return 0 or -errno. */
int rapl_tree_make(struct rapl_tree *t);
/* Remove the whole tree. */
void rapl_tree_remove(struct rapl_tree *t);
/* Write `text` to root/rel, creating parent directories. */
int rapl_tree_write(const struct rapl_tree *t, const char *rel, const char *text);

/* A powercap zone such as "intel-rapl:0" (a package, psys) or
 * "intel-rapl:0:1" (a subdomain of package 0), named `name`, with its
 * counter at `energy_uj` wrapping at `max_range_uj`. max_power_uw 0: no
 * constraint_0_max_power_uw file (as on many machines). */
int rapl_tree_add_zone(const struct rapl_tree *t, const char *zone, const char *name,
		       uint64_t energy_uj, uint64_t max_range_uj, uint64_t max_power_uw);
int rapl_tree_set_energy(const struct rapl_tree *t, const char *zone, uint64_t energy_uj);
/* The path of a zone's energy_uj file. */
void rapl_tree_energy_path(const struct rapl_tree *t, const char *zone, char *out, size_t len);

/* ROOT/proc/stat saying the machine has spent `busy_s` seconds of CPU time
 * busy (and as much idle) since boot; replaced atomically (write, rename),
 * as the plugin opens it afresh each time. */
int rapl_tree_set_busy(const struct rapl_tree *t, double busy_s);

/* ROOT/proc as a link to the real /proc, so the plugin sees the machine's
 * real busy time. */
int rapl_tree_link_real_proc(const struct rapl_tree *t);

/* The power PMU with `type` and `cpumask`, and the events named in
 * `events` (NULL-terminated, e.g. "energy-pkg") with the kernel's config
 * numbers, scale 2^-32 J and unit Joules. */
int rapl_tree_add_pmu(const struct rapl_tree *t, unsigned type, const char *cpumask,
		      const char *const *events);
/* One more event with its scale and unit; `terms` NULL: the kernel's config
 * for that name, else e.g. "event=0x00" to aim it at another PMU's event. */
int rapl_tree_add_pmu_event(const struct rapl_tree *t, const char *event, const char *terms);

#endif
