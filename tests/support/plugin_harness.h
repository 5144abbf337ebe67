/*
 * plugin_harness.h — drive one plugin .so through its vtable in a test,
 * with a recording host: configuration from "key=value" strings, every
 * emitted reading and note kept in memory, errors and log lines captured.
 * Real plugin code, real devices; only the host side is this small stand-in,
 * so a plugin's tests do not depend on the scheduler in core/.
 */
#ifndef PLUGIN_HARNESS_H
#define PLUGIN_HARNESS_H

#include "energy_plugin.h"

#define HARNESS_MAX_KEYS 32

struct harness_note {
	char key[64];
	char text[ENERGY_REASON_MAX]; /* string notes */
	double number;                /* number notes */
	char unit[16];
	int is_number;
};

/* A metric the plugin declared (ABI 1.1), as the harness recorded it. */
#define HARNESS_MAX_METRICS 64
struct harness_metric {
	struct energy_metric decl;
	char reason[ENERGY_REASON_MAX]; /* last metric_reason(); "" when none or taken back */
	int reason_calls;               /* how many times metric_reason() was called */
	/* The sensor of its readings in `readings`: "<key>#<index>", or for an
	 * empty key (energymon's own) "<scope>#<index>", e.g. "cpu_package#0",
	 * "cpu_cores#1", "system#0". */
	char sensor[ENERGY_NAME_MAX];
};

struct harness {
	void *dl;
	const struct energy_plugin *plugin;
	struct energy_host host;
	void *instance;

	/* configuration as given */
	char *keys[HARNESS_MAX_KEYS];
	char *values[HARNESS_MAX_KEYS];
	const char *list_items[HARNESS_MAX_KEYS][16];
	size_t nkeys;

	struct energy_reading *readings;
	size_t nreadings, cap;
	struct harness_note notes[64];
	size_t nnotes;
	char error[ENERGY_REASON_MAX]; /* last set_error() or create/probe why */
	char log[8192];                /* all log lines, newline separated */
	double required_interval_s;    /* last require_interval() value, 0 if none */
	/* Declared metrics; emit_metric() readings go to `readings` with the
	 * metric's sensor (above), scope, counter_max and the quantity of its
	 * kind and unit (joule counter ENERGY_J, seconds CPU_TIME_S, watt gauge
	 * POWER_W, anything else COUNT). */
	struct harness_metric metrics[HARNESS_MAX_METRICS];
	size_t nmetrics;
	int declaring; /* inside create(): declare_metric is allowed */
	const char *failing_key;       /* config_get() of this key returns failing_rc */
	int failing_rc;
};

/* Load `so_path` (absolute, or a name found in $ENERGYMON_PLUGIN_PATH as
 * NAME.so). Returns 0 or -errno with h->error filled. */
int harness_load(struct harness *h, const char *so_path);
/* Add a configuration value; `value` is parsed by the key's declared type
 * (numbers with strtod, bools "true"/"false", lists comma separated). */
int harness_set(struct harness *h, const char *key, const char *value);
/* Make config_get() of `key` fail with `rc` (a negative errno), as a host
 * that cannot hand the value over would. */
void harness_fail_key(struct harness *h, const char *key, int rc);
void harness_set_target(struct harness *h, long long pid, double interval_s);
int harness_probe(struct harness *h);
int harness_create(struct harness *h);
/* The number of readings whose sensor equals `sensor` (NULL: all) and quantity `q` (0: any). */
size_t harness_count(const struct harness *h, const char *sensor, unsigned q);
/* The last reading matching, or NULL. */
const struct energy_reading *harness_last(const struct harness *h, const char *sensor, unsigned q);
const struct harness_note *harness_note(const struct harness *h, const char *key);
void harness_clear_readings(struct harness *h);
/* The declared metric of `key` ("" for energymon's own), scope and index,
 * or NULL. */
const struct harness_metric *harness_metric(const struct harness *h, const char *key, unsigned scope,
					    unsigned index);
/* harness_metrics.c: fill the 1.1 metric callbacks of h->host. */
void harness_init_metrics(struct harness *h);
/* destroy the instance, unload, free everything */
void harness_close(struct harness *h);

#endif
