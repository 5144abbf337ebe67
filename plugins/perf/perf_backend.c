#include "perf_backend.h"

#include "perf_pmu.h"
#include "powercap_backend.h"
#include "sysfs_file.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_event(uint32_t type, uint64_t config, int cpu)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = config;
	/* pid -1 with a CPU: count the whole package, whatever runs on it. */
	long fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

static void explain_open_failure(int rc, const struct perf_pmu *pmu, const char *event,
				 uint64_t config, int cpu, char *why, size_t why_len)
{
	char paranoid[16] = "unknown";
	if (rc == -EACCES || rc == -EPERM) {
		sysfs_read_text("/proc/sys/kernel/perf_event_paranoid", paranoid, sizeof(paranoid));
		snprintf(why, why_len, "perf_event_open(%s, cpu %d): %s: system-wide counters need "
			 "perf_event_paranoid <= 0 (it is %s) or CAP_PERFMON (CAP_SYS_ADMIN before "
			 "Linux 5.8)", event, cpu, strerror(-rc), paranoid);
		return;
	}
	snprintf(why, why_len, "perf_event_open(type %u from %s/type, config 0x%llx = %s, cpu %d) "
		 "failed: %s (the kernel has no PMU of that type or refuses this event)",
		 pmu->type, pmu->dir, (unsigned long long)config, event, cpu, strerror(-rc));
}

/* Packages are named as powercap names them, so both backends agree:
 * "package-P", or "package-P-die-D" when the cpumask holds one CPU per die. */
static void name_packages(const char *root, const struct perf_pmu *pmu,
			  char names[][ENERGY_NAME_MAX])
{
	uint64_t pkg[PERF_PMU_MAX_CPUS], die[PERF_PMU_MAX_CPUS];
	int known = 1, multi_die = 0;
	for (size_t i = 0; i < pmu->ncpus; i++) {
		char rel[96], path[PATH_MAX];
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/topology/physical_package_id",
			 pmu->cpus[i]);
		known &= sysfs_path(path, sizeof(path), root, rel) == 0 &&
			 sysfs_read_u64(path, &pkg[i]) == 0;
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/topology/die_id", pmu->cpus[i]);
		if (sysfs_path(path, sizeof(path), root, rel) != 0 || sysfs_read_u64(path, &die[i]) != 0)
			die[i] = 0;
		for (size_t j = 0; j < i; j++)
			multi_die |= known && pkg[j] == pkg[i];
	}
	for (size_t i = 0; i < pmu->ncpus; i++) {
		/* Without topology files (a container, a test tree) the
		 * kernel's cpumask order is package order. */
		if (!known)
			snprintf(names[i], ENERGY_NAME_MAX, "package-%zu", i);
		else if (multi_die)
			snprintf(names[i], ENERGY_NAME_MAX, "package-%llu-die-%llu",
				 (unsigned long long)pkg[i], (unsigned long long)die[i]);
		else
			snprintf(names[i], ENERGY_NAME_MAX, "package-%llu", (unsigned long long)pkg[i]);
	}
}

static int open_domain(const struct perf_pmu *pmu, enum rapl_domain d,
		       const struct perf_pmu_event *ev, char names[][ENERGY_NAME_MAX],
		       struct rapl_set *set, char *why, size_t why_len)
{
	const struct rapl_domain_info *info = rapl_domain_info(d);
	size_t ncpus = info->per_package ? pmu->ncpus : 1;
	for (size_t i = 0; i < ncpus; i++) {
		if (set->n == RAPL_MAX_COUNTERS) {
			snprintf(why, why_len, "%s: more than %d counters", pmu->dir, RAPL_MAX_COUNTERS);
			return -E2BIG;
		}
		int fd = open_event(pmu->type, ev->config, pmu->cpus[i]);
		if (fd < 0) {
			explain_open_failure(fd, pmu, info->perf_event, ev->config, pmu->cpus[i], why,
					     why_len);
			return fd == -EACCES || fd == -EPERM ? -EACCES : -ENODEV;
		}
		struct rapl_counter *c = &set->c[set->n++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->domain = d;
		c->joules_per_unit = ev->scale;
		if (info->per_package) {
			snprintf(c->package, sizeof(c->package), "%s", names[i]);
			snprintf(c->sensor, sizeof(c->sensor), "%s%s", names[i], info->sensor_suffix);
		} else {
			snprintf(c->sensor, sizeof(c->sensor), "%s", info->powercap_name);
		}
		/* The kernel extends the 32-bit RAPL register to a 64-bit
		 * count itself (its own timer reads the MSR often enough), so
		 * what we see wraps only at 2^64 counts. */
		counter_track_init(&c->track, 0);
	}
	return 0;
}

int perf_open(const char *root, unsigned domain_mask, struct rapl_set *set, char *why,
	      size_t why_len)
{
	set->backend = RAPL_BACKEND_PERF;
	set->n = 0;
	struct perf_pmu *pmu = malloc(sizeof(*pmu));
	char (*names)[ENERGY_NAME_MAX] = malloc(PERF_PMU_MAX_CPUS * ENERGY_NAME_MAX);
	int rc = pmu && names ? perf_pmu_read(root, pmu, why, why_len) : -ENOMEM;
	if (rc == -ENOMEM)
		snprintf(why, why_len, "out of memory");
	if (rc == 0)
		name_packages(root, pmu, names);
	for (int d = 0; rc == 0 && d < RAPL_DOMAIN_COUNT; d++) {
		struct perf_pmu_event ev;
		if (!(domain_mask & RAPL_DOMAIN_BIT(d)))
			continue;
		rc = perf_pmu_event(pmu, rapl_domain_info((enum rapl_domain)d)->perf_event, &ev, why,
				    why_len);
		if (rc == -ENOENT) { /* this CPU has no such domain */
			rc = 0;
			continue;
		}
		if (rc == 0)
			rc = open_domain(pmu, (enum rapl_domain)d, &ev, names, set, why, why_len);
	}
	free(pmu);
	free(names);
	if (rc != 0)
		rapl_set_close(set);
	else /* perf's scale (2^-32 J) is not the hardware's step */
		powercap_units(root, set);
	return rc;
}
