#include "rapl_counter.h"

#include "sysfs_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

double rapl_counter_joules(const struct rapl_counter *c, uint64_t units)
{
	if (c->units_per_joule > 0)
		return (double)units / c->units_per_joule;
	return (double)units * c->joules_per_unit;
}

double rapl_counter_range_j(const struct rapl_counter *c)
{
	if (c->track.modulus == 0)
		return ldexp(c->joules_per_unit, 64);
	return rapl_counter_joules(c, c->track.modulus);
}

static int read_perf(const struct rapl_counter *c, uint64_t *raw, char *why, size_t why_len)
{
	uint64_t count = 0;
	ssize_t n = read(c->fd, &count, sizeof(count));
	if (n == (ssize_t)sizeof(count)) {
		*raw = count;
		return 0;
	}
	int rc = n < 0 ? -errno : -EIO;
	snprintf(why, why_len, "reading the perf counter of %s failed: %s", c->sensor,
		 n < 0 ? strerror(-rc) : "short read");
	return rc;
}

static int read_powercap(const struct rapl_counter *c, uint64_t *raw, char *why, size_t why_len)
{
	int rc = sysfs_pread_u64(c->fd, raw);
	if (rc != 0)
		snprintf(why, why_len, "reading energy_uj of %s failed: %s", c->sensor,
			 rc == -EINVAL ? "not a decimal number" : strerror(-rc));
	return rc;
}

int rapl_counter_read(const struct rapl_set *set, const struct rapl_counter *c, uint64_t *raw,
		      char *why, size_t why_len)
{
	if (set->backend == RAPL_BACKEND_PERF)
		return read_perf(c, raw, why, why_len);
	return read_powercap(c, raw, why, why_len);
}

void rapl_set_close(struct rapl_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->c[i].fd >= 0)
			close(set->c[i].fd);
	set->n = 0;
}

const char *rapl_backend_name(enum rapl_backend b)
{
	return b == RAPL_BACKEND_PERF ? "perf" : "powercap";
}
