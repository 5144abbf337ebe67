/*
 * A pooled source whose sample() never returns holds one worker; the
 * other sources go on being sampled by the rest of the pool. At stop it is
 * abandoned as a source with its own thread would be (after the bound, or
 * at once on em_monitor_abandon()), its worker is named as an abandoned
 * thread, the monitor is destroyed before the plugin returns, and when it
 * does return the worker frees what it held (ASan checks). The hang test
 * plugin blocks on a pipe until the test closes it: nothing here depends
 * on how long anything takes. Linked with the library's objects to read
 * the running sources' sample counts.
 */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#define NHEALTHY 6

struct fleet {
	int release[2], notify[2];
	struct em_config *cfg;
	struct em_monitor *mon;
};

/* "hang:stuck" (hangs in its second sample()) before NHEALTHY testpower
 * instances, on `threads` shared threads at 20 Hz. */
static int fleet_create(struct fleet *f, unsigned threads)
{
	if (pipe(f->release) || pipe(f->notify))
		return -1;
	char json[2048];
	size_t used = (size_t)snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": [\"hang:stuck\"");
	for (int i = 0; i < NHEALTHY; i++)
		used += (size_t)snprintf(json + used, sizeof(json) - used, ", \"testpower:p%d\"", i);
	snprintf(json + used, sizeof(json) - used, "]}, \"energy_sampling_interval\": 0.05, \"energy_sampler_threads\": "
	         "%u, \"hang:stuck\": {\"hang_fd\": %d, \"hang_notify_fd\": %d, \"hang_in\": \"sample\", "
	         "\"hang_from_sample\": 2}}", threads, f->release[0], f->notify[1]);
	struct em_error err = {0};
	if (em_config_load_string(json, &f->cfg, &err) || em_monitor_create(f->cfg, 0, &f->mon, &err) ||
	    em_monitor_start(f->mon, &err)) {
		fprintf(stderr, "\n    %s\n", err.message);
		return -1;
	}
	return 0;
}

static char heard(struct fleet *f)
{
	char c = 0;
	while (read(f->notify[0], &c, 1) < 0 && errno == EINTR)
		;
	return c;
}

static uint64_t samples_of(struct em_source *src)
{
	pthread_mutex_lock(&src->lock);
	uint64_t n = src->samples;
	pthread_mutex_unlock(&src->lock);
	return n;
}

/* Every healthy source takes `more` samples beyond where it stood, while
 * the stuck one holds its worker: waits for it (a liveness check, not a
 * timing one: the bound only turns a hang of the test into a failure). */
static void healthy_keep_sampling(struct fleet *f, uint64_t more)
{
	uint64_t from[NHEALTHY];
	for (int i = 0; i < NHEALTHY; i++)
		from[i] = samples_of(f->mon->sources[1 + i]);
	for (int waited_ms = 0; waited_ms < 60000; waited_ms++) {
		int behind = 0;
		for (int i = 0; i < NHEALTHY; i++)
			behind += samples_of(f->mon->sources[1 + i]) < from[i] + more;
		if (!behind)
			return;
		sleep_s(0.001);
	}
	CU_FAIL("the healthy sources stopped being sampled while one source hung");
}

/* Threads of this process whose name starts with `prefix`. */
static int threads_named(const char *prefix)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], name[32] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *fp = e->d_name[0] != '.' ? fopen(path, "r") : NULL;
		if (fp && fgets(name, sizeof(name), fp))
			n += strncmp(name, prefix, strlen(prefix)) == 0;
		if (fp)
			fclose(fp);
	}
	if (d)
		closedir(d);
	return n;
}

static json_t *result_of(struct em_monitor *mon)
{
	char *text = em_monitor_result_json(mon);
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return res;
}

/* The result after stop: the stuck source abandoned inside sample(), the
 * others complete with no missed deadline a busy pool would explain. */
static void check_result(struct fleet *f, const char *why)
{
	json_t *res = result_of(f->mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *mons = json_object_get(res, "monitors");
	const json_t *ab = json_object_get(json_object_get(mons, "hang:stuck"), "abandoned");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ab, "call")), "sample");
	ASSERT_CONTAINS(json_string_value(json_object_get(ab, "reason")), why);
	for (int i = 0; i < NHEALTHY; i++) {
		char id[32];
		snprintf(id, sizeof(id), "testpower:p%d", i);
		const json_t *src = json_object_get(mons, id);
		CU_ASSERT(json_is_true(json_object_get(src, "complete")));
		CU_ASSERT_PTR_NULL(json_object_get(src, "abandoned"));
		CU_ASSERT(json_integer_value(json_object_get(json_object_get(src, "sampling"), "samples")) >= 5);
	}
	json_decref(res);
}

/* Destroy before the plugin returns; then release it: the worker comes
 * back, finds its source abandoned, and the last reference (its own)
 * frees the pool and the source ('D': the instance destroyed). */
static void destroy_then_release(struct fleet *f)
{
	em_monitor_destroy(f->mon);
	em_config_free(f->cfg);
	CU_ASSERT_EQUAL(threads_abandoned_in("hang"), 1);
	close(f->release[1]);
	char c;
	while ((c = heard(f)) == 'S')
		;
	CU_ASSERT_EQUAL(c, 'D');
	wait_abandoned_gone("hang");
	close(f->release[0]);
	close(f->notify[0]);
	close(f->notify[1]);
}

static void test_a_hung_source_holds_one_worker_only(void)
{
	struct fleet f;
	CU_ASSERT_EQUAL_FATAL(fleet_create(&f, 2), 0);
	CU_ASSERT_EQUAL(heard(&f), 'S');
	CU_ASSERT_EQUAL(heard(&f), 'H');
	healthy_keep_sampling(&f, 5);
	/* two workers, no thread of a source's own */
	CU_ASSERT_EQUAL(threads_named("em:"), 2);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_stop(f.mon, &err), 0); /* waits its bound (5 s) for the stuck one */
	check_result(&f, "did not return within 5.0 s of stop");
	destroy_then_release(&f);
}

static void *abandon_soon(void *arg)
{
	struct fleet *f = arg;
	sleep_s(0.05);
	em_monitor_abandon(f->mon);
	return NULL;
}

/* The CLI's second Ctrl-C while stop waits for the stuck source. */
static void test_abandon_returns_with_a_hung_pooled_source(void)
{
	struct fleet f;
	CU_ASSERT_EQUAL_FATAL(fleet_create(&f, 3), 0);
	CU_ASSERT_EQUAL(heard(&f), 'S');
	CU_ASSERT_EQUAL(heard(&f), 'H');
	healthy_keep_sampling(&f, 3);
	pthread_t helper;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&helper, NULL, abandon_soon, &f), 0);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_stop(f.mon, &err), 0);
	pthread_join(helper, NULL);
	json_t *res = result_of(f.mon);
	const json_t *stuck = json_object_get(json_object_get(res, "monitors"), "hang:stuck");
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(stuck, "abandoned"), "reason")),
	                "em_monitor_abandon() gave up waiting");
	json_decref(res);
	destroy_then_release(&f);
}

int main(void)
{
	unsetenv("ENERGYMON_TEST_SAMPLER_THREADS");
	CU_TestInfo tests[] = {
		{"a hung source holds one worker only", test_a_hung_source_holds_one_worker_only},
		{"abandon returns with a hung pooled source", test_abandon_returns_with_a_hung_pooled_source},
		CU_TEST_INFO_NULL,
	};
	return run_suite("sampler pool, a hung source", tests);
}
