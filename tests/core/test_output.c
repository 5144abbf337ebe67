/* Files on the real filesystem: names, modes, Lithops keys, atomicity, and
 * concurrent writers sharing one summary. */
#include "test_util.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[PATH_MAX];

static void make_dir(void)
{
	fresh_output_dir(dir, sizeof(dir), "energy_data/nested");
}
static json_t *load(const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return json_load_file(path, 0, NULL);
}

static void test_files_names_modes_and_lithops_keys(void)
{
	make_dir();
	umask(077); /* the files must still be 0644 and the dirs 0755 */
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": [\"testpower\", \"testcpu\"]},"
	                             " \"energy_sampling_interval\": 0.05, \"energy_function_name\": \"f\"}", 0.3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "M000", "00003", &err), 0);
	umask(022);
	struct stat st;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/M000_00003_testpower.json", dir);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	CU_ASSERT_EQUAL(stat(dir, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0755);
	json_t *f = load("M000_00003_testpower.json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const json_t *ec = json_object_get(f, "energy_consumption");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ec, "job_key")), "M000");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ec, "call_id")), "00003");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ec, "function_name")), "f");
	CU_ASSERT(json_number_value(json_object_get(ec, "energy_system")) > 0);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(ec, "avg_power")), 100, 1e-9);
	CU_ASSERT(json_is_number(json_object_get(ec, "power_std_dev")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(ec, "avg_cpu_temp")), 42.5, 1e-9);
	CU_ASSERT(json_array_size(json_object_get(f, "power_readings")) >= 5);
	const json_t *r0 = json_array_get(json_object_get(f, "power_readings"), 0);
	CU_ASSERT(json_number_value(json_object_get(r0, "timestamp")) > 1.6e9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(r0, "power")), 100, 1e-12);
	const json_t *t0 = json_array_get(json_object_get(f, "temperature_readings"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "sensor")), "CPU Temp");
	json_decref(f);
	f = load("M000_00003_composite.json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(json_is_object(json_object_get(json_object_get(f, "monitors"), "testcpu")));
	CU_ASSERT(json_number_value(json_object_get(json_object_get(f, "energy_consumption"), "energy_attributed_system")) > 0);
	json_decref(f);
	/* no temporary file is left behind */
	DIR *d = opendir(dir);
	struct dirent *e;
	int hidden = 0;
	while ((e = readdir(d)))
		hidden += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	CU_ASSERT_EQUAL(hidden, 0);
	em_monitor_destroy(mon);
}

static void test_placeholder_file_has_null_energy_and_reason(void)
{
	make_dir();
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\":"
	                             " 0.05, \"testpower_silent\": true}", 0.15);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "J", "0", &err), 0);
	json_t *f = load("J_0_testpower.json");
	const json_t *ec = json_object_get(f, "energy_consumption");
	CU_ASSERT(json_is_true(json_object_get(ec, "placeholder")));
	CU_ASSERT(json_is_string(json_object_get(ec, "reason")));
	/* the energy it owes is there, as null: absent or 0 would both be wrong */
	CU_ASSERT_PTR_NOT_NULL(json_object_get(ec, "energy_system"));
	CU_ASSERT(json_is_null(json_object_get(ec, "energy_system")));
	CU_ASSERT(json_is_false(json_object_get(ec, "complete")));
	CU_ASSERT(json_is_null(json_object_get(ec, "covered_s")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(f, "power_readings")), 0);
	json_decref(f);
	em_monitor_destroy(mon);
	/* when the plugin said why at stop (perf: a counter still dead), that is the reason */
	mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.05,"
	          " \"testpower_silent\": true, \"testpower_fail_stop\": true}", 0.1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "J", "1", &err), 0);
	f = load("J_1_testpower.json");
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(f, "energy_consumption"), "reason")),
	                "simulated stop failure: nothing left to measure");
	json_decref(f);
	em_monitor_destroy(mon);
}

static void test_declared_energy_never_measured_is_null(void)
{
	make_dir();
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\":"
	                             " 0.05, \"testpower_no_package\": true}", 0.15);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "J", "0", &err), 0);
	json_t *f = load("J_0_testpower.json");
	const json_t *ec = json_object_get(f, "energy_consumption");
	CU_ASSERT(json_is_false(json_object_get(ec, "placeholder")));
	CU_ASSERT(json_number_value(json_object_get(ec, "energy_system")) > 0);
	/* declared (cpu_package) but never read: named, as null, never absent or 0 */
	CU_ASSERT_PTR_NOT_NULL(json_object_get(ec, "energy_pkg"));
	CU_ASSERT(json_is_null(json_object_get(ec, "energy_pkg")));
	json_decref(f);
	em_monitor_destroy(mon);
}

static void test_named_source_that_cannot_run_still_gets_its_file(void)
{
	make_dir();
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": [\"testpower\", \"unavailable\"]},"
	                             " \"energy_sampling_interval\": 0.05, \"energy_allow_unavailable\": true}", 0.15);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "J", "1", &err), 0);
	json_t *f = load("J_1_unavailable.json");
	const json_t *ec = json_object_get(f, "energy_consumption");
	CU_ASSERT(json_is_true(json_object_get(ec, "placeholder")));
	ASSERT_CONTAINS(json_string_value(json_object_get(ec, "reason")), "/dev/nothing does not exist");
	json_decref(f);
	f = load("J_1_testpower.json");
	CU_ASSERT(json_number_value(json_object_get(json_object_get(f, "energy_consumption"), "energy_system")) > 0);
	json_decref(f);
	em_monitor_destroy(mon);
	/* with nothing that can run, the run still happens and says why */
	mon = run("{\"lithops\": {\"energy_strategy\": \"unavailable\"}, \"energy_allow_unavailable\": true}", 0.05);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "J", "2", &err), 0);
	f = load("J_2_composite.json");
	CU_ASSERT(json_is_true(json_object_get(f, "placeholder")));
	json_decref(f);
	em_monitor_destroy(mon);
}

static void test_bad_job_key_is_named(void)
{
	make_dir();
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\":"
	                             " 0.05}", 0.1);
	struct em_error err = {0};
	CU_ASSERT(em_monitor_write_files(mon, dir, "../escape", "0", &err) < 0);
	ASSERT_CONTAINS(err.message, "job_key: '../escape'");
	em_monitor_destroy(mon);
}

static void test_concurrent_writers_never_corrupt_the_summary(void)
{
	make_dir();
	enum { WRITERS = 16, CALLS = 5 };
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"},"
			                             " \"energy_sampling_interval\": 0.01}", 0.03);
			struct em_error err = {0};
			int bad = !mon;
			for (int c = 0; mon && c < CALLS; c++) {
				char call[16], job[16];
				snprintf(job, sizeof(job), "W%02d", w);
				snprintf(call, sizeof(call), "%05d", c);
				bad |= em_monitor_write_files(mon, dir, job, call, &err) != 0;
			}
			em_monitor_destroy(mon);
			_exit(bad);
		}
	}
	int failures = 0, status;
	while (wait(&status) > 0)
		failures += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	CU_ASSERT_EQUAL(failures, 0);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/testpower_summary.jsonl", dir);
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[65536];
	int lines = 0, valid = 0;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		json_t *j = json_loads(line, 0, NULL);
		valid += j != NULL;
		json_decref(j);
	}
	fclose(f);
	CU_ASSERT_EQUAL(lines, WRITERS * CALLS);
	CU_ASSERT_EQUAL(valid, WRITERS * CALLS);
	json_t *one = load("W15_00004_testpower.json");
	CU_ASSERT_PTR_NOT_NULL(one);
	json_decref(one);
}

/* ---- times, completeness ---- */

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_t *last_summary_line(const char *source)
{
	char path[PATH_MAX], line[65536];
	snprintf(path, sizeof(path), "%s/%s_summary.jsonl", dir, source);
	FILE *f = fopen(path, "r");
	json_t *last = NULL;
	while (f && fgets(line, sizeof(line), f)) {
		json_decref(last);
		last = json_loads(line, 0, NULL);
	}
	if (f)
		fclose(f);
	return last;
}

/* Readings 2 ms apart keep distinct times, and the start time written is
 * the one the clock showed around em_monitor_start() to within 1 us. */
static void test_times_are_written_to_the_microsecond(void)
{
	make_dir();
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": \"testpower\"},"
	                                            " \"energy_sampling_interval\": 0.002}", &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	double before = wall_now();
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	double after = wall_now();
	sleep_s(0.2);
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(mon, dir, "T", "0", &err), 0);
	json_t *f = load("T_0_testpower.json");
	const json_t *readings = json_object_get(f, "power_readings");
	size_t close_pairs = 0; /* distinct readings taken less than 4 ms apart */
	for (size_t i = 1; i < json_array_size(readings); i++) {
		double t0 = json_number_value(json_object_get(json_array_get(readings, i - 1), "timestamp"));
		double t1 = json_number_value(json_object_get(json_array_get(readings, i), "timestamp"));
		/* readings less than 1 us apart (a stop-time sample and stop()'s own
		 * reading) may print alike; samples 2 ms apart must not */
		CU_ASSERT(t1 >= t0);
		close_pairs += t1 > t0 && t1 - t0 < 0.004;
	}
	CU_ASSERT(close_pairs >= 5);
	double file_ts = json_number_value(json_object_get(json_object_get(f, "energy_consumption"), "timestamp"));
	CU_ASSERT(file_ts >= before - 1e-6 && file_ts <= after + 1e-6);
	json_t *line = last_summary_line("testpower");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(line, "timestamp")), file_ts, 1e-6);
	char *text = em_monitor_result_json(mon);
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	double json_ts = json_number_value(json_object_get(json_object_get(json_object_get(res, "monitors"), "testpower"),
	                                                   "timestamp"));
	CU_ASSERT(json_ts >= before - 1e-6 && json_ts <= after + 1e-6);
	free(text);
	json_decref(res);
	json_decref(line);
	json_decref(f);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

static void test_a_run_with_gaps_says_it_is_incomplete(void)
{
	make_dir();
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\":"
	                             " 0.02, \"testpower_fail_from\": 0.1, \"testpower_fail_to\": 0.3}", 0.5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(mon, dir, "G", "0", &err), 0);
	json_t *f = load("G_0_testpower.json");
	const json_t *ec = json_object_get(f, "energy_consumption");
	CU_ASSERT(json_is_false(json_object_get(ec, "complete")));
	double covered = json_number_value(json_object_get(ec, "covered_s"));
	double duration = json_number_value(json_object_get(ec, "duration"));
	/* 0.2 s of failed samples cannot be covered */
	CU_ASSERT(covered > 0 && covered <= duration - 0.15);
	/* the energy is what the covered time holds at the plugin's constant 100 W */
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(ec, "energy_system")), 100 * covered, 1e-6);
	json_t *line = last_summary_line("testpower");
	CU_ASSERT(json_is_false(json_object_get(line, "complete")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(line, "covered_s")), covered, 1e-9);
	json_decref(line);
	json_decref(f);
	f = load("G_0_composite.json");
	ec = json_object_get(f, "energy_consumption");
	CU_ASSERT(json_is_false(json_object_get(ec, "complete")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(ec, "covered_s")), covered, 1e-9);
	json_decref(f);
	/* the library's result (--json) says so at its top, as the files do */
	char *text = em_monitor_result_json(mon);
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	CU_ASSERT(json_is_false(json_object_get(res, "complete")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(res, "covered_s")), covered, 1e-9);
	json_decref(res);
	free(text);
	em_monitor_destroy(mon);
	/* failures that last to the end (a BMC that died for good) are a gap too */
	mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.02,"
	          " \"testpower_fail_from\": 0.1, \"testpower_fail_to\": 1000, \"testpower_fail_stop\": true}", 0.4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	text = em_monitor_result_json(mon);
	res = text ? json_loads(text, 0, NULL) : NULL;
	const json_t *tail = json_object_get(json_object_get(res, "monitors"), "testpower");
	CU_ASSERT(json_is_false(json_object_get(tail, "complete")));
	CU_ASSERT(json_is_false(json_object_get(res, "complete")));
	CU_ASSERT(json_number_value(json_object_get(tail, "covered_s")) <
	          json_number_value(json_object_get(tail, "duration")) - 0.2);
	json_decref(res);
	free(text);
	em_monitor_destroy(mon);
	/* without failures the same run is complete and covers about all of it */
	mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\": 0.02}", 0.2);
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(mon, dir, "G", "1", &err), 0);
	f = load("G_1_testpower.json");
	ec = json_object_get(f, "energy_consumption");
	CU_ASSERT(json_is_true(json_object_get(ec, "complete")));
	CU_ASSERT(json_number_value(json_object_get(ec, "covered_s")) > 0);
	line = last_summary_line("testpower");
	CU_ASSERT(json_is_true(json_object_get(line, "complete")));
	json_decref(line);
	json_decref(f);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"files: names, modes, Lithops keys", test_files_names_modes_and_lithops_keys},
		{"placeholder file: null energy and a reason", test_placeholder_file_has_null_energy_and_reason},
		{"a declared energy never measured is null", test_declared_energy_never_measured_is_null},
		{"named source that cannot run still gets its file",
		 test_named_source_that_cannot_run_still_gets_its_file},
		{"bad job key is named", test_bad_job_key_is_named},
		{"concurrent writers never corrupt the summary", test_concurrent_writers_never_corrupt_the_summary},
		{"times are written to the microsecond", test_times_are_written_to_the_microsecond},
		{"a run with gaps says it is incomplete and what it covered", test_a_run_with_gaps_says_it_is_incomplete},
		CU_TEST_INFO_NULL,
	};
	return run_suite("output", tests);
}
