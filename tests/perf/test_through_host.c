/*
 * test_through_host.c — perf through the real host (the energymon CLI, so
 * libenergymon's declare_metric / emit_metric and its result): the declared
 * metrics with energymon's own keys are filed as pkg and dram in joules, and
 * no note repeats a total. The command itself moves the package counter, so
 * the energy is known exactly and nothing depends on timing.
 */
#include "../support/cunit_run.h"
#include "perf_fixture.h"

#include <CUnit/Basic.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run the CLI with perf on the tree; its --json result, or NULL. */
static json_t *run_cli(const struct rapl_tree *t, const char *command)
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
		execl(cli, cli, "--plugins", "perf", "--set", root_set, "--interval", "0.1", "--no-files", "--json",
		      "--", "sh", "-c", command, (char *)NULL);
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

static void test_own_keys_in_joules_and_no_repeated_totals(void)
{
	struct rapl_tree t;
	char path[PATH_MAX], command[PATH_MAX + 64];
	CU_ASSERT_FATAL(rapl_tree_make(&t) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0", "package-0", 1000000, 262143328850ull, 0) == 0);
	CU_ASSERT_FATAL(rapl_tree_add_zone(&t, "intel-rapl:0:0", "dram", 5000000, 262143328850ull, 0) == 0);
	rapl_tree_energy_path(&t, "intel-rapl:0", path, sizeof(path));
	snprintf(command, sizeof(command), "echo 3500000 > '%s'", path);
	json_t *res = run_cli(&t, command);
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
	const char *index = json_string_value(json_object_get(json_object_get(perf, "notes"), "package_index"));
	CU_ASSERT(index && strcmp(index, "index 0: package-0") == 0);
	json_decref(res);
	rapl_tree_remove(&t);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("perf through the host", NULL, NULL);
	CU_add_test(s, "own keys in joules, no repeated totals", test_own_keys_in_joules_and_no_repeated_totals);
	return cunit_run_registered();
}
