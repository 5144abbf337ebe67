/*
 * gpuhwmon — an example energymon plugin for a GPU, written from
 * energy_plugin.h alone. It reads the hwmon directory amdgpu exposes
 * (/sys/class/drm/cardN/device/hwmon/hwmonM):
 *   energyN_input   cumulative energy, microjoules -> metric "gpu<N-1>_energy"
 *                   (accelerator N-1, a joule counter)
 *   power1_average  power, microwatts              -> "gpu_power" (a gauge, W)
 *   temp1_input     temperature, millidegrees C    -> "gpu_temp" (a gauge, degC)
 * Each file found at create() becomes one declared metric (ABI 1.1).
 * Several cards: run it as several instances, e.g.
 *   energymon --plugins gpuhwmon:a,gpuhwmon:b --set gpuhwmon:a.gpuhwmon_dir=... ...
 * Build out of tree:
 *   cc -std=c11 -shared -fPIC -o gpuhwmon.so gpuhwmon.c hwmon_files.c $(pkg-config --cflags energymon)
 */
/* openat, O_DIRECTORY, PATH_MAX: POSIX 2008, also when built with plain
 * `cc -std=c11` out of tree */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <energy_plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hwmon_files.h"

#define DIR_KEY "gpuhwmon_dir"

/* One file and the metric it feeds. */
struct gpu_metric {
	char file[32];           /* "energy1_input" */
	struct energy_metric declared;
	double scale;            /* file unit -> metric unit (1e-6: uJ -> J) */
	int id;                  /* from declare_metric; -1 when not declared (1.0 host) */
	unsigned long reads, failures;
	char last_error[192];
};

struct gpuhwmon {
	const struct energy_host *host;
	bool v11; /* the host offers declared metrics (ABI 1.1) */
	int dir_fd;
	char dir[PATH_MAX];
	struct gpu_metric metrics[HWMON_MAX_ENERGY_FILES + 2];
	size_t n;
};

static const struct energy_config_key keys_v1[] = {
	{DIR_KEY, ENERGY_CONFIG_STRING, 0, "(required)", "the GPU's hwmon directory"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct energy_config_key_v2 dir_key_v2 = {
	.struct_size = sizeof(struct energy_config_key_v2), .type = ENERGY_CONFIG_STRING,
	.name = DIR_KEY, .default_doc = "(required)",
	.help = "the GPU's hwmon directory, e.g. /sys/class/drm/card0/device/hwmon/hwmon3",
};
static const struct energy_config_key_v2 *const keys_v2[] = {&dir_key_v2, NULL};

/* A 1.0 host has none of declare_metric / emit_metric / metric_reason /
 * config_get_v2 (the header's rule: check abi_minor and the struct size). */
static bool host_has_metrics(const struct energy_host *host)
{
	return host->abi_minor >= 1 && ENERGY_HAS_MEMBER(host, struct energy_host, metric_reason) &&
	       host->config_get_v2 && host->declare_metric && host->emit_metric && host->metric_reason;
}

/* The directory the user named, or NULL with the reason in `why`. */
static const char *configured_dir(const struct energy_host *host, char *why, size_t len)
{
	int rc;
	const char *dir = NULL;
	if (host_has_metrics(host)) {
		struct energy_config_value_v2 v = {.struct_size = sizeof(v)};
		rc = host->config_get_v2(host->ctx, DIR_KEY, &v);
		dir = v.string;
	} else {
		struct energy_config_value v = {0};
		rc = host->config_get(host->ctx, DIR_KEY, &v);
		dir = v.string;
	}
	if (rc != 0 || dir == NULL || dir[0] == '\0') {
		snprintf(why, len, DIR_KEY " is not set: name the GPU's hwmon directory, e.g. "
		         "--set " DIR_KEY "=/sys/class/drm/card0/device/hwmon/hwmon3");
		return NULL;
	}
	return dir;
}

static int probe(const struct energy_host *host, char *why, size_t len)
{
	const char *dir = configured_dir(host, why, len);
	if (!dir)
		return -EINVAL;
	int fd = hwmon_open_dir(dir, why, len);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? -EINVAL : fd;
	close(fd);
	return 0;
}

static void add_metric(struct gpuhwmon *g, const char *file, const char *key, uint32_t kind,
                       uint32_t unit, uint32_t index, double scale)
{
	struct gpu_metric *m = &g->metrics[g->n++];
	snprintf(m->file, sizeof(m->file), "%s", file);
	m->declared = (struct energy_metric){.struct_size = sizeof(struct energy_metric), .kind = kind,
	                                     .unit = unit, .scope = ENERGY_SCOPE_ACCELERATOR, .index = index};
	snprintf(m->declared.key, sizeof(m->declared.key), "%s", key);
	m->scale = scale;
	m->id = -1;
}

/* One metric per file present: counters per card, then the two gauges. */
static void find_metrics(struct gpuhwmon *g)
{
	unsigned numbers[HWMON_MAX_ENERGY_FILES];
	size_t n = hwmon_find_energy_files(g->dir_fd, numbers);
	for (size_t i = 0; i < n; i++) {
		char file[32], key[32];
		snprintf(file, sizeof(file), "energy%u_input", numbers[i]);
		snprintf(key, sizeof(key), "gpu%u_energy", numbers[i] - 1);
		add_metric(g, file, key, ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, numbers[i] - 1, 1e-6);
	}
	if (hwmon_has_file(g->dir_fd, "power1_average"))
		add_metric(g, "power1_average", "gpu_power", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, 0, 1e-6);
	if (hwmon_has_file(g->dir_fd, "temp1_input"))
		add_metric(g, "temp1_input", "gpu_temp", ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS, 0, 1e-3);
}

/* A 1.0 host has no accelerator scope and no gauge of watts that is not
 * the whole system's: only the temperature can be said truthfully there
 * (a sensor reading). The rest is left out, and the result says so. */
static void degrade_to_1_0(struct gpuhwmon *g)
{
	const struct energy_host *h = g->host;
	h->log(h->ctx, ENERGY_LOG_WARN, "gpuhwmon: this energymon host (ABI %u.%u) offers no declared metrics; "
	       "GPU energy and power need them (ABI 1.1 declare_metric): only temp1_input is reported",
	       h->abi_major, h->abi_minor);
	h->note_string(h->ctx, "gpuhwmon_not_reported",
	               "GPU energy and power: the host offers no declared metrics (ABI 1.1)");
}

static int create(const struct energy_host *host, void **out, char *why, size_t len)
{
	const char *dir = configured_dir(host, why, len);
	if (!dir)
		return -EINVAL;
	struct gpuhwmon *g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	g->host = host;
	g->v11 = host_has_metrics(host);
	snprintf(g->dir, sizeof(g->dir), "%s", dir);
	g->dir_fd = hwmon_open_dir(dir, why, len);
	if (g->dir_fd < 0) {
		int rc = g->dir_fd == -ENOENT || g->dir_fd == -ENOTDIR ? -EINVAL : g->dir_fd;
		free(g);
		return rc;
	}
	find_metrics(g);
	size_t usable = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct gpu_metric *m = &g->metrics[i];
		if (g->v11) {
			int id = host->declare_metric(host->ctx, &m->declared);
			if (id < 0) {
				snprintf(why, len, "declaring %s (%s/%s) failed: %s", m->declared.key, dir, m->file,
				         strerror(-id));
				close(g->dir_fd);
				free(g);
				return id;
			}
			m->id = id;
		}
		usable += g->v11 || m->declared.unit == ENERGY_UNIT_CELSIUS;
	}
	if (usable == 0) {
		snprintf(why, len, "%s holds none of energy1_input..energy%d_input, power1_average, temp1_input%s",
		         dir, HWMON_MAX_ENERGY_FILES, g->v11 ? "" : " (on this ABI 1.0 host only temp1_input "
		         "can be reported)");
		close(g->dir_fd);
		free(g);
		return -ENODEV;
	}
	if (!g->v11)
		degrade_to_1_0(g);
	*out = g;
	return 0;
}

static int start(void *inst)
{
	(void)inst;
	return 0;
}

/* Time stamps 0: the host uses the time of the sample() call. */
static int report(struct gpuhwmon *g, struct gpu_metric *m, double value)
{
	const struct energy_host *h = g->host;
	if (g->v11)
		return h->emit_metric(h->ctx, m->id, value, 0, 0);
	if (m->declared.unit != ENERGY_UNIT_CELSIUS)
		return 0;
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_TEMPERATURE_C,
	                           .scope = ENERGY_SCOPE_SENSOR, .value = value};
	snprintf(r.sensor, sizeof(r.sensor), "gpu %s", m->file);
	return h->emit(h->ctx, &r);
}

/* A file that cannot be read gives no value (never a 0): it is counted,
 * and sample() fails only when nothing could be read. */
static int sample(void *inst)
{
	struct gpuhwmon *g = inst;
	size_t failed = 0;
	const char *last = NULL;
	for (size_t i = 0; i < g->n; i++) {
		struct gpu_metric *m = &g->metrics[i];
		long long raw;
		int rc = hwmon_read_integer(g->dir_fd, m->file, &raw, m->last_error, sizeof(m->last_error));
		if (rc != 0) {
			if (m->failures++ == 0)
				g->host->log(g->host->ctx, ENERGY_LOG_WARN, "gpuhwmon: %s/%s", g->dir, m->last_error);
			failed++;
			last = m->last_error;
			continue;
		}
		m->reads++;
		rc = report(g, m, (double)raw * m->scale);
		if (rc == -ECANCELED)
			return rc;
	}
	if (failed == g->n && g->n > 0) {
		g->host->set_error(g->host->ctx, "gpuhwmon: nothing in %s could be read (%s)", g->dir, last);
		return -EIO;
	}
	return 0;
}

static int stop(void *inst)
{
	(void)inst;
	return 0;
}

/* A metric never read has no value: say why rather than let it look like 0. */
static int get_data(void *inst)
{
	struct gpuhwmon *g = inst;
	const struct energy_host *h = g->host;
	unsigned long failures = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct gpu_metric *m = &g->metrics[i];
		failures += m->failures;
		if (g->v11 && m->reads == 0 && m->failures > 0)
			h->metric_reason(h->ctx, m->id, "no reading of %s/%s: %s", g->dir, m->file, m->last_error);
	}
	if (failures > 0)
		h->note_number(h->ctx, "gpuhwmon_failed_reads", (double)failures, "");
	return 0;
}

static void destroy(void *inst)
{
	struct gpuhwmon *g = inst;
	close(g->dir_fd);
	free(g);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_ACCELERATOR) | ENERGY_MEASURES(ENERGY_SCOPE_SENSOR),
	.name = "gpuhwmon",
	.version = "1.0.0",
	.description = "GPU energy counters, power and temperature from an amdgpu-style hwmon directory "
	               "(example plugin)",
	.min_interval_s = 0.01, /* amdgpu updates its counters about every millisecond */
	.config_keys = keys_v1, /* what a 1.0 host reads */
	.probe = probe,
	.create = create,
	.start = start,
	.sample = sample,
	.stop = stop,
	.get_data = get_data,
	.destroy = destroy,
	.config_keys_v2 = keys_v2,
	.set_targets = NULL, /* measures devices, not processes */
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
