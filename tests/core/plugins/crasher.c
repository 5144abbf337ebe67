/*
 * A plugin that takes its host process down on purpose, to test what the
 * CLI keeps when a plugin crashes. `crasher_how`: "segv", "abort", "exit"
 * (exit(42)), "hang" (blocks for good) or "none"; `crasher_when`: "sample"
 * (the first sample) or "stop". Just before, it creates the file
 * `crasher_flag` (if set) so that a test can wait for the moment.
 * With `crasher_password_env` it reads a password from that environment
 * variable as ipmi does, and cannot be created without it.
 */
#include "energy_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct crasher {
	const struct energy_host *host;
	char how[16], when[16], flag[2048], trigger[2048];
};

static const struct energy_config_key keys[] = {
	{"crasher_how", ENERGY_CONFIG_STRING, 0, "none", "segv, abort, exit (42), hang or none"},
	{"crasher_trigger", ENERGY_CONFIG_STRING, 0, "", "crash only once this file exists"},
	{"crasher_when", ENERGY_CONFIG_STRING, 0, "sample", "start, sample or stop"},
	{"crasher_flag", ENERGY_CONFIG_STRING, 0, "", "file created just before crashing"},
	{"crasher_password_env", ENERGY_CONFIG_STRING, 0, "", "environment variable holding a password"},
	{NULL, 0, 0, NULL, NULL},
};

static void string_key(const struct energy_host *h, const char *key, char *out, size_t len)
{
	struct energy_config_value v;
	if (h->config_get(h->ctx, key, &v) == 0 && v.string) {
		strncpy(out, v.string, len - 1);
		out[len - 1] = '\0';
	}
}

static int cr_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	struct crasher *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->host = host;
	strcpy(c->how, "none");
	strcpy(c->when, "sample");
	string_key(host, "crasher_how", c->how, sizeof(c->how));
	string_key(host, "crasher_when", c->when, sizeof(c->when));
	string_key(host, "crasher_flag", c->flag, sizeof(c->flag));
	string_key(host, "crasher_trigger", c->trigger, sizeof(c->trigger));
	char env[256] = "";
	string_key(host, "crasher_password_env", env, sizeof(env));
	if (env[0] && !getenv(env)) {
		snprintf(why, len, "crasher_password_env: environment variable %s is not set", env);
		free(c);
		return -EACCES;
	}
	if (env[0])
		host->note_string(host->ctx, "password_from", env);
	*inst = c;
	return 0;
}

static void crash_if(struct crasher *c, const char *moment)
{
	if (strcmp(c->when, moment) != 0 || !strcmp(c->how, "none") || (c->trigger[0] && access(c->trigger, F_OK)))
		return;
	if (c->flag[0])
		close(open(c->flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	if (!strcmp(c->how, "segv"))
		raise(SIGSEGV);
	else if (!strcmp(c->how, "abort"))
		abort();
	else if (!strcmp(c->how, "exit"))
		exit(42);
	else if (!strcmp(c->how, "hang"))
		for (;;)
			pause();
}

static int emit_power(struct crasher *c)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "crasher", .value = 10};
	return c->host->emit(c->host->ctx, &r);
}

static int cr_start(void *inst)
{
	crash_if(inst, "start");
	return emit_power(inst);
}

static int cr_sample(void *inst)
{
	crash_if(inst, "sample");
	return emit_power(inst);
}

static int cr_stop(void *inst)
{
	crash_if(inst, "stop");
	return emit_power(inst);
}

static void cr_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "crasher",
	.version = "1.0.0",
	.description = "test plugin that crashes, exits or hangs on demand",
	.min_interval_s = 0.001,
	.config_keys = keys,
	.create = cr_create,
	.start = cr_start,
	.sample = cr_sample,
	.stop = cr_stop,
	.destroy = cr_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
