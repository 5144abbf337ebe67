#include "cpu_load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void cpu_load_init(struct cpu_load *c, const char *stat_path)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->stat_path, sizeof(c->stat_path), "%s",
		 stat_path ? stat_path : "/proc/stat");
}

static int read_sample(const struct cpu_load *c, struct cpu_sample *s)
{
	uint64_t v[10] = { 0 };
	struct timespec ts;
	FILE *f = fopen(c->stat_path, "re");
	int got;

	if (!f)
		return -errno;
	/* The aggregate "cpu" line; kernels older than the last fields
	 * simply supply fewer numbers. */
	got = fscanf(f, "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
		     " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
		     " %" SCNu64 " %" SCNu64,
		     &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
		     &v[8], &v[9]);
	fclose(f);
	if (got < 4)
		return -EIO;
	/* guest and guest_nice (v[8], v[9]) are already counted in user and
	 * nice: leave them out of the total. */
	s->total = 0;
	for (int i = 0; i < 8; i++)
		s->total += v[i];
	s->busy = s->total - v[3] - v[4];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->at = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return 0;
}

int cpu_load_tick(struct cpu_load *c)
{
	struct cpu_sample s;
	int rc = read_sample(c, &s);

	if (rc)
		return rc;
	c->ring[c->next] = s;
	c->next = (c->next + 1) % CPU_LOAD_RING;
	if (c->count < CPU_LOAD_RING)
		c->count++;
	return 0;
}

int cpu_load_fraction(struct cpu_load *c, double window_s, double *fraction)
{
	struct cpu_sample now, *base = NULL;
	int rc;

	if (c->count == 0)
		return -EAGAIN;
	rc = read_sample(c, &now);
	if (rc)
		return rc;
	/* Walk from newest to oldest; stop at the first sample old enough. */
	for (unsigned k = 1; k <= c->count; k++) {
		struct cpu_sample *s =
			&c->ring[(c->next + CPU_LOAD_RING - k) % CPU_LOAD_RING];
		base = s;
		if (now.at - s->at >= window_s)
			break;
	}
	/* No jiffy since the base sample: nothing new to say; the caller
	 * keeps its previous value. */
	if (now.total <= base->total)
		return -EAGAIN;
	/* iowait may run backwards on some kernels, so busy can too. */
	if (now.busy <= base->busy) {
		*fraction = 0.0;
		return 0;
	}
	*fraction = (double)(now.busy - base->busy) /
		    (double)(now.total - base->total);
	if (*fraction > 1.0)
		*fraction = 1.0;
	return 0;
}
