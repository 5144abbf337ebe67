/* test_edges.c — a report over a directory others can write to, and over
 * numbers that do not add up: planted links and FIFOs, a file too large to
 * parse, an overflowing sum, negative values, no files at all, and times
 * 2 ms apart in the CSV. */
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/cunit_run.h"
#include "../support/plant.h"
#include "report_fixture.h"

#define TRACE(call, energy, duration)                                                                  \
	"{\"energy_consumption\": {\"job_key\": \"j\", \"call_id\": \"" call "\", \"energy_system\": " energy \
	", \"duration\": " duration ", \"source\": \"ipmi\"}}"

/* A root-only file linked in as a per-call file, a FIFO as the summary log
 * and as a per-call file, a link as the CSV output: none is read, waited on
 * or written through. alarm() only keeps a hang from hanging CI. */
static void test_planted_links_and_fifos_are_refused(void)
{
	/* under /tmp whatever TMPDIR says: uid 65534 must reach it */
	struct fixture_dir dir = {"/tmp/energymon-report-shared-XXXXXX"}, secret_dir;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir.path));
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&secret_dir), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(dir.path, 01777), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_0_ipmi.json", TRACE("0", "10.0", "1.0")), 0);
	CU_ASSERT_EQUAL(fixture_write(&secret_dir, "secret", TRACE("1", "1000.0", "1.0")), 0);
	char secret[512], path[512], csv[512];
	fixture_path(&secret_dir, "secret", secret, sizeof secret);
	fixture_path(&dir, "j_1_ipmi.json", path, sizeof path);
	CU_ASSERT_FATAL(plant_as_nobody(plant_symlink, path, secret));
	fixture_path(&dir, "j_2_ipmi.json", path, sizeof path);
	CU_ASSERT_FATAL(plant_as_nobody(plant_fifo, path, NULL));
	fixture_path(&dir, "ipmi_summary.jsonl", path, sizeof path);
	CU_ASSERT_FATAL(plant_as_nobody(plant_fifo, path, NULL));
	fixture_path(&dir, "m.csv", csv, sizeof csv);
	CU_ASSERT_FATAL(plant_as_nobody(plant_symlink, csv, secret));

	struct report_capture cap;
	const char *args[] = {"--metrics-csv", csv, dir.path, NULL};
	alarm(60);
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	alarm(0);
	CU_ASSERT_EQUAL(cap.status, 1); /* the CSV could not be written */
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "j_1_ipmi.json: a symbolic link"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "j_2_ipmi.json: a FIFO"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "ipmi_summary.jsonl: a FIFO"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "m.csv: a symbolic link"));
	/* only the real file is counted; the secret is neither read nor written */
	CU_ASSERT_EQUAL(fixture_summary_value(cap.out, "ipmi", "total_system_energy"), 10.0);
	char *kept = fixture_read_file(secret, NULL);
	CU_ASSERT_STRING_EQUAL(kept, TRACE("1", "1000.0", "1.0"));
	free(kept);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
	fixture_dir_remove(&secret_dir);
}

/* Larger than the cap (sparse, so the test writes nothing): refused by name,
 * never parsed. */
static void test_a_file_over_the_cap_is_refused_by_name(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_0_ipmi.json", TRACE("0", "10.0", "1.0")), 0);
	char big[512];
	fixture_path(&dir, "j_1_ipmi.json", big, sizeof big);
	int fd = open(big, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(ftruncate(fd, (off_t)65 << 20), 0);
	close(fd);
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "j_1_ipmi.json: 68157440 bytes, more than the 64 MiB"));
	CU_ASSERT_EQUAL(fixture_summary_value(cap.out, "ipmi", "total_system_energy"), 10.0);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

/* The summary log is not size-capped (it grows with every call) but its
 * lines are: a 200 KiB line costs no more memory and is named. */
static void test_an_overlong_summary_line_is_skipped_by_number(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_0_ipmi.json", TRACE("0", "10.0", "1.0")), 0);
	size_t n = 200 * 1024;
	char *log = malloc(n + 128);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	memset(log, 'x', n);
	snprintf(log + n, 128, "\n{\"job_key\": \"j\", \"call_id\": \"0\", \"source\": \"ipmi\"}\n");
	CU_ASSERT_EQUAL(fixture_write(&dir, "ipmi_summary.jsonl", log), 0);
	free(log);
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "ipmi_summary.jsonl line 1 is longer than 64 KiB"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "summary_log: 1 call(s) in ipmi_summary.jsonl, 0 without a per-call "
	                                       "file, 1 unreadable line(s)"));
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

/* A summary log of NUL bytes only (a zeroed block after a crash) is an
 * unreadable line, warned and counted, not an empty log read silently. */
static void test_a_summary_log_of_nul_bytes_is_unreadable(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_0_ipmi.json", TRACE("0", "10.0", "1.0")), 0);
	char path[4096];
	snprintf(path, sizeof path, "%s/ipmi_summary.jsonl", dir.path);
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static const char zeros[100];
	CU_ASSERT_EQUAL(fwrite(zeros, 1, sizeof zeros, f), sizeof zeros);
	fclose(f);
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "ipmi_summary.jsonl line 1 holds NUL bytes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "1 unreadable line(s)"));
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

static void test_an_overflowing_total_is_null_with_a_warning(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_0_ipmi.json", TRACE("0", "1.5e308", "1.0")), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_1_ipmi.json", TRACE("1", "1.5e308", "1.0")), 0);
	struct report_capture cap;
	const char *args[] = {"--json", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	json_t *doc = json_loads(cap.out, 0, NULL);
	const json_t *ipmi = json_object_get(json_object_get(doc, "sources"), "ipmi");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(ipmi, "total_system_energy"));
	CU_ASSERT(json_is_null(json_object_get(ipmi, "total_system_energy")));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "warning: ipmi: total_system_energy: the sum exceeds the range"));
	json_decref(doc);
	fixture_capture_free(&cap);
	const char *text[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(text, &cap), 0);
	CU_ASSERT_PTR_NULL(strstr(cap.out, "inf"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "total_system_energy: n/a (the sum exceeds the range"));
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

static void test_negative_values_are_named_and_not_summed(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_0_ipmi.json", TRACE("0", "10.0", "2.0")), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_1_ipmi.json", TRACE("1", "-4.0", "-1.0")), 0);
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "j_1_ipmi.json: energy_system is negative (-4 J): not counted"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "j_1_ipmi.json: duration is negative (-1 s): not counted"));
	CU_ASSERT_EQUAL(fixture_summary_value(cap.out, "ipmi", "total_system_energy"), 10.0);
	CU_ASSERT_EQUAL(fixture_summary_value(cap.out, "ipmi", "traces_without_energy"), 1.0);
	CU_ASSERT_EQUAL(fixture_summary_value(cap.out, "ipmi", "total_duration"), 2.0);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

static void test_json_of_an_empty_dir_is_a_document(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	struct report_capture cap;
	const char *args[] = {"--json", dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	json_t *doc = json_loads(cap.out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(doc);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "per_call_files")), 0);
	CU_ASSERT_EQUAL(json_object_size(json_object_get(doc, "sources")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "no per-call energy files"));
	json_decref(doc);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

/* Times as energymon writes them (1 us): 2 ms apart stay apart, to 1 us. */
static void test_csv_times_keep_microseconds(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_0_ipmi.json",
		"{\"energy_consumption\": {\"job_key\": \"j\", \"call_id\": \"0\", \"timestamp\": 1796088173.356689,"
		" \"energy_system\": 1.0, \"duration\": 0.004, \"source\": \"ipmi\"}, \"power_readings\": ["
		"{\"timestamp\": 1796088173.356689, \"power\": 100}, {\"timestamp\": 1796088173.358689, \"power\": 100},"
		"{\"timestamp\": 1796088173.360689, \"power\": 100}]}"), 0);
	char csv[512];
	fixture_path(&dir, "p.csv", csv, sizeof csv);
	struct report_capture cap;
	const char *args[] = {"--power-csv", csv, dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	char *text = fixture_read_file(csv, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	const double want[] = {1796088173.356689, 1796088173.358689, 1796088173.360689};
	const char *row = strchr(text, '\n');
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(row);
		double t = 0, p = 0;
		CU_ASSERT_EQUAL(sscanf(row + 1, "j,0,,ipmi,%lf,%lf", &t, &p), 2);
		CU_ASSERT_DOUBLE_EQUAL(t, want[i], 1e-6);
		row = strchr(row + 1, '\n');
	}
	free(text);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite suite = CU_add_suite("report edges", NULL, NULL);
	CU_add_test(suite, "planted links and FIFOs are refused", test_planted_links_and_fifos_are_refused);
	CU_add_test(suite, "a file over the cap is refused by name", test_a_file_over_the_cap_is_refused_by_name);
	CU_add_test(suite, "an overlong summary line is skipped by number",
	            test_an_overlong_summary_line_is_skipped_by_number);
	CU_add_test(suite, "a summary log of NUL bytes is unreadable", test_a_summary_log_of_nul_bytes_is_unreadable);
	CU_add_test(suite, "an overflowing total is null with a warning",
	            test_an_overflowing_total_is_null_with_a_warning);
	CU_add_test(suite, "negative values are named and not summed", test_negative_values_are_named_and_not_summed);
	CU_add_test(suite, "json of an empty dir is a document", test_json_of_an_empty_dir_is_a_document);
	CU_add_test(suite, "csv times keep microseconds", test_csv_times_keep_microseconds);
	return cunit_run_registered();
}
