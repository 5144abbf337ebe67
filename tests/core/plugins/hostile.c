/*
 * A careless plugin, for tests/core/test_hostile.c. hostile_mode picks
 * the misuse:
 *   many         declares 5000 metrics (beyond energy_max_series); notes
 *                "declared" (how many got an id) and "rc_refused";
 *   mixed        declares energymon's own pkg (empty key, index 0) and also
 *                emits 1.0 readings of the same (energy, cpu_package,
 *                "index-0") at 1000 W while the declared one runs at 10 W;
 *   fail_create  declares a metric, then fails create();
 *   accel10      emits 1.0 readings (host->emit) at accelerator scope, a
 *                joule counter at 40 W: energymon has no key for them;
 *   create_emit  declares a 100 W gauge and emits it already in create()
 *                (time stamps 0), then in every sample();
 *   late         a thread of its own keeps emitting a gauge (the ABI allows
 *                calls only from the thread the host calls on) until
 *                destroy(); notes nothing.
 * Every series it emits runs at a known rate from start().
 */
#include "energy_plugin.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hostile {
	const struct energy_host *host;
	char mode[32];
	int own_pkg, gauge;
	bool accel10;
	int64_t t0;
	pthread_t thread;
	bool has_thread;
	atomic_bool quit;
};

static const struct energy_config_key keys[] = {
	{"hostile_mode", ENERGY_CONFIG_STRING, 0, "many", "which misuse: many, mixed, fail_create, late"},
	{NULL, 0, 0, NULL, NULL},
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int declare(const struct energy_host *h, const char *key, uint32_t kind, uint32_t unit, uint32_t scope)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = kind, .unit = unit, .scope = scope};
	snprintf(m.key, sizeof(m.key), "%s", key);
	return h->declare_metric(h->ctx, &m);
}

static int hc_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	struct hostile *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	struct energy_config_value v;
	snprintf(t->mode, sizeof(t->mode), "%s", host->config_get(host->ctx, "hostile_mode", &v) == 0 ? v.string
	                                                                                            : "many");
	t->own_pkg = t->gauge = -1;
	if (!strcmp(t->mode, "many")) {
		int n = 0, refused = 0;
		for (int i = 0; i < 5000; i++) {
			char key[32];
			snprintf(key, sizeof(key), "m%d", i);
			int rc = declare(host, key, ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_OTHER);
			if (rc >= 0)
				n++;
			else if (!refused)
				refused = rc;
		}
		host->note_number(host->ctx, "declared", n, "");
		host->note_number(host->ctx, "rc_refused", refused, "errno");
	} else if (!strcmp(t->mode, "mixed")) {
		t->own_pkg = declare(host, "", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_CPU_PACKAGE);
	} else if (!strcmp(t->mode, "fail_create")) {
		declare(host, "gpu0_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR);
		snprintf(why, len, "no GPU here (test)");
		free(t);
		return -ENODEV;
	} else if (!strcmp(t->mode, "accel10")) {
		t->accel10 = true;
	} else if (!strcmp(t->mode, "create_emit")) {
		t->gauge = declare(host, "early_watts", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_OTHER);
		host->note_number(host->ctx, "rc_create_emit", host->emit_metric(host->ctx, t->gauge, 100, 0, 0),
		                  "errno");
	} else if (!strcmp(t->mode, "late")) {
		t->gauge = declare(host, "late_watts", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_OTHER);
	}
	*inst = t;
	return 0;
}

static void *late_thread(void *arg)
{
	struct hostile *t = arg;
	while (!atomic_load(&t->quit)) {
		t->host->emit_metric(t->host->ctx, t->gauge, 5.0, now_ns(), 0);
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static int hc_sample(void *inst)
{
	struct hostile *t = inst;
	const struct energy_host *h = t->host;
	int64_t mono = now_ns();
	double s = (double)(mono - t->t0) / 1e9;
	if (t->own_pkg >= 0) {
		h->emit_metric(h->ctx, t->own_pkg, 10 * s, mono, 0);
		struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_ENERGY_J,
		                           .scope = ENERGY_SCOPE_CPU_PACKAGE, .sensor = "index-0", .value = 1000 * s,
		                           .mono_ns = mono + 1};
		h->emit(h->ctx, &r);
	}
	if (t->accel10) {
		struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_ENERGY_J,
		                           .scope = ENERGY_SCOPE_ACCELERATOR, .sensor = "gpu0", .value = 40 * s,
		                           .mono_ns = mono};
		t->host->note_number(h->ctx, "rc_accel10", h->emit(h->ctx, &r), "errno");
	}
	if (t->gauge >= 0 && !t->has_thread)
		h->emit_metric(h->ctx, t->gauge, !strcmp(t->mode, "late") ? 5.0 : 100.0, mono, 0);
	return 0;
}

static int hc_start(void *inst)
{
	struct hostile *t = inst;
	t->t0 = now_ns();
	hc_sample(t);
	if (t->gauge >= 0 && !strcmp(t->mode, "late"))
		t->has_thread = pthread_create(&t->thread, NULL, late_thread, t) == 0;
	return 0;
}

static int hc_stop(void *inst)
{
	(void)inst;
	return 0;
}

static void hc_destroy(void *inst)
{
	struct hostile *t = inst;
	atomic_store(&t->quit, true);
	if (t->has_thread)
		pthread_join(t->thread, NULL);
	free(t);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_CPU_PACKAGE) | ENERGY_MEASURES(ENERGY_SCOPE_OTHER),
	.name = "hostile",
	.version = "1.1.0",
	.description = "test plugin that misuses the 1.1 metric calls",
	.min_interval_s = 0.001,
	.config_keys = keys,
	.create = hc_create,
	.start = hc_start,
	.sample = hc_sample,
	.stop = hc_stop,
	.destroy = hc_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
