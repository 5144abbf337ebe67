/*
 * test_secrets.c — the BMC password never shows: not in the command line of
 * any process on the machine while the plugin runs (the plugin starts none;
 * the simulated BMC and its probes get it through files), not in the log,
 * errors, notes or readings, not in the SDR cache. Both the right password
 * and a wrong one are checked, from a file and from the environment.
 */
#include "../support/cunit_run.h"
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipmi_fixture.h"

#define SECRET "Qz7-kW2p!Rt9-vLx4"  /* the BMC's password: 17 characters */
#define WRONG_SECRET "Nope-8Hj3-Tq5-Wz1" /* a wrong one, which must not leak either */

/* 1 if `needle` occurs in the first `len` bytes of `buf` (which may hold NULs). */
static int contains(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return 1;
	return 0;
}

static int file_contains(const char *path, const char *needle)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 && contains(buf, (size_t)n, needle);
}

/* How many processes have `needle` in /proc/PID/cmdline. */
static int processes_showing(const char *needle)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return 0;
	int found = 0;
	for (struct dirent *e; (e = readdir(proc));) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if (file_contains(path, needle)) {
			printf("\n  pid %s shows the password on its command line", e->d_name);
			found++;
		}
	}
	closedir(proc);
	return found;
}

static void assert_nothing_shows(const struct harness *h, const char *secret)
{
	CU_ASSERT_PTR_NULL(strstr(h->log, secret));
	CU_ASSERT_PTR_NULL(strstr(h->error, secret));
	for (size_t i = 0; i < h->nnotes; i++)
		CU_ASSERT_PTR_NULL(strstr(h->notes[i].text, secret));
	for (size_t i = 0; i < h->nreadings; i++)
		CU_ASSERT_PTR_NULL(strstr(h->readings[i].sensor, secret));
	CU_ASSERT_EQUAL(processes_showing(secret), 0);
}

/* Sample every `interval_s` until `wanted` samples succeed or `max_ticks`
 * were tried; returns how many succeeded. A condition, not a fixed wait:
 * the reconnect takes as long as it takes. */
static size_t samples_after_restart(struct harness *h, size_t wanted, int max_ticks, double interval_s)
{
	size_t ok = 0;
	for (int tick = 0; tick < max_ticks && ok < wanted; tick++) {
		if (h->plugin->sample(h->instance) == 0)
			ok++;
		struct timespec ts = {0, (long)(interval_s * 1e9)};
		nanosleep(&ts, NULL);
	}
	return ok;
}

static void test_password_never_shows(void)
{
	struct simbmc bmc;
	struct simbmc_options opts = {.password = SECRET};
	if (ipmi_fixture_start_bmc(&bmc, &opts))
		return;
	CU_ASSERT_EQUAL(processes_showing(SECRET), 0); /* the BMC was started without it in argv */

	/* Right password from a file: a full run, with a restart (reconnect) in it. */
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load(&h, &bmc, 0.05), 0);
	harness_set(&h, "ipmi_sensor_interval", "0.1");
	harness_set(&h, "ipmi_timeout", "0.5");
	setenv("HARNESS_VERBOSE", "1", 1); /* log lines also go to stderr, which meson keeps */
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	h.plugin->start(h.instance);
	CU_ASSERT_EQUAL(ipmi_fixture_sample_loop(&h, 10, 0.05), 0);
	assert_nothing_shows(&h, SECRET);
	CU_ASSERT_EQUAL(simbmc_restart(&bmc), 0);
	size_t ok_after = samples_after_restart(&h, 5, 100, 0.05);
	printf("\n  %zu successful samples after the restart\n", ok_after);
	CU_ASSERT_EQUAL(ok_after, 5); /* it reconnected, so the password went over the wire again */
	CU_ASSERT_EQUAL(h.plugin->stop(h.instance), 0);
	CU_ASSERT_EQUAL(h.plugin->get_data(h.instance), 0);
	/* A new session after the restart: a reconnect when a request met the
	 * dead session, an idle replacement when the restart took longer than
	 * the session may sit idle (bmc_session_keep_s). Either way the
	 * password went over the wire again. */
	const struct harness_note *reconnects = harness_note(&h, "reconnects");
	const struct harness_note *refreshes = harness_note(&h, "idle_session_refreshes");
	CU_ASSERT_FATAL(reconnects && refreshes);
	CU_ASSERT(reconnects->number + refreshes->number >= 1);
	assert_nothing_shows(&h, SECRET);

	/* The SDR cache holds sensor records, not credentials. */
	char cache[sizeof(bmc.dir) + 64];
	snprintf(cache, sizeof(cache), "%s/sdr-cache", bmc.dir);
	DIR *d = opendir(cache);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	int files = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char path[sizeof(cache) + 300];
		snprintf(path, sizeof(path), "%s/%s", cache, e->d_name);
		CU_ASSERT_FALSE(file_contains(path, SECRET));
		files++;
	}
	closedir(d);
	CU_ASSERT(files >= 1);
	harness_close(&h);

	/* A wrong password from the environment: the failure says so without it. */
	setenv("ENERGYMON_TEST_BMC_PW", WRONG_SECRET, 1);
	CU_ASSERT_EQUAL_FATAL(harness_load(&h, "ipmi"), 0);
	harness_set(&h, "ipmi_host", bmc.host);
	harness_set(&h, "ipmi_username", bmc.user);
	harness_set(&h, "ipmi_password_env", "ENERGYMON_TEST_BMC_PW");
	harness_set(&h, "ipmi_workarounds", "opensesspriv");
	CU_ASSERT(harness_create(&h) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.error, "ENERGYMON_TEST_BMC_PW"));
	assert_nothing_shows(&h, WRONG_SECRET);
	assert_nothing_shows(&h, SECRET);
	harness_close(&h);
	unsetenv("ENERGYMON_TEST_BMC_PW");
	unsetenv("HARNESS_VERBOSE");
	simbmc_cleanup(&bmc);
}

/* How many times `needle` occurs in `text`. */
static int occurrences(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A password file others can read is worth one warning, though the host
 * reads it twice (probe(), then create()): said by create() only. */
static void test_a_readable_password_file_is_warned_once(void)
{
	struct simbmc bmc;
	if (ipmi_fixture_start_bmc(&bmc, NULL))
		return;
	char shared[sizeof(bmc.dir) + 32];
	snprintf(shared, sizeof(shared), "%s/password-0644", bmc.dir);
	char pw[64] = "";
	int in = open(bmc.password_file, O_RDONLY), out = open(shared, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n = in >= 0 ? read(in, pw, sizeof(pw) - 1) : -1;
	CU_ASSERT_FATAL(n > 0 && out >= 0 && write(out, pw, (size_t)n) == n);
	close(in);
	close(out);
	CU_ASSERT_EQUAL(chmod(shared, 0644), 0);
	struct harness h;
	CU_ASSERT_EQUAL_FATAL(ipmi_fixture_load_as(&h, &bmc, 0.5, bmc.user, shared), 0);
	CU_ASSERT_EQUAL(harness_probe(&h), 0);
	CU_ASSERT_EQUAL_FATAL(harness_create(&h), 0);
	CU_ASSERT_EQUAL(occurrences(h.log, "is readable by other users (mode 644)"), 1);
	harness_close(&h);
	simbmc_cleanup(&bmc);
}

int main(void)
{
	ipmi_fixture_require_bmc();
	CU_TestInfo tests[] = {
		{"the password never shows", test_password_never_shows},
		{"a readable password file is warned once", test_a_readable_password_file_is_warned_once},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi secrets", NULL, NULL, tests);
}
