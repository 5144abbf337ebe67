/* The Prometheus page energymond serves, rendered from live snapshots of a
 * running testpower monitor (120 W "system", a package counter, a
 * temperature sensor): every value on the page is the snapshot's, in both
 * formats; hostile label bytes are escaped; a failing source shows up 0,
 * its errors by kind and no stale gauge. */
#include "../../agent/expo_text.h"
#include "../../agent/exposition.h"
#include "../support/cunit_run.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct em_monitor *started(const char *extra)
{
	char json[512];
	snprintf(json, sizeof(json),
	         "{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.02,"
	         " \"testpower_watts\": 120%s}", extra);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	int rc = em_config_load_string(json, &cfg, &err);
	if (!rc)
		rc = em_monitor_create_continuous(cfg, &mon, &err);
	if (!rc)
		rc = em_monitor_start(mon, &err);
	em_config_free(cfg);
	if (rc)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_EQUAL(rc, 0);
	return mon;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

/* The value of the page's line that starts with `prefix` (NAN: no such line). */
static double line_value(const char *page, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *l = page; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, n) && l[n] == ' ')
			return strtod(l + n + 1, NULL);
	return NAN;
}

#define POWER_LABELS "{source=\"testpower\",plugin=\"testpower\",metric=\"system\",scope=\"system\",index=\"0\",sensor=\"test\"}"

/* A snapshot with `min` power readings, and its page. */
static char *page_of(struct em_monitor *mon, enum expo_format f, struct em_live **live, uint64_t min)
{
	for (int i = 0; i < 5000; i++) {
		struct em_error err = {0};
		CU_ASSERT_EQUAL_FATAL(em_monitor_live(mon, live, &err), 0);
		struct em_live_series s = {.struct_size = sizeof(s)};
		for (size_t k = 0; em_live_series(*live, 0, k, &s) == 0; k++)
			if (!strcmp(s.key, "system") && s.readings >= min) {
				struct expo_self self = {.cpu_s = 1.5, .rss_bytes = 4096, .last_scrape_duration_s = NAN,
				                         .scrapes = 7};
				size_t len = 0;
				char *page = expo_render_live(*live, f, &self, &len);
				CU_ASSERT_PTR_NOT_NULL_FATAL(page);
				CU_ASSERT_EQUAL(strlen(page), len);
				return page;
			}
		em_live_free(*live);
		sleep_s(0.002);
	}
	CU_FAIL_FATAL("no snapshot with readings");
	return NULL;
}

static void test_text_page_is_the_snapshot(void)
{
	struct em_monitor *mon = started("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_live *live = NULL;
	char *page = page_of(mon, EXPO_TEXT_004, &live, 5);
	struct em_live_series s = {.struct_size = sizeof(s)};
	for (size_t k = 0; em_live_series(live, 0, k, &s) == 0; k++)
		if (!strcmp(s.key, "system"))
			break;
	if (getenv("EXPO_DUMP"))
		fputs(page, stderr);
	CU_ASSERT_EQUAL(line_value(page, "energymon_energy_joules_total" POWER_LABELS), s.energy_j);
	CU_ASSERT_EQUAL(line_value(page, "energymon_power_watts" POWER_LABELS), 120);
	CU_ASSERT_EQUAL(line_value(page, "energymon_last_sample_timestamp_seconds" POWER_LABELS), s.value_s);
	CU_ASSERT(s.energy_j > 0);
	CU_ASSERT_EQUAL(line_value(page, "energymon_up{source=\"testpower\",plugin=\"testpower\"}"), 1);
	CU_ASSERT_EQUAL(line_value(page, "energymon_sampling_interval_seconds{source=\"testpower\",plugin=\"testpower\"}"),
	                0.02);
	CU_ASSERT_DOUBLE_EQUAL(
		line_value(page, "energymon_temperature_celsius{source=\"testpower\",plugin=\"testpower\","
		                 "metric=\"temperature\",scope=\"sensor\",index=\"0\",sensor=\"CPU Temp\"}"),
		42.5, 1e-9);
	CU_ASSERT(line_value(page, "energymon_energy_joules_total{source=\"testpower\",plugin=\"testpower\","
	                           "metric=\"pkg\",scope=\"cpu_package\",index=\"0\",sensor=\"package-0\"}") > 0);
	CU_ASSERT_EQUAL(line_value(page, "energymon_process_cpu_seconds_total"), 1.5);
	CU_ASSERT_EQUAL(line_value(page, "energymon_scrapes_total"), 7);
	CU_ASSERT_EQUAL(line_value(page, "energymon_snapshot_timestamp_seconds"), em_live_taken(live));
	CU_ASSERT(isnan(line_value(page, "energymon_scrape_duration_seconds"))); /* NAN: left out */
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "# TYPE energymon_energy_joules_total counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "# TYPE energymon_power_watts gauge\n"));
	CU_ASSERT_PTR_NULL(strstr(page, "# EOF"));
	CU_ASSERT_PTR_NULL(strstr(page, "ipmi_")); /* not an ipmi source */
	/* each family's header appears once: its samples are together */
	const char *first = strstr(page, "# TYPE energymon_up ");
	CU_ASSERT_PTR_NOT_NULL(first);
	CU_ASSERT_PTR_NULL(first ? strstr(first + 1, "# TYPE energymon_up ") : NULL);
	free(page);
	em_live_free(live);
	em_monitor_destroy(mon);
}

static void test_openmetrics_page(void)
{
	struct em_monitor *mon = started("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_live *live = NULL;
	char *page = page_of(mon, EXPO_OPENMETRICS, &live, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "# TYPE energymon_energy_joules counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "# TYPE energymon_samples counter\n"));
	CU_ASSERT_PTR_NULL(strstr(page, "# TYPE energymon_energy_joules_total"));
	CU_ASSERT(line_value(page, "energymon_energy_joules_total" POWER_LABELS) > 0);
	size_t n = strlen(page);
	CU_ASSERT(n > 6 && !strcmp(page + n - 6, "# EOF\n"));
	free(page);
	em_live_free(live);
	em_monitor_destroy(mon);
}

/* Samples fail with ETIMEDOUT from 0.2 s on: up 0, timeouts counted, the
 * power gauge gone (stale), the energy counter still there. */
static void test_failing_source(void)
{
	struct em_monitor *mon = started(", \"testpower_fail_from\": 0.2, \"testpower_fail_to\": 1e9,"
	                                 " \"testpower_fail_errno\": \"ETIMEDOUT\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	char *page = NULL;
	for (int i = 0; i < 400; i++) {
		struct em_live *live = NULL;
		free(page);
		page = page_of(mon, EXPO_TEXT_004, &live, 1);
		em_live_free(live);
		if (line_value(page, "energymon_sample_errors_total{source=\"testpower\",plugin=\"testpower\",kind=\"timeout\"}") >= 3)
			break;
		sleep_s(0.01);
	}
	const char *src = "{source=\"testpower\",plugin=\"testpower\"";
	char key[256];
	snprintf(key, sizeof(key), "energymon_sample_errors_total%s,kind=\"timeout\"}", src);
	CU_ASSERT(line_value(page, key) >= 3);
	snprintf(key, sizeof(key), "energymon_sample_errors_total%s,kind=\"auth\"}", src);
	CU_ASSERT_EQUAL(line_value(page, key), 0);
	snprintf(key, sizeof(key), "energymon_up%s}", src);
	CU_ASSERT_EQUAL(line_value(page, key), 0);
	snprintf(key, sizeof(key), "energymon_sample_age_seconds%s}", src);
	CU_ASSERT(line_value(page, key) > 0);
	CU_ASSERT(isnan(line_value(page, "energymon_power_watts" POWER_LABELS)));
	CU_ASSERT(line_value(page, "energymon_energy_joules_total" POWER_LABELS) > 0);
	free(page);
	em_monitor_destroy(mon);
}

static void test_negotiation(void)
{
	CU_ASSERT_EQUAL(expo_negotiate(NULL), EXPO_TEXT_004);
	CU_ASSERT_EQUAL(expo_negotiate("*/*"), EXPO_TEXT_004);
	CU_ASSERT_EQUAL(expo_negotiate("text/plain"), EXPO_TEXT_004);
	/* what Prometheus 2.x sends */
	CU_ASSERT_EQUAL(expo_negotiate("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
	                               "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
	                EXPO_OPENMETRICS);
	CU_ASSERT_EQUAL(expo_negotiate("text/plain;version=0.0.4;q=0.9, application/openmetrics-text;q=0.5"),
	                EXPO_TEXT_004);
	CU_ASSERT_EQUAL(expo_negotiate("application/openmetrics-text;q=0"), EXPO_TEXT_004);
	CU_ASSERT_EQUAL(expo_negotiate("Application/OpenMetrics-Text"), EXPO_OPENMETRICS);
	CU_ASSERT_EQUAL(expo_negotiate("application/openmetrics-textual"), EXPO_TEXT_004);
	CU_ASSERT_STRING_EQUAL(expo_content_type(EXPO_TEXT_004), "text/plain; version=0.0.4; charset=utf-8");
}

static char *escaped(const char *v)
{
	struct expo_text t;
	expo_text_init(&t, 1 << 20);
	expo_text_label_value(&t, v);
	return t.buf ? t.buf : strdup("");
}

static void test_label_escaping(void)
{
	const struct { const char *in, *out; } cases[] = {
		{"CPU Temp", "CPU Temp"},
		{"a\"b\\c\nd", "a\\\"b\\\\c\\nd"},
		{"tab\there\x7f", "tab?here?"},
		{"caf\xc3\xa9", "caf\xc3\xa9"},   /* valid UTF-8 kept */
		{"bad\xff\xc3", "bad??"},        /* invalid bytes replaced */
		{"\xed\xa0\x80", "???"},          /* a surrogate is not UTF-8 */
		{"\xc0\xaf", "??"},               /* nor an overlong '/' */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = escaped(cases[i].in);
		CU_ASSERT_STRING_EQUAL(got, cases[i].out);
		free(got);
	}
}

static void test_numbers_and_cap(void)
{
	struct expo_text t;
	expo_text_init(&t, 1 << 20);
	expo_text_number(&t, 0.1);
	expo_text_put(&t, " ");
	expo_text_number(&t, 1.0 / 3);
	expo_text_put(&t, " ");
	expo_text_number(&t, INFINITY);
	CU_ASSERT_STRING_EQUAL(t.buf, "0.1 0.33333333333333331 +Inf");
	CU_ASSERT_EQUAL(strtod("0.33333333333333331", NULL), 1.0 / 3);
	free(t.buf);
	/* a page past its cap fails whole, never truncated */
	expo_text_init(&t, 64);
	for (int i = 0; i < 10; i++)
		expo_text_put(&t, "0123456789");
	CU_ASSERT(t.failed);
	CU_ASSERT_EQUAL(t.err, EFBIG);
	free(t.buf);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"the text page holds the snapshot's values", test_text_page_is_the_snapshot},
		{"OpenMetrics: counter families, # EOF", test_openmetrics_page},
		{"a failing source: up 0, errors by kind, no stale gauge", test_failing_source},
		{"Accept negotiation", test_negotiation},
		{"label values escaped, hostile bytes replaced", test_label_escaping},
		{"numbers round-trip; a page past its cap fails", test_numbers_and_cap},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("exposition", NULL, NULL, tests);
}
