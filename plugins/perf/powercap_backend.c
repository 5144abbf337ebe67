#include "powercap_backend.h"

#include "rapl_unit.h"
#include "sysfs_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZONE_PREFIX "intel-rapl:"
#define MAX_ZONES 256
#define MAX_CONSTRAINTS 4

struct zone_list {
	char names[MAX_ZONES][32];
	size_t n;
};

static int by_version(const void *a, const void *b)
{
	/* readdir has no order; version order puts intel-rapl:10 after :9. */
	return strverscmp((const char *)a, (const char *)b);
}

/* Zones "intel-rapl:N" (packages, psys) and "intel-rapl:N:M" (their
 * subdomains). "intel-rapl-mmio:N" is skipped on purpose: on client CPUs it
 * is a second view of the same package counter, and reading both would
 * count the package twice. "intel-rapl" itself is the control type, not a
 * zone. */
static int list_zones(const char *dir_path, struct zone_list *zl, char *why, size_t why_len)
{
	DIR *dir = opendir(dir_path);
	if (!dir) {
		int rc = -errno;
		if (rc == -ENOENT)
			snprintf(why, why_len, "%s does not exist (no powercap: the CPU has no RAPL "
				 "or the intel_rapl_msr module is not loaded)", dir_path);
		else
			snprintf(why, why_len, "cannot list %s: %s", dir_path, strerror(-rc));
		return rc == -ENOENT ? -ENODEV : rc;
	}
	zl->n = 0;
	int rc = 0;
	for (struct dirent *e; (e = readdir(dir)) != NULL;) {
		if (strncmp(e->d_name, ZONE_PREFIX, strlen(ZONE_PREFIX)) != 0)
			continue;
		if (zl->n == MAX_ZONES || strlen(e->d_name) >= sizeof(zl->names[0])) {
			snprintf(why, why_len, "%s: more than %d zones or a name too long (%s)",
				 dir_path, MAX_ZONES, e->d_name);
			rc = -E2BIG;
			break;
		}
		snprintf(zl->names[zl->n++], sizeof(zl->names[0]), "%s", e->d_name);
	}
	closedir(dir);
	if (rc == 0 && zl->n == 0) {
		snprintf(why, why_len, "%s has no intel-rapl zones (the CPU has no RAPL or the "
			 "intel_rapl_msr module is not loaded)", dir_path);
		rc = -ENODEV;
	}
	qsort(zl->names, zl->n, sizeof(zl->names[0]), by_version);
	return rc;
}

static int read_zone_text(const char *dir, const char *zone, const char *file, char *buf,
			  size_t len, char *path, size_t path_len)
{
	int n = snprintf(path, path_len, "%s/%s/%s", dir, zone, file);
	if (n < 0 || (size_t)n >= path_len)
		return -ENAMETOOLONG;
	return sysfs_read_text(path, buf, len);
}

/* The package a subzone belongs to is the zone named by its first two
 * components: intel-rapl:1:0 -> intel-rapl:1. */
static int package_of(const char *dir, const char *zone, char *package, size_t len,
		      char *why, size_t why_len)
{
	char parent[32], path[PATH_MAX];
	const char *second_colon = strchr(zone + strlen(ZONE_PREFIX), ':');
	if (!second_colon) {
		package[0] = '\0';
		return 0;
	}
	snprintf(parent, sizeof(parent), "%.*s", (int)(second_colon - zone), zone);
	int rc = read_zone_text(dir, parent, "name", package, len, path, sizeof(path));
	if (rc != 0)
		snprintf(why, why_len, "subzone %s/%s has no readable parent name %s: %s", dir,
			 zone, path, strerror(-rc));
	return rc;
}

static double max_power_w(const char *dir, const char *zone)
{
	/* The largest constraint_N_max_power_uw, where the platform publishes
	 * one; only used to widen the wrap guard's power bound. */
	double best = 0;
	for (int i = 0; i < MAX_CONSTRAINTS; i++) {
		char path[PATH_MAX];
		uint64_t uw = 0;
		snprintf(path, sizeof(path), "%s/%s/constraint_%d_max_power_uw", dir, zone, i);
		if (sysfs_read_u64(path, &uw) == 0 && (double)uw / 1e6 > best)
			best = (double)uw / 1e6;
	}
	return best;
}

static int open_energy(const char *path, int *fd, char *why, size_t why_len)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	int rc = -errno;
	if (rc == -EACCES || rc == -EPERM) {
		snprintf(why, why_len, "cannot read %s: %s (since Linux 5.10 energy_uj is readable "
			 "by root only: run as root, or grant read access with a udev rule or chmod)",
			 path, strerror(-rc));
		return -EACCES;
	}
	snprintf(why, why_len, "cannot open %s: %s", path, strerror(-rc));
	return rc;
}

/* The counter's sensor as both backends name it: "package-0",
 * "package-0/dram", "psys". */
static int zone_sensor(const char *dir, const char *zone, enum rapl_domain d, const char *name,
		       char *sensor, char *package, char *why, size_t why_len)
{
	int rc = package_of(dir, zone, package, ENERGY_NAME_MAX, why, why_len);
	if (rc != 0)
		return rc;
	if (d == RAPL_PKG)
		snprintf(package, ENERGY_NAME_MAX, "%s", name);
	if (package[0])
		snprintf(sensor, ENERGY_NAME_MAX, "%s%s", package, rapl_domain_info(d)->sensor_suffix);
	else
		snprintf(sensor, ENERGY_NAME_MAX, "%s", name);
	return 0;
}

static int zone_range(const char *dir, const char *zone, uint64_t *range, char *path, size_t path_len)
{
	char text[64];
	int rc = read_zone_text(dir, zone, "max_energy_range_uj", text, sizeof(text), path, path_len);
	return rc ? rc : sysfs_parse_u64(text, range);
}

static int add_zone(const char *dir, const char *zone, enum rapl_domain d, const char *name,
		    struct rapl_set *set, char *why, size_t why_len)
{
	struct rapl_counter *c = &set->c[set->n];
	char path[PATH_MAX], package[ENERGY_NAME_MAX];
	uint64_t range = 0, probe_value = 0;
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	int rc = zone_sensor(dir, zone, d, name, c->sensor, package, why, why_len);
	if (rc != 0)
		return rc;
	rc = zone_range(dir, zone, &range, path, sizeof(path));
	if (rc != 0 || range == 0) {
		snprintf(why, why_len, "cannot read a counter range from %s (%s): without it "
			 "counter wraps cannot be handled", path, rc ? strerror(-rc) : "zero");
		return rc ? rc : -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s/energy_uj", dir, zone);
	if ((rc = open_energy(path, &c->fd, why, why_len)) != 0)
		return rc;
	if ((rc = sysfs_pread_u64(c->fd, &probe_value)) != 0) {
		snprintf(why, why_len, "cannot read %s: %s", path,
			 rc == -EINVAL ? "not a decimal number" : strerror(-rc));
		close(c->fd);
		return rc == -EACCES || rc == -EPERM ? -EACCES : rc;
	}
	memcpy(c->package, package, sizeof(c->package));
	c->domain = d;
	c->joules_per_unit = 1e-6;
	c->units_per_joule = 1e6;
	c->max_power_w = max_power_w(dir, zone);
	rapl_unit_set(c, range);
	counter_track_init(&c->track, range);
	set->n++;
	return 0;
}

int powercap_open(const char *root, unsigned domain_mask, struct rapl_set *set, char *why,
		  size_t why_len)
{
	char dir[PATH_MAX];
	set->backend = RAPL_BACKEND_POWERCAP;
	set->n = 0;
	int rc = sysfs_path(dir, sizeof(dir), root, "sys/class/powercap");
	if (rc != 0) {
		snprintf(why, why_len, "perf_sysfs_root is too long: %s", root);
		return rc;
	}
	struct zone_list *zl = malloc(sizeof(*zl));
	if (!zl) {
		snprintf(why, why_len, "out of memory listing %s", dir);
		return -ENOMEM;
	}
	rc = list_zones(dir, zl, why, why_len);
	for (size_t i = 0; rc == 0 && i < zl->n; i++) {
		char name[ENERGY_NAME_MAX], path[PATH_MAX];
		enum rapl_domain d;
		rc = read_zone_text(dir, zl->names[i], "name", name, sizeof(name), path, sizeof(path));
		if (rc == -ENOENT) { /* the control type or a stray entry, not a zone */
			rc = 0;
			continue;
		}
		if (rc != 0) {
			snprintf(why, why_len, "cannot read %s: %s", path, strerror(-rc));
			break;
		}
		if (rapl_domain_by_powercap_name(name, &d) != 0 || !(domain_mask & RAPL_DOMAIN_BIT(d)))
			continue;
		if (set->n == RAPL_MAX_COUNTERS) {
			snprintf(why, why_len, "%s: more than %d RAPL zones", dir, RAPL_MAX_COUNTERS);
			rc = -E2BIG;
			break;
		}
		rc = add_zone(dir, zl->names[i], d, name, set, why, why_len);
	}
	free(zl);
	if (rc != 0)
		rapl_set_close(set);
	return rc;
}

void powercap_units(const char *root, struct rapl_set *set)
{
	char dir[PATH_MAX];
	for (size_t i = 0; i < set->n; i++)
		rapl_unit_set(&set->c[i], 0);
	struct zone_list *zl = malloc(sizeof(*zl));
	char why[ENERGY_REASON_MAX];
	/* no powercap at all is fine: the units stay assumed */
	if (!zl || sysfs_path(dir, sizeof(dir), root, "sys/class/powercap") != 0 ||
	    list_zones(dir, zl, why, sizeof(why)) != 0) {
		free(zl);
		return;
	}
	for (size_t z = 0; z < zl->n; z++) {
		char name[ENERGY_NAME_MAX], sensor[ENERGY_NAME_MAX], package[ENERGY_NAME_MAX], path[PATH_MAX];
		enum rapl_domain d;
		uint64_t range = 0;
		if (read_zone_text(dir, zl->names[z], "name", name, sizeof(name), path, sizeof(path)) != 0 ||
		    rapl_domain_by_powercap_name(name, &d) != 0 ||
		    zone_sensor(dir, zl->names[z], d, name, sensor, package, why, sizeof(why)) != 0 ||
		    zone_range(dir, zl->names[z], &range, path, sizeof(path)) != 0)
			continue;
		for (size_t i = 0; i < set->n; i++)
			if (set->c[i].domain == d && strcmp(set->c[i].sensor, sensor) == 0)
				rapl_unit_set(&set->c[i], range);
	}
	free(zl);
}
