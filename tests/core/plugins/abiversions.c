/*
 * Plugins of other minor versions, built from this header:
 *  - FUTURE ("abifuture"): ABI 1.<host minor + 1>, its descriptor one member
 *    longer than this host knows. It must load and run; the extra member is
 *    never read.
 *  - OLDSIZE ("abioldsize"): claims ABI 1.0 by its struct_size, which ends
 *    before config_keys_v2, yet the bytes after it hold a set_targets and
 *    config_keys_v2 (as memory after a real 1.0 descriptor may hold
 *    anything). The host must read neither.
 * Both emit a constant 77 W of system power; set_targets records its call
 * as the note "set_targets_called".
 */
#include "energy_plugin.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

struct inst {
	const struct energy_host *host;
};

static const struct energy_config_key keys[] = {{NULL, 0, 0, NULL, NULL}};

static int create(const struct energy_host *host, void **out, char *why, size_t len)
{
	(void)why, (void)len;
	struct inst *i = calloc(1, sizeof(*i));
	if (!i)
		return -ENOMEM;
	i->host = host;
	*out = i;
	return 0;
}

static int start(void *inst)
{
	(void)inst;
	return 0;
}

static int sample(void *inst)
{
	struct inst *i = inst;
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "test", .value = 77};
	return i->host->emit(i->host->ctx, &r);
}

static int stop(void *inst)
{
	(void)inst;
	return 0;
}

static void destroy(void *inst)
{
	free(inst);
}

static int set_targets(void *inst, const int64_t *pids, size_t n)
{
	struct inst *i = inst;
	(void)pids;
	return i->host->note_number(i->host->ctx, "set_targets_called", (double)n, "");
}

/* A key list the host would refuse (no plugin prefix) if it read it. */
static const struct energy_config_key_v2 bogus_key = {sizeof(bogus_key), ENERGY_CONFIG_STRING, 0, 0,
                                                      "not_mine", "", "must never be read"};
static const struct energy_config_key_v2 *const bogus_keys[] = {&bogus_key, NULL};

#define METHODS                                                                                              \
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM), .version = "9.9.9", .description = "ABI version test",     \
	.min_interval_s = 0.001, .config_keys = keys, .create = create, .start = start, .sample = sample,       \
	.stop = stop, .destroy = destroy

#if defined(FUTURE)
static const struct {
	struct energy_plugin base;
	void *appended_in_a_later_minor;
} plugin = {
	.base = {.struct_size = sizeof(plugin), .abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	         .abi_minor = ENERGY_PLUGIN_ABI_MINOR + 1, .name = "abifuture", .set_targets = set_targets, METHODS},
	.appended_in_a_later_minor = (void *)bogus_keys,
};
#define DESCRIPTOR (&plugin.base)
#elif defined(OLDSIZE)
static const struct energy_plugin plugin = {
	.struct_size = offsetof(struct energy_plugin, config_keys_v2), .abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = 0, .name = "abioldsize", .config_keys_v2 = bogus_keys, .set_targets = set_targets, METHODS,
};
#define DESCRIPTOR (&plugin)
#else
#error "define FUTURE or OLDSIZE"
#endif

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return DESCRIPTOR;
}
