/*
 * test_through_host.c — perf through the real host (the energymon CLI, so
 * libenergymon's declare_metric / emit_metric and its result): the declared
 * metrics with energymon's own keys are filed as pkg, cores and dram in
 * joules, no note repeats a total, and the per-call file reads as the seed's
 * extractor expects. The command itself moves the package counter, so
 * the energy is known exactly and nothing depends on timing. A package
 * counter that stays flat while the tree's proc/stat says the machine was
 * busy is the plugin's dead-counter verdict (metric_reason): the host must
 * make it null with that reason in "metrics" and in the per-call file, never
 * 0 J and never absent, and no note may repeat it.
 */
#include "../support/cunit_run.h"
#include "lithops_format.h"
#include "perf_fixture.h"

#include <CUnit/Basic.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run the CLI with perf on the tree; its --json result, or NULL. Files go
 * to `files_dir` (job "job", call "0"); NULL: none. */
static json_t *run_cli(const struct rapl_tree *t, const char *command, const char *files_dir)
{
	char cli[PATH_MAX], root_set[PATH_MAX + 32], out[1 << 16];
	const char *build = getenv("ENERGYMON_BUILD_ROOT");
	snprintf(cli, sizeof(cli), "%s/cli/energymon", build ? build : ".");
	snprintf(root_set, sizeof(root_set), "perf_sysfs_root=%s", t->root);
	int fds[2];
	if (pipe(fds) != 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (files_dir)
			execl(cli, cli, "--plugins", "perf", "--set", root_set, "--interval", "0.1", "--output-dir",
			      files_dir, "--job-key", "job", "--call-id", "0", "--json", "--", "sh", "-c", command,
			      (char *)NULL);
		else
			execl(cli, cli, "--plugins", "perf", "--set", root_set, "--interval", "0.1", "--no-files",
			      "--json", "--", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	size_t used = 0;
	ssize_t n;
	while (used < sizeof(out) - 1 && (n = read(fds[0], out + used, sizeof(out) - 1 - used)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	json_error_t err;
	json_t *res = json_loads(out, 0, &err);
	if (!res)
		fprintf(stderr, "\n  not JSON (%s): %.300s\n", err.text, out);
	return res;
}

#define INTEL_RANGE_UJ 262143328850ull
#define INTEL_UNIT_J (262143328850e-6 / 4294967296.0) /* the RAPL unit that range gives */

/* The uncertainty's resolution term of `key`, NAN when absent. */
static double resolution_j(json_t *source, const char *key)
{
	json_t *b = json_object_get(json_object_get(source, "uncertainty"), key);
	json_t *r = json_object_get(json_object_get(b, "terms"), "resolution_j");
	return json_is_number(r) ? json_number_value(r) : NAN;
}

static void test_own_keys_in_joules_and_no_repeated_totals(void)
{
	struct rapl_tree t;
	char path[PATH_MAX], command[PATH_MAX + 64], files[PATH_MAX], file[PATH_MAX + 32];
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 1000000, 262143328850ull, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0:0", "dram", 5000000, 262143328850ull, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0:1", "core", 5000000, 262143328850ull, 0) == 0);
	snprintf(files, sizeof(files), "%s/out", t.root);
	rapl_tree_energy_path(&t, "intel-rapl:0", path, sizeof(path));
	snprintf(command, sizeof(command), "echo 3500000 > '%s'", path);
	json_t *res = run_cli(&t, command, files);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	json_t *perf = json_object_get(json_object_get(res, "monitors"), "perf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(perf);
	json_t *energy = json_object_get(perf, "energy"), *units = json_object_get(perf, "units");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(energy, "pkg")), 2.5, 1e-9);
	const char *unit = json_string_value(json_object_get(units, "pkg"));
	CU_ASSERT(unit && strcmp(unit, "J") == 0);
	CU_ASSERT(json_is_number(json_object_get(energy, "dram")));
	CU_ASSERT_EQUAL(json_number_value(json_object_get(energy, "dram")), 0.0);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(res, "energy"), "pkg")), 2.5, 1e-9);
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(perf, "notes"), key, v) {
		int total = strncmp(key, "energy_", 7) == 0 || strcmp(key, "counter_wraps") == 0;
		if (total)
			fprintf(stderr, "\n  note '%s' repeats a total\n", key);
		CU_ASSERT_FALSE(total);
	}
	/* every delta known to two RAPL units (no wrap): the unit from the
	 * zones' max_energy_range_uj, and the notes say so */
	CU_ASSERT_DOUBLE_EQUAL(resolution_j(perf, "pkg"), 2 * INTEL_UNIT_J, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(resolution_j(perf, "dram"), 2 * INTEL_UNIT_J, 1e-15);
	json_t *notes = json_object_get(perf, "notes");
	json_t *unit_note = json_object_get(notes, "rapl_unit_j");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(unit_note, "value")), INTEL_UNIT_J, 1e-15);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(unit_note, "unit")), "J");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(notes, "rapl_unit_source")), "powercap max_energy_range_uj");
	const char *index = json_string_value(json_object_get(json_object_get(perf, "notes"), "package_index"));
	CU_ASSERT(index && strcmp(index, "index 0: package-0") == 0);
	/* the per-call file, as the seed's extractor reads it */
	snprintf(file, sizeof(file), "%s/job_0_perf.json", files);
	json_t *per_call = json_load_file(file, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(per_call);
	static const char *const perf_keys[] = {"energy_pkg", "energy_cores", NULL};
	CU_ASSERT_EQUAL(lithops_format_problems(per_call, "perf", perf_keys, false, file), 0);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(per_call, "energy_consumption"),
	                                                         "energy_pkg")), 2.5, 1e-9);
	json_decref(per_call);
	json_decref(res);
	rapl_tree_remove(&t);
}

/* A package counter that wraps during the command: one unit more in the
 * bound, as the wrap point is known to one unit. */
static void test_a_wrap_adds_one_unit_to_the_bound(void)
{
	struct rapl_tree t;
	char path[PATH_MAX], command[PATH_MAX + 64];
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", INTEL_RANGE_UJ - 328850, INTEL_RANGE_UJ,
	                                   0) == 0);
	rapl_tree_energy_path(&t, "intel-rapl:0", path, sizeof(path));
	snprintf(command, sizeof(command), "echo 1500000 > '%s'", path);
	json_t *res = run_cli(&t, command, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	json_t *perf = json_object_get(json_object_get(res, "monitors"), "perf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(perf);
	/* 0.328850 J to the wrap point, 1.5 J after it */
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(perf, "energy"), "pkg")), 1.82885, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(resolution_j(perf, "pkg"), 3 * INTEL_UNIT_J, 1e-15);
	json_t *b = json_object_get(json_object_get(perf, "uncertainty"), "pkg");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(b, "half_width")), 3 * INTEL_UNIT_J, 1e-12);
	json_decref(res);
	rapl_tree_remove(&t);
}

/* The metrics[] entry of `source` for `key`, or NULL. */
static json_t *metric_entry(json_t *source, const char *key)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(source, "metrics"), i, m) {
		const char *k = json_string_value(json_object_get(m, "key"));
		if (k && strcmp(k, key) == 0)
			return m;
	}
	return NULL;
}

static void assert_no_note_names_the_verdict(json_t *notes)
{
	const char *key;
	json_t *v;
	json_object_foreach(notes, key, v) {
		const char *text = json_string_value(v);
		int repeats = strstr(key, "energy_pkg") || strstr(key, "dead") ||
		              (text && strstr(text, "did not advance"));
		if (repeats)
			fprintf(stderr, "\n  note '%s' repeats the metric's reason\n", key);
		CU_ASSERT_FALSE(repeats);
	}
}

static void test_dead_package_is_null_with_its_reason(void)
{
	struct rapl_tree t;
	char path[PATH_MAX], busy_next[PATH_MAX], busy_now[PATH_MAX], files[PATH_MAX], file[PATH_MAX + 32];
	char command[4 * PATH_MAX];
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 1000000, 262143328850ull, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0:0", "core", 1000000, 262143328850ull, 0) == 0);
	/* proc/stat.next: 2 s of CPU time more than proc/stat says now; the
	 * command puts it in place, so the probe saw an idle machine and the
	 * run sees a busy one */
	snprintf(busy_next, sizeof(busy_next), "%s/proc/stat.next", t.root);
	snprintf(busy_now, sizeof(busy_now), "%s/proc/stat", t.root);
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 102.0) == 0);
	CU_ASSERT_FATAL(rename(busy_now, busy_next) == 0);
	CU_ASSERT_FATAL(rapl_tree_set_busy(&t, 100.0) == 0);
	snprintf(files, sizeof(files), "%s/out", t.root);
	rapl_tree_energy_path(&t, "intel-rapl:0:0", path, sizeof(path));
	snprintf(command, sizeof(command), "mv '%s' '%s' && echo 3000000 > '%s'", busy_next, busy_now, path);
	json_t *res = run_cli(&t, command, files);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	json_t *perf = json_object_get(json_object_get(res, "monitors"), "perf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(perf);
	/* the result: null, with the plugin's reason on the metric */
	json_t *energy = json_object_get(perf, "energy");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(energy, "pkg"));
	CU_ASSERT(json_is_null(json_object_get(energy, "pkg")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(energy, "cores")), 2.0, 1e-9);
	json_t *pkg = metric_entry(perf, "pkg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pkg);
	CU_ASSERT(json_is_null(json_object_get(pkg, "value")));
	const char *why = json_string_value(json_object_get(pkg, "reason"));
	CU_ASSERT(why && strstr(why, "package-0 (energy-pkg) did not advance"));
	CU_ASSERT(why && strstr(why, "busy for 2 s of CPU time"));
	CU_ASSERT(why && strstr(why, "not reported as 0 J"));
	/* the composite merges only what a source measured: no pkg, never 0 */
	CU_ASSERT_FALSE(json_is_number(json_object_get(json_object_get(res, "energy"), "pkg")));
	assert_no_note_names_the_verdict(json_object_get(perf, "notes"));
	/* the per-call file: energy_pkg null, never 0 and never absent */
	snprintf(file, sizeof(file), "%s/job_0_perf.json", files);
	json_error_t jerr;
	json_t *per_call = json_load_file(file, 0, &jerr);
	if (!per_call)
		fprintf(stderr, "\n  %s: %s\n", file, jerr.text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(per_call);
	json_t *consumption = json_object_get(per_call, "energy_consumption");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(consumption, "energy_pkg"));
	CU_ASSERT(json_is_null(json_object_get(consumption, "energy_pkg")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(consumption, "energy_cores")), 2.0, 1e-9);
	json_t *own = json_object_get(per_call, "energymon");
	assert_no_note_names_the_verdict(json_object_get(own, "notes"));
	pkg = metric_entry(own, "pkg");
	CU_ASSERT_PTR_NOT_NULL(pkg);
	CU_ASSERT(pkg && json_is_null(json_object_get(pkg, "value")));
	why = pkg ? json_string_value(json_object_get(pkg, "reason")) : NULL;
	CU_ASSERT(why && strstr(why, "did not advance"));
	json_decref(per_call);
	json_decref(res);
	rapl_tree_remove(&t);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("perf through the host", NULL, NULL);
	CU_add_test(s, "own keys in joules, no repeated totals", test_own_keys_in_joules_and_no_repeated_totals);
	CU_add_test(s, "a dead package counter is null with its reason", test_dead_package_is_null_with_its_reason);
	CU_add_test(s, "a wrap adds one unit to the bound", test_a_wrap_adds_one_unit_to_the_bound);
	return cunit_run_registered();
}
