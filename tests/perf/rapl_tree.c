#include "rapl_tree.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define POWERCAP_DEVICES "sys/devices/virtual/powercap/intel-rapl"

int rapl_tree_make(struct rapl_tree *t)
{
	/* /tmp, not $TMPDIR, and traversable by others: some tests drop to an
	 * unprivileged user, who must reach the tree (a 0700 $TMPDIR or
	 * checkout would hide it). */
	snprintf(t->root, sizeof(t->root), "/tmp/energymon-perf-XXXXXX");
	if (!mkdtemp(t->root))
		return -errno;
	return chmod(t->root, 0755) == 0 ? 0 : -errno;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void rapl_tree_remove(struct rapl_tree *t)
{
	if (t->root[0])
		nftw(t->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	t->root[0] = '\0';
}

static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -errno : 0;
}

static int write_file(const char *path, const char *text)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		int rc = make_dirs(dir);
		if (rc != 0)
			return rc;
	}
	/* Rewritten in place, as sysfs values change: the plugin keeps the
	 * file open and reads it again from offset 0. */
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	int ok = fprintf(f, "%s\n", text) >= 0;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

int rapl_tree_write(const struct rapl_tree *t, const char *rel, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	return write_file(path, text);
}

/* Real layout: the device directory nests subzones inside their package,
 * and /sys/class/powercap holds one relative symlink per zone. */
static void zone_device_rel(const char *zone, char *out, size_t len)
{
	const char *second = strchr(zone + strlen("intel-rapl:"), ':');
	if (second)
		snprintf(out, len, POWERCAP_DEVICES "/%.*s/%s", (int)(second - zone), zone, zone);
	else
		snprintf(out, len, POWERCAP_DEVICES "/%s", zone);
}

static int write_zone_file(const struct rapl_tree *t, const char *zone, const char *file,
			   const char *text)
{
	char dev[256], rel[512];
	zone_device_rel(zone, dev, sizeof(dev));
	snprintf(rel, sizeof(rel), "%s/%s", dev, file);
	return rapl_tree_write(t, rel, text);
}

static int link_class(const struct rapl_tree *t, const char *entry, const char *dev_rel)
{
	char dir[PATH_MAX], link[PATH_MAX], target[512];
	snprintf(dir, sizeof(dir), "%s/sys/class/powercap", t->root);
	int rc = make_dirs(dir);
	if (rc != 0)
		return rc;
	snprintf(link, sizeof(link), "%s/%s", dir, entry);
	snprintf(target, sizeof(target), "../../%s", dev_rel + strlen("sys/"));
	if (symlink(target, link) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int rapl_tree_add_zone(const struct rapl_tree *t, const char *zone, const char *name,
		       uint64_t energy_uj, uint64_t max_range_uj, uint64_t max_power_uw)
{
	char num[32], dev[256];
	int rc = rapl_tree_write(t, POWERCAP_DEVICES "/enabled", "1");
	if (rc == 0)
		rc = link_class(t, "intel-rapl", POWERCAP_DEVICES);
	if (rc == 0)
		rc = write_zone_file(t, zone, "name", name);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)max_range_uj);
	if (rc == 0)
		rc = write_zone_file(t, zone, "max_energy_range_uj", num);
	if (rc == 0)
		rc = write_zone_file(t, zone, "constraint_0_name", "long_term");
	if (rc == 0)
		rc = write_zone_file(t, zone, "constraint_0_power_limit_uw", "65000000");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)max_power_uw);
	if (rc == 0 && max_power_uw)
		rc = write_zone_file(t, zone, "constraint_0_max_power_uw", num);
	if (rc == 0)
		rc = rapl_tree_set_energy(t, zone, energy_uj);
	zone_device_rel(zone, dev, sizeof(dev));
	return rc == 0 ? link_class(t, zone, dev) : rc;
}

int rapl_tree_set_energy(const struct rapl_tree *t, const char *zone, uint64_t energy_uj)
{
	char num[32];
	snprintf(num, sizeof(num), "%llu", (unsigned long long)energy_uj);
	return write_zone_file(t, zone, "energy_uj", num);
}

void rapl_tree_energy_path(const struct rapl_tree *t, const char *zone, char *out, size_t len)
{
	char dev[256];
	zone_device_rel(zone, dev, sizeof(dev));
	snprintf(out, len, "%s/%s/energy_uj", t->root, dev);
}

int rapl_tree_set_busy(const struct rapl_tree *t, double busy_s)
{
	char text[256], tmp[PATH_MAX], path[PATH_MAX];
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long ticks = (unsigned long long)(busy_s * (double)(hz > 0 ? hz : 100) + 0.5);
	/* user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice */
	snprintf(text, sizeof(text), "cpu  %llu 0 0 %llu 0 0 0 0 0 0\ncpu0 %llu 0 0 %llu 0 0 0 0 0 0",
		 ticks, ticks, ticks, ticks);
	int rc = rapl_tree_write(t, "proc/stat.tmp", text);
	snprintf(tmp, sizeof(tmp), "%s/proc/stat.tmp", t->root);
	snprintf(path, sizeof(path), "%s/proc/stat", t->root);
	return rc == 0 && rename(tmp, path) != 0 ? -errno : rc;
}

int rapl_tree_link_real_proc(const struct rapl_tree *t)
{
	char link[PATH_MAX];
	snprintf(link, sizeof(link), "%s/proc", t->root);
	return symlink("/proc", link) == 0 ? 0 : -errno;
}

static const char *event_config(const char *event)
{
	/* The kernel's numbering (arch/x86/events/rapl.c). */
	static const char *const names[] = { "energy-cores", "energy-pkg", "energy-ram",
					     "energy-gpu", "energy-psys" };
	static const char *const configs[] = { "event=0x01", "event=0x02", "event=0x03",
					       "event=0x04", "event=0x05" };
	for (int i = 0; i < 5; i++)
		if (strcmp(names[i], event) == 0)
			return configs[i];
	return "event=0xff";
}

int rapl_tree_add_pmu_event(const struct rapl_tree *t, const char *event, const char *terms)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "sys/devices/power/events/%s", event);
	int rc = rapl_tree_write(t, rel, terms ? terms : event_config(event));
	snprintf(rel, sizeof(rel), "sys/devices/power/events/%s.scale", event);
	if (rc == 0)
		rc = rapl_tree_write(t, rel, "2.3283064365386962890625e-10");
	snprintf(rel, sizeof(rel), "sys/devices/power/events/%s.unit", event);
	if (rc == 0)
		rc = rapl_tree_write(t, rel, "Joules");
	return rc;
}

int rapl_tree_add_pmu(const struct rapl_tree *t, unsigned type, const char *cpumask,
		      const char *const *events)
{
	char num[32], link[PATH_MAX];
	snprintf(num, sizeof(num), "%u", type);
	int rc = rapl_tree_write(t, "sys/devices/power/type", num);
	if (rc == 0)
		rc = rapl_tree_write(t, "sys/devices/power/cpumask", cpumask);
	if (rc == 0)
		rc = rapl_tree_write(t, "sys/devices/power/format/event", "config:0-7");
	for (size_t i = 0; rc == 0 && events && events[i]; i++)
		rc = rapl_tree_add_pmu_event(t, events[i], NULL);
	snprintf(link, sizeof(link), "%s/sys/bus/event_source/devices", t->root);
	if (rc == 0)
		rc = make_dirs(link);
	snprintf(link, sizeof(link), "%s/sys/bus/event_source/devices/power", t->root);
	if (rc == 0 && symlink("../../../devices/power", link) != 0)
		rc = -errno;
	return rc;
}
