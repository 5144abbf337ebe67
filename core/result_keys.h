/*
 * result_keys.h — energymon's own result keys: the one place where the
 * names Lithops users read ("system", "energy_pkg", "power_readings", ...)
 * and their units are written down. The library builds results and files
 * from this table and `energymon report` reads files by it; every other
 * key in a result is a metric a plugin declared, and the file says so.
 * Plain C and no dependencies, so that both can compile it in.
 */
#ifndef ENERGYMON_RESULT_KEYS_H
#define ENERGYMON_RESULT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a key holds. */
enum em_key_role {
	EM_ROLE_ENERGY = 1,     /* joules over the run at `scope` */
	EM_ROLE_POWER_STAT,     /* avg/min/max/std-dev of the system power */
	EM_ROLE_CPU_TIME,       /* seconds of CPU time */
	EM_ROLE_RATIO,          /* a dimensionless share */
	EM_ROLE_TEMPERATURE,    /* a mean temperature */
	EM_ROLE_ATTRIBUTED,     /* energy attributed to the process tree */
};

struct em_result_key {
	const char *key;         /* in a result's `energy` object: "pkg" */
	const char *lithops_key; /* in a per-call file's energy_consumption: "energy_pkg" */
	const char *unit;        /* "J", "W", "s", "ratio", "degC" */
	uint32_t role;           /* enum em_key_role */
	uint32_t scope;          /* enum energy_scope it measures; 0 when it is not one scope's */
	const char *meaning;     /* one line, for docs and --help */
};

/* NULL-terminated, in the order results list them. */
extern const struct em_result_key em_result_keys[];

/* The row for `key` ("pkg") or NULL. */
const struct em_result_key *em_result_key_find(const char *key);
/* The row whose lithops_key is `lithops_key` ("energy_pkg") or NULL. */
const struct em_result_key *em_result_key_find_lithops(const char *lithops_key);
/* The per-call file's energy_consumption fields that are not metrics
 * ("job_key", "duration", "units", ...), NULL-terminated: a declared metric
 * is written beside them under its own key, so none may be named so. */
extern const char *const em_file_fields[];
/* True when a plugin may not declare `key`: a table key, one that starts
 * with "energy_" or "attributed_" (names the files derive from keys), or
 * one of em_file_fields. */
bool em_result_key_reserved(const char *key);

/* The per-call file's reading lists, by the 1.0 quantity they hold. */
struct em_readings_key {
	uint32_t quantity;       /* enum energy_quantity */
	const char *list_key;    /* "power_readings" */
	const char *value_key;   /* "power" for power, else "value" */
};
extern const struct em_readings_key em_readings_keys[]; /* terminated by list_key NULL */
const struct em_readings_key *em_readings_key_find(uint32_t quantity);

/* How each of energymon's own keys is computed from a source's metrics: the
 * one mapping from a 1.0 reading (its kind and unit follow from its
 * quantity) or an empty declared key to the key it is filed under. */
enum em_key_stat {
	EM_STAT_TOTAL = 1,    /* summed over every matching metric (several packages) */
	EM_STAT_TIME_MEAN,    /* total / covered_s of the first matching metric */
	EM_STAT_MIN,          /* of the first matching metric's readings */
	EM_STAT_MAX,
	EM_STAT_STD_DEV,      /* sample standard deviation of the first matching metric's readings */
	EM_STAT_SENSOR_MEAN,  /* readings-weighted mean of the matching metrics' means, split by sensor name */
};
struct em_key_rule {
	const char *key;      /* a key of em_result_keys */
	uint32_t kind, unit, scope; /* enum energy_metric_kind, energy_unit, energy_scope of the metric */
	uint32_t stat;        /* enum em_key_stat */
	int cpu_sensors;      /* EM_STAT_SENSOR_MEAN: 1 sensors named "*cpu*", 0 the others */
};
extern const struct em_key_rule em_key_rules[]; /* terminated by key NULL */
/* The key a metric of this kind, unit and scope is filed under as a total
 * ("pkg" for a CPU-package joule counter), or NULL when energymon has none. */
const struct em_result_key *em_result_key_of_metric(uint32_t kind, uint32_t unit, uint32_t scope);
/* Energy attributed to the process tree is named with this prefix. */
#define EM_ATTRIBUTED_PREFIX "attributed_"

#endif
