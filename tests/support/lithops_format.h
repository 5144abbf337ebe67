/*
 * lithops_format.h — the per-call file as the seed's extractor and notebooks
 * read it (../shared/reference/lithops-energy-json.md): every key of that
 * format present, with the same name, JSON type and unit. Written from the
 * reference, not from energymon's tables, so that a key renamed in the
 * library is caught here.
 */
#ifndef ENERGYMON_TEST_LITHOPS_FORMAT_H
#define ENERGYMON_TEST_LITHOPS_FORMAT_H

#include <jansson.h>
#include <stdbool.h>

/* Checks `file` (a parsed {job}_{call}_{source}.json) for `source` ("ipmi",
 * "perf", ...), whose energy keys in joules are `energy_keys` (NULL-ended,
 * e.g. {"energy_system", NULL}); each must be a number. `power`: the
 * source reads power (ipmi), so avg/min/max_power and power_std_dev (W) are
 * numbers too; the perf file has no power readings and so no statistics of
 * them. Prints every problem to stderr, prefixed with `what`, and returns
 * how many. */
int lithops_format_problems(const json_t *file, const char *source, const char *const *energy_keys,
                            bool power, const char *what);

#endif
