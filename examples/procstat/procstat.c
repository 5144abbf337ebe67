/*
 * procstat — an example third-party energymon plugin, built out of tree with
 *   cc -shared -fPIC -o procstat.so procstat.c $(pkg-config --cflags energymon)
 * It reports the machine's busy and idle CPU time from /proc/stat: real
 * numbers on any Linux machine, so it shows the whole plugin lifecycle.
 */
#include <energy_plugin.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct procstat {
	const struct energy_host *host;
	double ticks_per_s;
};

static const struct energy_config_key keys[] = {
	{NULL, 0, 0, NULL, NULL}, /* this plugin reads no configuration */
};

static int probe(const struct energy_host *host, char *why, size_t len)
{
	(void)host;
	if (access("/proc/stat", R_OK) != 0) {
		snprintf(why, len, "/proc/stat is not readable: %s", strerror(errno));
		return -ENODEV;
	}
	return 0;
}

static int create(const struct energy_host *host, void **out, char *why, size_t len)
{
	struct procstat *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	p->host = host;
	p->ticks_per_s = (double)sysconf(_SC_CLK_TCK);
	*out = p;
	return 0;
}

static int start(void *inst)
{
	(void)inst;
	return 0;
}

static void emit(struct procstat *p, const char *sensor, double seconds)
{
	struct energy_reading r = {.struct_size = sizeof(r), .quantity = ENERGY_Q_CPU_TIME_S,
	                           .scope = ENERGY_SCOPE_SYSTEM, .value = seconds};
	snprintf(r.sensor, sizeof(r.sensor), "%s", sensor);
	p->host->emit(p->host->ctx, &r); /* time stamps 0: the host uses the sample time */
}

static int sample(void *inst)
{
	struct procstat *p = inst;
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
	FILE *f = fopen("/proc/stat", "r");
	if (!f) {
		p->host->set_error(p->host->ctx, "/proc/stat: %s", strerror(errno));
		return -EIO;
	}
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait, &irq,
	               &softirq, &steal);
	fclose(f);
	if (n != 8) {
		p->host->set_error(p->host->ctx, "/proc/stat: unexpected format of the cpu line");
		return -EIO;
	}
	emit(p, "busy", (double)(user + nice + sys + irq + softirq + steal) / p->ticks_per_s);
	emit(p, "idle", (double)(idle + iowait) / p->ticks_per_s);
	return 0;
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

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "procstat",
	.version = "1.0.0",
	.description = "machine busy/idle CPU time from /proc/stat (example plugin)",
	.min_interval_s = 0.01, /* /proc/stat counts in clock ticks */
	.config_keys = keys,
	.probe = probe,
	.create = create,
	.start = start,
	.sample = sample,
	.stop = stop,
	.destroy = destroy,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
