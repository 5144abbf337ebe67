/*
 * Test plugin that hangs inside one method until the test releases it:
 * it blocks reading `hang_fd` (the read end of the test's pipe) until the
 * test closes the write end. No timers: the test decides when it returns.
 *   hang_in           "sample", "stop" or "get_data"
 *   hang_from_sample  with "sample": hang in this sample() call (1 = the
 *                     first) and every later one
 *   hang_notify_fd    written: 'S' on entering a sample() that does not
 *                     hang, 'H' on entering the hang, 'D' in destroy()
 * After it is released it reads its configuration and emits, as a plugin
 * that returns late would: the host must still own everything it touches.
 * Emits a constant 100 W (system) at start() and every sample().
 * Built as "hang" and under long names (-DNAME) that share their first
 * characters, for the per-plugin cap on abandoned threads; its keys are
 * NAME_fd and so on.
 */
#include "energy_plugin.h"
#include "test_plugin_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NAME
#define NAME "hang"
#endif

struct hang {
	const struct energy_host *host;
	int fd, notify_fd;
	char in[16];
	double from_sample;
	unsigned samples;
};

static const struct energy_config_key keys[] = {
	{NAME "_fd", ENERGY_CONFIG_NUMBER, 0, "-1", "fd to block on until it reads end-of-file"},
	{NAME "_notify_fd", ENERGY_CONFIG_NUMBER, 0, "-1", "fd told 'S' per sample, 'H' on hanging, 'D' on destroy"},
	{NAME "_in", ENERGY_CONFIG_STRING, 0, "sample", "sample, stop or get_data"},
	{NAME "_from_sample", ENERGY_CONFIG_NUMBER, 0, "2", "first sample() call that hangs"},
	{NULL, 0, 0, NULL, NULL},
};

static int emit_power(struct hang *h)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_POWER_W,
	                           .scope = ENERGY_SCOPE_SYSTEM, .sensor = "hang", .value = 100};
	return h->host->emit(h->host->ctx, &r);
}

static void tell(struct hang *h, char c)
{
	if (h->notify_fd >= 0 && write(h->notify_fd, &c, 1) != 1)
		h->notify_fd = -1;
}

/* Block until released, then touch the host as a late plugin would. */
static void hang_here(struct hang *h, const char *method)
{
	if (strcmp(h->in, method) != 0 || h->fd < 0)
		return;
	tell(h, 'H');
	char c;
	while (read(h->fd, &c, 1) != 0 && errno == EINTR)
		;
	struct energy_config_value v;
	const char *in = h->host->config_get(h->host->ctx, NAME "_in", &v) == 0 ? v.string : "default";
	h->host->log(h->host->ctx, ENERGY_LOG_WARN, "released from %s (hang_in: %s)", method, in);
	h->host->set_error(h->host->ctx, "returned late from %s", method);
	h->host->note_string(h->host->ctx, "late", method);
	emit_power(h);
}

static int hang_create(const struct energy_host *host, void **out, char *why, size_t len)
{
	(void)why;
	(void)len;
	struct hang *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->host = host;
	h->fd = (int)number(host, NAME "_fd", -1);
	h->notify_fd = (int)number(host, NAME "_notify_fd", -1);
	h->from_sample = number(host, NAME "_from_sample", 2);
	struct energy_config_value v;
	strncpy(h->in, host->config_get(host->ctx, NAME "_in", &v) == 0 ? v.string : "sample", sizeof(h->in) - 1);
	*out = h;
	return 0;
}

static int hang_start(void *p)
{
	return emit_power(p);
}

static int hang_sample(void *p)
{
	struct hang *h = p;
	if (++h->samples >= h->from_sample)
		hang_here(h, "sample");
	else
		tell(h, 'S');
	return emit_power(h);
}

static int hang_stop(void *p)
{
	hang_here(p, "stop");
	return 0;
}

static int hang_get_data(void *p)
{
	hang_here(p, "get_data");
	return 0;
}

static void hang_destroy(void *p)
{
	struct hang *h = p;
	tell(h, 'D');
	free(h);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = NAME,
	.version = "0.0.1",
	.description = "hangs in one method until the test releases it",
	.config_keys = keys,
	.create = hang_create,
	.start = hang_start,
	.sample = hang_sample,
	.stop = hang_stop,
	.get_data = hang_get_data,
	.destroy = hang_destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
