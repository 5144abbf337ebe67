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
/* True when a plugin may not declare `key`: a table key, or one that starts
 * with "energy_" or "attributed_" (names the files derive from keys). */
bool em_result_key_reserved(const char *key);

/* The per-call file's reading lists, by the 1.0 quantity they hold. */
struct em_readings_key {
	uint32_t quantity;       /* enum energy_quantity */
	const char *list_key;    /* "power_readings" */
	const char *value_key;   /* "power" for power, else "value" */
};
extern const struct em_readings_key em_readings_keys[]; /* terminated by list_key NULL */
const struct em_readings_key *em_readings_key_find(uint32_t quantity);

#endif
