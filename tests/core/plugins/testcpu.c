/*
 * Test plugin standing in for a process-level source with a known truth:
 * the tree's CPU time grows at `testcpu_share` of the machine's busy time,
 * which grows at one CPU-second per second.
 */
#include "energy_plugin.h"
#include "test_plugin_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tc {
	const struct energy_host *host;
	double share;
	int64_t t0;
};

static const struct energy_config_key keys[] = {
	{"testcpu_share", ENERGY_CONFIG_NUMBER, 0, "0.25", "tree CPU time / machine busy time"},
	{NULL, 0, 0, NULL, NULL},
};

static int tc_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	(void)why;
	(void)len;
	struct tc *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	struct energy_config_value v;
	t->share = host->config_get(host->ctx, "testcpu_share", &v) == 0 ? v.number : 0.25;
	*inst = t;
	return 0;
}

static int tc_start(void *inst)
{
	((struct tc *)inst)->t0 = now_ns();
	return 0;
}

static void emit(struct tc *t, uint32_t scope, const char *sensor, double v, int64_t mono)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_CPU_TIME_S, .scope = scope,
	                           .value = v, .mono_ns = mono};
	strncpy(r.sensor, sensor, sizeof(r.sensor) - 1);
	t->host->emit(t->host->ctx, &r);
}

static int tc_sample(void *inst)
{
	struct tc *t = inst;
	int64_t mono = now_ns();
	double s = (double)(mono - t->t0) / 1e9;
	emit(t, ENERGY_SCOPE_SYSTEM, "busy", s, mono);
	emit(t, ENERGY_SCOPE_PROCESS, "tree", s * t->share, mono);
	return 0;
}

static int tc_stop(void *inst)
{
	(void)inst;
	return 0;
}

static void tc_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_PROCESS),
	.name = "testcpu",
	.version = "1.0.0",
	.description = "test plugin with a known CPU share",
	.config_keys = keys,
	.create = tc_create,
	.start = tc_start,
	.sample = tc_sample,
	.stop = tc_stop,
	.destroy = tc_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
