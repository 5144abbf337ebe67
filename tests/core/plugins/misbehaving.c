/*
 * Test plugins that go wrong in one way each, built from this one file with
 * -DKIND=...: BADABI (built for ABI major 99), NOENTRY (no entry symbol),
 * FAILSTART (start() fails with a reason), BLOCKER (sample() blocks for
 * `blocker_sleep_s`), UNAVAILABLE (probe says the hardware is absent).
 * Each declares its key under its own name (NAME "_sleep_s"): the host
 * refuses a plugin that declares keys outside its prefix.
 */
#include "energy_plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BADABI 1
#define NOENTRY 2
#define FAILSTART 3
#define BLOCKER 4
#define UNAVAILABLE 5

struct inst {
	const struct energy_host *host;
	double sleep_s;
};

static const struct energy_config_key keys[] = {
	{NAME "_sleep_s", ENERGY_CONFIG_NUMBER, 0, "2", "how long sample() blocks, s"},
	{NULL, 0, 0, NULL, NULL},
};

static int probe(const struct energy_host *host, char *why, size_t len)
{
	(void)host;
#if KIND == UNAVAILABLE
	snprintf(why, len, "no such hardware: /dev/nothing does not exist");
	return -ENODEV;
#else
	(void)why;
	(void)len;
	return 0;
#endif
}

static int create(const struct energy_host *host, void **out, char *why, size_t len)
{
	(void)why;
	(void)len;
	struct inst *i = calloc(1, sizeof(*i));
	if (!i)
		return -ENOMEM;
	i->host = host;
	struct energy_config_value v;
	i->sleep_s = host->config_get(host->ctx, NAME "_sleep_s", &v) == 0 ? v.number : 2;
	*out = i;
	return 0;
}

static int start(void *p)
{
	struct inst *i = p;
#if KIND == FAILSTART
	i->host->set_error(i->host->ctx, "device 127.0.0.1:1 refused the session");
	return -ECONNREFUSED;
#else
	(void)i;
	return 0;
#endif
}

static int sample(void *p)
{
	struct inst *i = p;
#if KIND == BLOCKER
	struct timespec ts = {.tv_sec = (time_t)i->sleep_s,
	                      .tv_nsec = (long)((i->sleep_s - (double)(time_t)i->sleep_s) * 1e9)};
	nanosleep(&ts, NULL);
#endif
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "blocked", .value = 10};
	return i->host->emit(i->host->ctx, &r);
}

static int stop(void *p)
{
	(void)p;
	return 0;
}

static void destroy(void *p)
{
	free(p);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
#if KIND == BADABI
	.abi_major = 99,
#else
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
#endif
	.abi_minor = 0,
	.name = NAME,
	.version = "0.0.1",
	.config_keys = keys,
	.probe = probe,
	.create = create,
	.start = start,
	.sample = sample,
	.stop = stop,
	.destroy = destroy,
};

#if KIND != NOENTRY
ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
#else
ENERGY_PLUGIN_EXPORT const struct energy_plugin *some_other_symbol(void)
{
	return &plugin;
}
#endif
