/*
 * A fleet of sources in one monitor, as energymond holds a thousand BMCs:
 *  1. startup: loading a configuration of N `testpower:bNNNN` instance
 *     sections, em_monitor_create_continuous and em_monitor_start (wall
 *     time each, and the resident memory the monitor adds);
 *  2. CPU per sample, the shared pool (energy_sampler_threads T) against a
 *     thread per source, in the same run: process CPU time over the run
 *     divided by the samples every source took, and the ratio.
 * The test plugin stands in for a BMC (an ipmi source opens its session in
 * create(), so closed ports would time the timeouts, not the host); its
 * sample() costs a few microseconds, so the figures are the host's.
 * Usage: bench_fleet [SOURCES [SECONDS [INTERVAL_S [THREADS]]]]
 * (defaults 1000, 5, 1, 4); ENERGYMON_PLUGIN_PATH must name the test
 * plugins' directory (meson's benchmark target sets it).
 */
#include "energymon.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;
	if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	if (f)
		fclose(f);
	return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

/* N instance sections, each with a key of its own, as a fleet's BMCs
 * each have their host. */
static char *fleet_config(int n, double interval_s, int threads)
{
	json_t *root = json_object(), *list = json_array();
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "testpower:b%04d", i);
		json_array_append_new(list, json_string(id));
		json_object_set_new(root, id, json_pack("{s:f}", "testpower_watts", 100.0 + i % 50));
	}
	json_object_set_new(root, "lithops", json_pack("{s:o}", "energy_strategy", list));
	json_object_set_new(root, "energy_sampling_interval", json_real(interval_s));
	json_object_set_new(root, "energy_sampler_threads", json_integer(threads));
	json_object_set_new(root, "energy_agent", json_string("off"));
	char *text = json_dumps(root, 0);
	json_decref(root);
	return text;
}

struct run {
	double load_s, create_s, start_s, stop_s, rss_mib, cpu_s;
	long long samples;
	int ok;
};

static long long samples_in(const char *result)
{
	json_t *res = json_loads(result, 0, NULL);
	long long n = 0;
	const char *key;
	json_t *m;
	json_object_foreach(json_object_get(res, "monitors"), key, m)
		n += json_integer_value(json_object_get(json_object_get(m, "sampling"), "samples"));
	json_decref(res);
	return n;
}

static struct run fleet_run(int n, double seconds, double interval_s, int threads)
{
	struct run r = {0};
	char *text = fleet_config(n, interval_s, threads);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	double rss0 = rss_mib(), t0 = now_s(CLOCK_MONOTONIC);
	if (em_config_load_string(text, &cfg, &err) != 0)
		goto out;
	double t1 = now_s(CLOCK_MONOTONIC);
	if (em_monitor_create_continuous(cfg, &mon, &err) != 0)
		goto out;
	double t2 = now_s(CLOCK_MONOTONIC), cpu0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	if (em_monitor_start(mon, &err) != 0)
		goto out;
	double t3 = now_s(CLOCK_MONOTONIC);
	r.rss_mib = rss_mib() - rss0;
	struct timespec nap = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
	nanosleep(&nap, NULL);
	double t4 = now_s(CLOCK_MONOTONIC);
	if (em_monitor_stop(mon, &err) != 0)
		goto out;
	r.stop_s = now_s(CLOCK_MONOTONIC) - t4;
	r.cpu_s = now_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	char *result = em_monitor_result_json(mon);
	r.samples = result ? samples_in(result) : 0;
	free(result);
	r.load_s = t1 - t0;
	r.create_s = t2 - t1;
	r.start_s = t3 - t2;
	r.ok = 1;
out:
	if (!r.ok)
		fprintf(stderr, "bench_fleet: %s\n", err.message);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	free(text);
	return r;
}

static void print_run(const char *what, int n, const struct run *r)
{
	printf("%-22s %5d sources: load %.3f s, create %.3f s, start %.3f s, stop %.3f s, +%.1f MiB RSS "
	       "(%.1f KiB per source); %lld samples, %.1f us CPU per sample (build, stop and result included)\n",
	       what, n, r->load_s, r->create_s, r->start_s, r->stop_s, r->rss_mib, r->rss_mib * 1024 / n,
	       r->samples, r->samples ? r->cpu_s / (double)r->samples * 1e6 : 0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	double seconds = argc > 2 ? atof(argv[2]) : 5;
	double interval_s = argc > 3 ? atof(argv[3]) : 1;
	int threads = argc > 4 ? atoi(argv[4]) : 4;
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	char label[64];
	snprintf(label, sizeof(label), "pool of %d threads", threads);
	struct run pool = fleet_run(n, seconds, interval_s, threads);
	struct run own = fleet_run(n, seconds, interval_s, 0);
	if (!pool.ok || !own.ok)
		return 1;
	print_run(label, n, &pool);
	print_run("a thread per source", n, &own);
	double per_pool = pool.cpu_s / (double)pool.samples, per_own = own.cpu_s / (double)own.samples;
	printf("CPU per sample, thread per source / pool: %.2fx (%d s at %g s intervals)\n", per_own / per_pool,
	       (int)seconds, interval_s);
	return 0;
}
