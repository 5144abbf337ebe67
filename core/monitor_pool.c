/*
 * The monitor's side of the shared sampling pool: how many threads
 * (energy_sampler_threads, or ENERGYMON_TEST_SAMPLER_THREADS, with which a
 * test suite runs every monitor through the pool), made at start and
 * closed once every source has finished or been given up on.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The test hook wins over the key, so existing suites can be run through
 * the pool unchanged; a value that is not 1..EM_SAMPLER_THREADS_MAX is
 * ignored. */
static unsigned threads_wanted(const struct em_config *cfg)
{
	const char *env = getenv("ENERGYMON_TEST_SAMPLER_THREADS");
	if (env && *env) {
		char *end;
		unsigned long n = strtoul(env, &end, 10);
		if (!*end && n >= 1 && n <= EM_SAMPLER_THREADS_MAX)
			return (unsigned)n;
	}
	return cfg->sampler_threads;
}

int em_monitor_pool_open(struct em_monitor *mon, struct em_error *err)
{
	unsigned threads = threads_wanted(mon->cfg);
	size_t available = 0;
	for (size_t i = 0; i < mon->nsources; i++)
		available += mon->sources[i]->available;
	if (!threads || !available)
		return 0;
	/* more workers than sources would only wait */
	if (threads > available)
		threads = (unsigned)available;
	int rc = em_pool_new(threads, available, &mon->pool);
	if (rc)
		return em_fail(err, rc, "energy_sampler_threads: cannot start %u sampling threads: %s", threads,
		               strerror(-rc));
	for (size_t i = 0; i < mon->nsources; i++)
		if (mon->sources[i]->available)
			mon->sources[i]->pool = mon->pool;
	return 0;
}

void em_monitor_pool_close(struct em_monitor *mon)
{
	if (!mon->pool)
		return;
	mon->self_cpu_s += em_pool_close(mon->pool);
	mon->pool = NULL;
}
