/* test_files.c — which files the report reads, which it skips, and how it
 * says so; usage and directory errors. */
#include <CUnit/Basic.h>
#include <string.h>

#include "report_fixture.h"
#include "../support/cunit_run.h"

static const char good_trace[] =
	"{\"energy_consumption\": {\"job_key\": \"j_with_underscore\", \"call_id\": \"7\", "
	"\"energy_system\": 12.5, \"avg_power\": 5.0, \"duration\": 2.5, \"source\": \"ipmi\"}}";

static void test_unknown_files_are_named_in_warnings(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_with_underscore_7_ipmi.json", good_trace), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "notes.txt", "hello\n"), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "broken_0_perf.json", "{\"energy_consumption\": "), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "other_0_ipmi.json", "{\"something\": 1}"), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "x_1_gpu.json", good_trace), 0);
	/* Derived and temporary files are understood: no warning. */
	CU_ASSERT_EQUAL(fixture_write(&dir, "ipmi_summary.jsonl",
		"{\"job_key\": \"j_with_underscore\", \"call_id\": \"7\"}\n"), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "ipmi_summary.json", "[]"), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_with_underscore_7_composite.json", "{}"), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, ".j_7_ipmi.json.tmp123", "{"), 0);

	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "warning: ignoring "));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "/notes.txt: not named"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "/broken_0_perf.json: not JSON"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "/other_0_ipmi.json: no \"energy_consumption\""));
	/* any source is read, but a name must match the ids inside */
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "/x_1_gpu.json: its name is not {job_key}_{call_id}_{source}.json "
	                                       "for the job_key \"j_with_underscore\" and call_id \"7\""));
	CU_ASSERT_PTR_NULL(strstr(cap.err, "summary"));
	CU_ASSERT_PTR_NULL(strstr(cap.err, "composite"));
	CU_ASSERT_PTR_NULL(strstr(cap.err, "tmp123"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "1 per-call file(s); 3 summary/composite file(s) "
	                                       "not counted again; 4 file(s) ignored\n"));
	CU_ASSERT_EQUAL(fixture_summary_value(cap.out, "ipmi", "total_system_energy"), 12.5);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

/* The JSON Lines log the writers append to: one call with its file, one
 * whose file is gone, one torn line. */
static void test_summary_log_is_checked_against_files(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "j_with_underscore_7_ipmi.json", good_trace), 0);
	CU_ASSERT_EQUAL(fixture_write(&dir, "ipmi_summary.jsonl",
		"{\"job_key\": \"j_with_underscore\", \"call_id\": \"7\", \"source\": \"ipmi\"}\n"
		"{\"job_key\": \"j_with_underscore\", \"call_id\": \"8\", \"source\": \"ipmi\"}\n"
		"{\"job_key\": \"j_wi\n"), 0);
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.out, "  summary_log: 2 call(s) in ipmi_summary.jsonl, "
	                                       "1 without a per-call file, 1 unreadable line(s)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "ipmi_summary.jsonl line 2: call "
	                                       "j_with_underscore/8 has no per-call file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "ipmi_summary.jsonl line 3 is not a summary record "
	                                       "(not JSON: a torn write?)"));
	/* The summary's numbers come from the per-call files only. */
	CU_ASSERT_EQUAL(fixture_summary_value(cap.out, "ipmi", "total_traces"), 1);
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

static void test_empty_directory_fails_with_reason(void)
{
	struct fixture_dir dir;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&dir), 0);
	struct report_capture cap;
	const char *args[] = {dir.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "no per-call energy files in "));
	fixture_capture_free(&cap);
	fixture_dir_remove(&dir);
}

static void test_missing_directory_names_it(void)
{
	struct report_capture cap;
	const char *args[] = {"/nonexistent/energy_data", NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "/nonexistent/energy_data: No such file"));
	fixture_capture_free(&cap);
}

static void test_usage_errors(void)
{
	static const char *const cases[][4] = {
		{NULL},
		{"--bogus", "dir", NULL},
		{"a", "b", NULL},
		{"--plot", "x.gif", "dir", NULL},
		{"--source", "no/such", "dir", NULL},
		{"dir", "--metrics-csv", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct report_capture cap;
		CU_ASSERT_EQUAL_FATAL(fixture_run_report(cases[i], &cap), 0);
		CU_ASSERT_EQUAL(cap.status, 2);
		CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "report: "));
		CU_ASSERT_STRING_EQUAL(cap.out, "");
		fixture_capture_free(&cap);
	}
	struct report_capture help;
	const char *args[] = {"--help", NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &help), 0);
	CU_ASSERT_EQUAL(help.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(help.out, "usage: energymon report"));
	fixture_capture_free(&help);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("report files", NULL, NULL);
	CU_add_test(suite, "unknown files named in warnings", test_unknown_files_are_named_in_warnings);
	CU_add_test(suite, "summary log checked against files", test_summary_log_is_checked_against_files);
	CU_add_test(suite, "empty directory fails with reason", test_empty_directory_fails_with_reason);
	CU_add_test(suite, "missing directory named", test_missing_directory_names_it);
	CU_add_test(suite, "usage errors", test_usage_errors);
	return cunit_run_registered();
}
