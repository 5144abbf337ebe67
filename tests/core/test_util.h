/* Shared helpers for the host's CUnit tests. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include "energymon.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Run one suite verbosely; the exit status is non-zero on any failure. */
static inline int run_suite(const char *name, CU_TestInfo *tests)
{
	return cunit_run_suite(name, NULL, NULL, tests);
}

static inline void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

/* Build a monitor from JSON text, run it for `seconds`, return the parsed
 * result (NULL and a CUnit failure on any error; err gets the message). */
static inline json_t *measure(const char *config_json, double seconds, struct em_monitor **keep,
                              struct em_error *err)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	json_t *result = NULL;
	if (em_config_load_string(config_json, &cfg, err) != 0)
		return NULL;
	if (em_monitor_create(cfg, 0, &mon, err) == 0 && em_monitor_start(mon, err) == 0) {
		sleep_s(seconds);
		if (em_monitor_stop(mon, err) == 0) {
			char *text = em_monitor_result_json(mon);
			result = text ? json_loads(text, 0, NULL) : NULL;
			free(text);
		}
	}
	if (keep && result)
		*keep = mon;
	else
		em_monitor_destroy(mon);
	em_config_free(cfg);
	return result;
}

/* em_monitor_create from JSON text, the monitor destroyed at once: 0 or
 * the error (err gets the message). */
static inline int create_from_json(const char *config_json, struct em_error *err)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	int rc = em_config_load_string(config_json, &cfg, err);
	if (!rc)
		rc = em_monitor_create(cfg, 0, &mon, err);
	em_monitor_destroy(mon);
	em_config_free(cfg);
	return rc;
}

/* The same for {"lithops": {"energy_strategy": STRATEGY}}. */
static inline int create_with_strategy(const char *strategy, struct em_error *err)
{
	char json[256];
	snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": \"%s\"}}", strategy);
	return create_from_json(json, err);
}

/* measure() for `seconds`, keeping the monitor (NULL on any error). */
static inline struct em_monitor *run(const char *config_json, double seconds)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_decref(measure(config_json, seconds, &mon, &err));
	return mon;
}

/* A fresh directory /tmp/energymon-out-XXXXXX; dir gets its path with
 * "/" and `below` appended (not made: the writer makes it). */
static inline void fresh_output_dir(char *dir, size_t len, const char *below)
{
	char tmpl[] = "/tmp/energymon-out-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
	snprintf(dir, len, "%s/%s", tmpl, below);
}

/* result.monitors.NAME.energy.KEY as a double, NAN when absent or null */
static inline double energy_of(const json_t *res, const char *monitor, const char *key)
{
	const json_t *src = monitor ? json_object_get(json_object_get(res, "monitors"), monitor) : res;
	const json_t *v = json_object_get(json_object_get(src, "energy"), key);
	return json_is_number(v) ? json_number_value(v) : __builtin_nan("");
}

/* The name the host gives a thread it abandoned inside `plugin` (README):
 * "emab:" + the first 10 hex digits of the 64-bit FNV-1a hash of the name. */
static inline void abandoned_thread_name(const char *plugin, char out[16])
{
	uint64_t h = 0xcbf29ce484222325u;
	for (const unsigned char *p = (const unsigned char *)plugin; *p; p++)
		h = (h ^ *p) * 0x100000001b3u;
	snprintf(out, 16, "emab:%010llx", (unsigned long long)(h >> 24));
}

/* Threads of this process abandoned inside `plugin`, by their name. */
static inline int threads_abandoned_in(const char *plugin)
{
	char comm[16];
	abandoned_thread_name(plugin, comm);
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], name[32] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = e->d_name[0] != '.' ? fopen(path, "r") : NULL;
		if (f && fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			n += strcmp(name, comm) == 0;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

/* Wait (on the condition, polling each millisecond) until no thread is
 * abandoned inside `plugin`: each has finished and freed what it held. */
static inline void wait_abandoned_gone(const char *plugin)
{
	while (threads_abandoned_in(plugin) > 0)
		sleep_s(0.001);
}

#define ASSERT_CONTAINS(haystack, needle)                                                                   \
	do {                                                                                                 \
		const char *h_ = (haystack);                                                                 \
		if (!h_ || !strstr(h_, needle))                                                              \
			fprintf(stderr, "\n    expected \"%s\" in \"%s\"\n", needle, h_ ? h_ : "(null)");      \
		CU_ASSERT_PTR_NOT_NULL(h_ ? strstr(h_, needle) : NULL);                                      \
	} while (0)

/* The config is refused, by em_config_load_string or em_monitor_create,
 * with an error code it returns and `needle` in the message. */
static inline void expect_error(const char *config_json, const char *needle)
{
	struct em_error err = {0};
	int rc = create_from_json(config_json, &err);
	CU_ASSERT(rc < 0);
	CU_ASSERT_EQUAL(err.code, rc);
	ASSERT_CONTAINS(err.message, needle);
}

/* The test plugin `name` from ENERGYMON_TEST_PLUGIN_DIR into `dir`.
 * Copies, not symlinks: the loader judges where a plugin really lives. */
static inline void copy_test_plugin(const char *dir, const char *name)
{
	char src[PATH_MAX], dst[PATH_MAX], buf[65536];
	snprintf(src, sizeof(src), "%s/%s.so", getenv("ENERGYMON_TEST_PLUGIN_DIR"), name);
	snprintf(dst, sizeof(dst), "%s/%s.so", dir, name);
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	CU_ASSERT_FATAL(in >= 0 && out >= 0);
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CU_ASSERT_FATAL(write(out, buf, (size_t)n) == n);
	close(in);
	close(out);
}

#endif
