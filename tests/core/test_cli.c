/* The energymon command as users run it: exit status, --json, errors,
 * --list-plugins, what the command inherits. argv[1] is the energymon binary.
 * Signals and crashes: test_cli_signals.c. */
#include "cli_harness.h"
#include "energy_plugin.h"
#include "test_util.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char work[PATH_MAX];

#define run_cli(r, args) cli_run_to_end(r, args)

static void test_exit_status_is_the_commands(void)
{
	static struct cli_run r;
	const char *args[] = {"--no-files", "--plugins", "testpower", "--interval", "0.05", "--", "sh", "-c",
	                      "exit 7", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 7);
	ASSERT_CONTAINS(r.err, "exit status 7");
	ASSERT_CONTAINS(r.err, "system");
	ASSERT_CONTAINS(r.err, " J");
}

static void test_json_output(void)
{
	static struct cli_run r;
	const char *args[] = {"--no-files", "--json", "--plugins", "testpower,testcpu", "--interval", "0.05", "--",
	                      "sleep", "0.3", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 0);
	json_t *res = json_loads(r.out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT(energy_of(res, NULL, "system") > 0);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "avg_power"), 100, 1e-9);
	CU_ASSERT(json_number_value(json_object_get(res, "duration")) >= 0.3);
	CU_ASSERT_EQUAL(json_object_size(json_object_get(res, "monitors")), 2);
	CU_ASSERT(json_integer_value(json_object_get(res, "target_pid")) > 0);
	json_decref(res);
}

static void test_errors_name_the_key_and_run_nothing(void)
{
	static struct cli_run r;
	char marker[PATH_MAX];
	snprintf(marker, sizeof(marker), "%s/ran", work);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	const char *args[] = {"--no-files", "--plugins", "testpower", "--interval", "-1", "--", "sh", "-c", cmd, NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 2);
	ASSERT_CONTAINS(r.err, "energy_sampling_interval");
	const char *args2[] = {"--no-files", "--plugins", "failstart", "--", "sh", "-c", cmd, NULL};
	run_cli(&r, args2);
	CU_ASSERT_EQUAL(r.status, 125);
	ASSERT_CONTAINS(r.err, "plugin 'failstart' failed to start");
	CU_ASSERT_NOT_EQUAL(access(marker, F_OK), 0);
}

static void test_allow_unavailable_runs_the_command_and_says_why(void)
{
	static struct cli_run r;
	char outdir[PATH_MAX];
	snprintf(outdir, sizeof(outdir), "%s/files-allow", work);
	const char *args[] = {"--allow-unavailable", "--plugins", "unavailable", "--output-dir", outdir, "--job-key",
	                      "a", "--call-id", "1", "--", "sh", "-c", "exit 3", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 3);
	ASSERT_CONTAINS(r.err, "no measurement: no such hardware");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/a_1_unavailable.json", outdir);
	json_t *f = json_load_file(path, 0, NULL);
	CU_ASSERT(json_is_true(json_object_get(json_object_get(f, "energy_consumption"), "placeholder")));
	json_decref(f);
}

static void test_without_a_command_measures_until_interrupted(void)
{
	static struct cli_run r;
	const char *args[] = {"--no-files", "--json", "--plugins", "testpower", "--interval", "0.05", NULL};
	char err_path[PATH_MAX];
	snprintf(err_path, sizeof(err_path), "%s/stderr", work);
	cli_start(&r, args);
	CU_ASSERT_FATAL(cli_wait_for_text(&r, err_path, "measuring the whole system"));
	kill(r.pid, SIGTERM);
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 0);
	ASSERT_CONTAINS(r.err, "'whole system'");
	json_t *res = json_loads(r.out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT(json_number_value(json_object_get(res, "duration")) > 0);
	CU_ASSERT(energy_of(res, NULL, "system") > 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "target_pid")), 0);
	json_decref(res);
}

/* Item 3: a password the plugins read from the environment is not handed
 * on to the measured command. */
static void test_password_env_is_not_passed_to_the_command(void)
{
	static struct cli_run r;
	char dir[PATH_MAX];
	cli_fresh_dir(dir, sizeof(dir), "secret-env");
	setenv("ENERGYMON_TEST_SECRET", "s3cret", 1);
	const char *args[16] = {"--no-files", "--json", "--plugins", "crasher", "--set",
	                        "crasher_password_env=ENERGYMON_TEST_SECRET", "--"};
	cli_child_args(args + 7, dir, "0", "now");
	run_cli(&r, args);
	unsetenv("ENERGYMON_TEST_SECRET");
	CU_ASSERT_EQUAL(r.status, 0);
	char report[512];
	cli_child_report(dir, report, sizeof(report));
	ASSERT_CONTAINS(report, "secret absent");
	/* while the plugin, in energymon, read it */
	json_t *res = json_loads(r.out, 0, NULL);
	const json_t *notes = json_object_get(json_object_get(json_object_get(res, "monitors"), "crasher"), "notes");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(notes, "password_from")), "ENERGYMON_TEST_SECRET");
	json_decref(res);
}

/* Item 20: the peak RSS in the summary is taken after the files are written.
 * At 1 ms for 2 s the files are hundreds of KB, so writing them raises the
 * peak above the one the library took when it built the result. */
static void test_peak_rss_includes_writing_the_files(void)
{
	static struct cli_run r;
	char outdir[PATH_MAX], path[PATH_MAX];
	cli_fresh_dir(outdir, sizeof(outdir), "files-rss");
	const char *args[] = {"--json", "--plugins", "testpower", "--interval", "0.001", "--output-dir", outdir,
	                      "--job-key", "rss", "--call-id", "1", "--", "sleep", "2", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 0);
	snprintf(path, sizeof(path), "%s/rss_1_testpower.json", outdir);
	struct stat st = {0};
	stat(path, &st);
	CU_ASSERT(st.st_size > 300 * 1024); /* else this run cannot tell the two apart */
	json_t *res = json_loads(r.out, 0, NULL);
	double at_result_kib = (double)json_integer_value(json_object_get(json_object_get(res, "monitor_cost"),
	                                                                  "peak_rss_kib"));
	json_decref(res);
	const char *shown = strstr(r.err, "peak RSS ");
	double at_end_mib = 0;
	CU_ASSERT_FATAL(shown && sscanf(shown, "peak RSS %lf MiB", &at_end_mib) == 1);
	CU_ASSERT(at_result_kib > 0);
	/* the summary shows 0.1 MiB steps */
	CU_ASSERT(at_end_mib * 1024 > at_result_kib + 0.15 * 1024);
}

/* SIGPIPE from energymon's own write to a closed stdout does not kill it:
 * the command's status stays energymon's, and one line says what was lost. */
static void test_closed_stdout_loses_only_the_json(void)
{
	static struct cli_run r = {.stdout_to_closed_pipe = true};
	const char *args[] = {"--no-files", "--json", "--plugins", "testpower", "--", "sh", "-c", "exit 4", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 4);
	ASSERT_CONTAINS(r.err, "energymon: error: --json: cannot write the result to stdout");
	CU_ASSERT_EQUAL(cli_count(r.err, "energymon: error:"), 1);
}

static void test_command_not_found(void)
{
	static struct cli_run r;
	const char *args[] = {"--no-files", "--plugins", "testpower", "--", "/nonexistent/cmd", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 127);
	ASSERT_CONTAINS(r.err, "/nonexistent/cmd");
}

/* A command that could not be executed ran for no time: no file may claim a
 * measurement of it; one that exits 127 by itself is measured as usual. */
static void test_command_that_cannot_run_gets_no_files(void)
{
	static struct cli_run r;
	char unrun[PATH_MAX], ran[PATH_MAX];
	snprintf(unrun, sizeof(unrun), "%s/unrun", cli_work_dir());
	snprintf(ran, sizeof(ran), "%s/ran", cli_work_dir());
	const char *args[] = {"--output-dir", unrun, "--plugins", "testpower", "--", "/nonexistent/cmd", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 127);
	ASSERT_CONTAINS(r.err, "could not be run: nothing was measured for it and no files were written");
	CU_ASSERT_NOT_EQUAL(access(unrun, F_OK), 0);
	const char *not_exec[] = {"--output-dir", unrun, "--plugins", "testpower", "--", "/", NULL};
	run_cli(&r, not_exec);
	CU_ASSERT_EQUAL(r.status, 126);
	CU_ASSERT_NOT_EQUAL(access(unrun, F_OK), 0);
	const char *exits_127[] = {"--output-dir", ran, "--plugins", "testpower", "--", "sh", "-c", "exit 127", NULL};
	run_cli(&r, exits_127);
	CU_ASSERT_EQUAL(r.status, 127);
	char summary[PATH_MAX + 32];
	snprintf(summary, sizeof(summary), "%s/testpower_summary.jsonl", ran);
	CU_ASSERT_EQUAL(access(summary, F_OK), 0);
}

static void test_list_plugins(void)
{
	static struct cli_run r;
	const char *args[] = {"--list-plugins", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 0);
	ASSERT_CONTAINS(r.out, "testpower");
	ASSERT_CONTAINS(r.out, "unavailable");
	ASSERT_CONTAINS(r.out, "no such hardware: /dev/nothing does not exist");
	ASSERT_CONTAINS(r.out, "ABI 99.0");
}

/* The ABI the binary was built with, from the header, not a literal. */
static void test_version_names_the_plugin_abi_of_the_header(void)
{
	static struct cli_run r;
	const char *args[] = {"--version", NULL};
	run_cli(&r, args);
	CU_ASSERT_EQUAL(r.status, 0);
	char abi[64];
	snprintf(abi, sizeof(abi), "(plugin ABI %d.%d)", ENERGY_PLUGIN_ABI_MAJOR, ENERGY_PLUGIN_ABI_MINOR);
	ASSERT_CONTAINS(r.out, abi);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (argc > 1 && strcmp(argv[1], CLI_CHILD_MODE) == 0)
		return cli_child_main(argc, argv);
	if (cli_harness_init(argc, argv) != 0)
		return 2;
	snprintf(work, sizeof(work), "%s", cli_work_dir());
	CU_TestInfo tests[] = {
		{"exit status is the command's", test_exit_status_is_the_commands},
		{"--json output", test_json_output},
		{"errors name the key and run nothing", test_errors_name_the_key_and_run_nothing},
		{"--allow-unavailable runs the command, says why", test_allow_unavailable_runs_the_command_and_says_why},
		{"without a command: measures until interrupted", test_without_a_command_measures_until_interrupted},
		{"a *_password_env variable is not passed to the command", test_password_env_is_not_passed_to_the_command},
		{"peak RSS includes writing the files", test_peak_rss_includes_writing_the_files},
		{"a closed stdout loses only the --json output", test_closed_stdout_loses_only_the_json},
		{"a command that cannot run gets no files", test_command_that_cannot_run_gets_no_files},
		{"command not found", test_command_not_found},
		{"--list-plugins", test_list_plugins},
		{"--version names the header's plugin ABI", test_version_names_the_plugin_abi_of_the_header},
		CU_TEST_INFO_NULL,
	};
	return run_suite("cli", tests);
}
