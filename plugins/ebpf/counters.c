/*
 * counters.c — perf counters (cycles, instructions, ...) opened on every
 * CPU, which the switch handler reads to charge each slice's count to the
 * tree. Opened here, read in the kernel through perf event array maps.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "ebpf_internal.h"

struct event_name {
	const char *name;
	uint32_t type;
	uint64_t config;
};

static const struct event_name known[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	/* software: nanoseconds on CPU; needs no PMU */
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
};

static const struct event_name *lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].name, name) == 0)
			return &known[i];
	return NULL;
}

int counters_check_names(const char *const *names, size_t n, char *why, size_t len)
{
	if (n > EBPF_MAX_COUNTERS) {
		snprintf(why, len, "ebpf: ebpf_counters lists %zu events; at most %d", n, EBPF_MAX_COUNTERS);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (!lookup(names[i])) {
			snprintf(why, len, "ebpf: ebpf_counters: unknown event \"%s\" (known: cycles, instructions, cpu-clock)",
				 names[i]);
			return -EINVAL;
		}
	return 0;
}

static int cpu_online(int cpu)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	FILE *f = fopen(path, "re");
	if (!f)
		return 1; /* cpu0 often has no such file: it cannot go offline */
	int c = fgetc(f);
	fclose(f);
	return c != '0';
}

void counters_close(struct ebpf_counters *c)
{
	for (unsigned i = 0; i < EBPF_MAX_COUNTERS; i++) {
		for (int cpu = 0; c->fds[i] && cpu < c->ncpus; cpu++)
			if (c->fds[i][cpu] >= 0)
				close(c->fds[i][cpu]);
		free(c->fds[i]);
		c->fds[i] = NULL;
	}
	c->n = 0;
}

int counters_open(struct ebpf_counters *c, const char *const *names, size_t n, int ncpus, char *why,
		  size_t len)
{
	memset(c, 0, sizeof(*c));
	c->ncpus = ncpus;
	int err = counters_check_names(names, n, why, len);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		const struct event_name *e = lookup(names[i]);
		if (e->type == PERF_TYPE_HARDWARE && access("/sys/bus/event_source/devices/cpu", F_OK) != 0 &&
		    access("/sys/bus/event_source/devices/cpu_core", F_OK) != 0) {
			snprintf(why, len, "unavailable: no hardware cpu PMU (/sys/bus/event_source/devices/cpu is missing)");
			err = -ENODEV;
			goto fail;
		}
		c->fds[i] = malloc((size_t)ncpus * sizeof(int));
		if (!c->fds[i]) {
			snprintf(why, len, "unavailable: out of memory");
			err = -ENOMEM;
			goto fail;
		}
		for (int cpu = 0; cpu < ncpus; cpu++)
			c->fds[i][cpu] = -1;
		c->n = (unsigned)i + 1;
		snprintf(c->name[i], sizeof(c->name[i]), "%s", e->name);
		for (int cpu = 0; cpu < ncpus; cpu++) {
			if (!cpu_online(cpu))
				continue;
			struct perf_event_attr attr;
			memset(&attr, 0, sizeof(attr));
			attr.size = sizeof(attr);
			attr.type = e->type;
			attr.config = e->config;
			long fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
			if (fd < 0) {
				err = -errno;
				snprintf(why, len, "unavailable: perf_event_open of %s on CPU %d failed: %s", e->name,
					 cpu, strerror(-err));
				goto fail;
			}
			c->fds[i][cpu] = (int)fd;
		}
	}
	return 0;
fail:
	counters_close(c);
	return err;
}

int counters_open_described(struct ebpf_counters *c, const char *const *names, size_t n, char *status,
			    size_t len)
{
	memset(c, 0, sizeof(*c));
	if (n == 0) {
		snprintf(status, len, "none asked for (ebpf_counters is empty)");
		return -ENOENT;
	}
	int ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		snprintf(status, len, "unavailable: cannot count the possible CPUs");
		return ncpus ? ncpus : -EIO;
	}
	int err = counters_open(c, names, n, ncpus, status, len);
	if (err)
		return err;
	size_t used = (size_t)snprintf(status, len, "counted per process tree:");
	for (unsigned i = 0; i < c->n && used < len; i++)
		used += (size_t)snprintf(status + used, len - used, "%s %s", i ? "," : "", c->name[i]);
	return 0;
}
