#include "perf_pmu.h"

#include "sysfs_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int perf_pmu_parse_cpulist(const char *text, int *cpus, size_t max)
{
	size_t n = 0;
	const char *p = text;
	while (*p) {
		char *end = NULL;
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || lo < 0)
			return -EINVAL;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return -EINVAL;
			p = end;
		}
		for (long c = lo; c <= hi; c++) {
			if (n == max)
				return -E2BIG;
			cpus[n++] = (int)c;
		}
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return -EINVAL;
	}
	return (int)n;
}

int perf_pmu_read(const char *root, struct perf_pmu *pmu, char *why, size_t why_len)
{
	char path[PATH_MAX + 32], text[512];
	uint64_t type = 0;
	if (sysfs_path(pmu->dir, sizeof(pmu->dir), root, "sys/bus/event_source/devices/power") != 0) {
		snprintf(why, why_len, "perf_sysfs_root is too long: %s", root);
		return -ENAMETOOLONG;
	}
	if (!sysfs_exists(pmu->dir)) {
		snprintf(why, why_len, "%s does not exist (no perf power PMU: the CPU has no RAPL "
			 "or the kernel was built without RAPL perf support)", pmu->dir);
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "%s/type", pmu->dir);
	int rc = sysfs_read_u64(path, &type);
	if (rc != 0 || type > UINT32_MAX) {
		snprintf(why, why_len, "cannot read the PMU type from %s: %s", path,
			 rc ? strerror(-rc) : "out of range");
		return rc ? rc : -EINVAL;
	}
	pmu->type = (uint32_t)type;
	snprintf(path, sizeof(path), "%s/cpumask", pmu->dir);
	rc = sysfs_read_text(path, text, sizeof(text));
	int n = rc == 0 ? perf_pmu_parse_cpulist(text, pmu->cpus, PERF_PMU_MAX_CPUS) : rc;
	if (n <= 0) {
		snprintf(why, why_len, "cannot read the CPUs to count on from %s: %s", path,
			 n == 0 ? "empty" : strerror(-n));
		return n == 0 ? -EINVAL : n;
	}
	pmu->ncpus = (size_t)n;
	return 0;
}

/* An event file holds terms like "event=0x02"; format/<term> says which
 * bits of attr.config each term fills, e.g. "config:0-7". */
static int place_term(const char *pmu_dir, const char *term, uint64_t *config, char *why,
		      size_t why_len)
{
	char name[64], format[64], path[PATH_MAX + 80];
	uint64_t value = 1;
	const char *eq = strchr(term, '=');
	snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - term) : strlen(term)), term);
	if (eq && sysfs_parse_u64(eq + 1, &value) != 0) {
		snprintf(why, why_len, "%s: term '%s' has no number", pmu_dir, term);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/format/%s", pmu_dir, name);
	int rc = sysfs_read_text(path, format, sizeof(format));
	unsigned lo = 0, hi = 0;
	int fields = rc == 0 ? sscanf(format, "config:%u-%u", &lo, &hi) : 0;
	if (fields == 1)
		hi = lo;
	if (fields < 1 || hi < lo || hi > 63) {
		snprintf(why, why_len, "cannot place term '%s': %s %s", term, path,
			 rc ? strerror(-rc) : "is not config:LO-HI");
		return rc ? rc : -EINVAL;
	}
	uint64_t mask = hi - lo == 63 ? UINT64_MAX : ((UINT64_C(1) << (hi - lo + 1)) - 1);
	*config |= (value & mask) << lo;
	return 0;
}

static int read_config(const char *pmu_dir, const char *path, uint64_t *config, char *why,
		       size_t why_len)
{
	char terms[256];
	int rc = sysfs_read_text(path, terms, sizeof(terms));
	if (rc != 0) {
		if (rc != -ENOENT)
			snprintf(why, why_len, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	*config = 0;
	char *save = NULL;
	for (char *t = strtok_r(terms, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if ((rc = place_term(pmu_dir, t, config, why, why_len)) != 0)
			return rc;
	return 0;
}

int perf_pmu_event(const struct perf_pmu *pmu, const char *name, struct perf_pmu_event *ev,
		   char *why, size_t why_len)
{
	char path[PATH_MAX + 80], text[64];
	snprintf(path, sizeof(path), "%s/events/%s", pmu->dir, name);
	int rc = read_config(pmu->dir, path, &ev->config, why, why_len);
	if (rc != 0)
		return rc;
	/* The count is in units of `scale` joules; without the scale there is
	 * no way to a joule, so the event is refused rather than guessed. */
	snprintf(path, sizeof(path), "%s/events/%s.scale", pmu->dir, name);
	char *end = NULL;
	rc = sysfs_read_text(path, text, sizeof(text));
	ev->scale = rc == 0 ? strtod(text, &end) : 0;
	if (rc != 0 || end == text || *end != '\0' || !isfinite(ev->scale) || !(ev->scale > 0)) {
		snprintf(why, why_len, "no usable scale in %s (%s): counts cannot be turned into "
			 "joules", path, rc ? strerror(-rc) : text);
		return rc && rc != -ENOENT ? rc : -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/events/%s.unit", pmu->dir, name);
	rc = sysfs_read_text(path, text, sizeof(text));
	if (rc != 0 || strcmp(text, "Joules") != 0) {
		snprintf(why, why_len, "%s says the unit is '%s', expected Joules", path,
			 rc ? strerror(-rc) : text);
		return rc && rc != -ENOENT ? rc : -EINVAL;
	}
	return 0;
}
