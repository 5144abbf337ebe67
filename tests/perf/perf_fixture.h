/*
 * perf_fixture.h — what every perf plugin test does: load perf.so in the
 * recording harness pointed at a test tree, and read back what it emitted
 * the way the host reads it.
 */
#ifndef PERF_TEST_FIXTURE_H
#define PERF_TEST_FIXTURE_H

#include "plugin_harness.h"
#include "rapl_tree.h"

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Assert (CUnit) that hay contains needle, showing both when it does not. */
#define CONTAINS(hay, needle)                                                         \
	do {                                                                          \
		if (!strstr((hay), (needle)))                                         \
			fprintf(stderr, "\n  '%s' lacks '%s'\n", (hay), (needle));     \
		CU_ASSERT_PTR_NOT_NULL(strstr((hay), (needle)));                      \
	} while (0)

/* Load perf.so with perf_sysfs_root = the tree's root. 0 or -errno. */
int fixture_load(struct harness *h, const struct rapl_tree *t);
/* The energy the host would count for `sensor`: the sum over consecutive
 * readings of (cur - prev), plus counter_max when cur < prev. */
double fixture_host_energy(const struct harness *h, const char *sensor);
/* What the host makes of perf's declared metrics (energymon's own keys,
 * reported through emit_metric), by the domain's Lithops key ("energy_pkg",
 * "energy_cores", "energy_gpu", "energy_ram", "energy_psys"):
 * the energy summed over packages, NAN when perf declared no such metric or
 * one of them has a reason (the host reports it null with that reason); */
double fixture_key_energy(const struct harness *h, const char *json_key);
/* one package's (its index, in the order of the note package_index); */
double fixture_package_energy(const struct harness *h, const char *json_key, unsigned index);
/* the first reason given through metric_reason for that domain, or "". */
const char *fixture_key_reason(const struct harness *h, const char *json_key);
/* Wraps the host would count for `sensor`: readings below the previous. */
int fixture_host_wraps(const struct harness *h, const char *sensor);
/* Assert (CUnit) that no note repeats a total the host computes from the
 * readings (energy_pkg, energy_ram_package_0, counter_wraps, ...). */
void fixture_assert_no_total_notes(const struct harness *h);
/* A note's number, or NAN when it is absent or a string. */
double fixture_note_number(const struct harness *h, const char *key);
/* A note's text, or "" when absent. */
const char *fixture_note_text(const struct harness *h, const char *key);
/* Probe in a child running as an unprivileged user (nobody when we are
 * root, who reads any file), with one extra key=value when key is not NULL.
 * Returns probe's result (below -9000: the child could not run it) and
 * copies its message to msg. */
int fixture_probe_unprivileged(const struct rapl_tree *t, const char *key, const char *value,
			       char *msg, size_t len);
/* Burn CPU in this thread until the real machine (/proc/stat) has been busy
 * for at least busy_s seconds of CPU time since the call. */
void fixture_burn_until_busy(double busy_s);
/* On the real machine, with h created: start, keep the machine busy for
 * 0.6 s of CPU time, sample, stop, get_data, then assert (CUnit) that every
 * RAPL domain the plugin reports on is either measured (package and psys
 * > 0 J) or unavailable with the dead-counter reason, never both, never a
 * 0 J package. Returns how many domains it saw. */
int fixture_check_real_domains(struct harness *h);
/* Run probe and create; both must agree. Returns create's result. */
int fixture_probe_create(struct harness *h);

#endif
