/* The energymon command under signals and plugin crashes: the command is
 * never lost, orphaned, or given energymon's status. The measured command is
 * this program itself (cli_harness.h), which records the signal that reached
 * it, so forwarding is told apart from energymon dying of the signal.
 * argv[1] is the energymon binary. */
#include "cli_harness.h"
#include "test_util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static struct cli_run r;

/* A condition the rest of the test needs: if it failed, stop energymon and
 * whatever it left, report what it printed, and end the test. */
static void require(bool ok, const char *what)
{
	if (ok)
		return;
	if (!cli_exited(&r))
		kill(r.pid, SIGKILL);
	cli_finish(&r);
	cli_reap_orphans();
	fprintf(stderr, "\n    %s did not happen; energymon's stderr:\n%s\n", what, r.err);
	CU_FAIL_FATAL(what);
}

/* energymon measuring this program as the command, which exits with
 * `status` once a signal reached it. */
static void start_measuring_child(const char *dir, const char *status, const char *const *extra)
{
	const char *args[32] = {"--plugins", "testpower", "--interval", "0.05"};
	size_t n = 4;
	while (extra && *extra)
		args[n++] = *extra++;
	args[n++] = "--";
	cli_child_args(args + n, dir, status, "wait");
	cli_start(&r, args);
}

static void assert_child_got(const char *dir, const char *signame)
{
	char path[PATH_MAX], got[64];
	snprintf(path, sizeof(path), "%s/signal", dir);
	cli_slurp(path, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, signame);
}

/* energymon reaped the command: it is gone, not our orphan (this test is a
 * subreaper, so a command energymon left behind would still exist as our
 * child). Whatever else is left (a sanitizer's helper) is cleaned up. */
static void assert_command_reaped(const char *dir)
{
	pid_t command = cli_child_pid(dir);
	CU_ASSERT(command > 0);
	errno = 0;
	CU_ASSERT(command > 0 && kill(command, 0) == -1 && errno == ESRCH);
	cli_reap_orphans();
}

/* energymon gets `sig`; the command must get it too and its exit status
 * (3) must be energymon's, with nothing left unreaped. */
static void check_forwarded(int sig, const char *signame)
{
	char dir[PATH_MAX], started[PATH_MAX];
	cli_fresh_dir(dir, sizeof(dir), signame);
	snprintf(started, sizeof(started), "%s/started", dir);
	const char *no_files[] = {"--no-files", NULL};
	start_measuring_child(dir, "3", no_files);
	require(cli_wait_for_file(&r, started), "the command starting");
	kill(r.pid, sig);
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 3);
	assert_child_got(dir, signame);
	CU_ASSERT_EQUAL(cli_count(r.err, "energymon: error:"), 0);
	ASSERT_CONTAINS(r.err, "exit status 3");
	assert_command_reaped(dir);
}

static void test_sigint_is_forwarded(void) { check_forwarded(SIGINT, "SIGINT"); }
static void test_sighup_is_forwarded(void) { check_forwarded(SIGHUP, "SIGHUP"); }
static void test_sigquit_is_forwarded(void) { check_forwarded(SIGQUIT, "SIGQUIT"); }
static void test_sigusr1_is_forwarded(void) { check_forwarded(SIGUSR1, "SIGUSR1"); }
static void test_sigusr2_is_forwarded(void) { check_forwarded(SIGUSR2, "SIGUSR2"); }

static void test_sigterm_is_forwarded_and_files_kept(void)
{
	char dir[PATH_MAX], started[PATH_MAX], outdir[PATH_MAX];
	cli_fresh_dir(dir, sizeof(dir), "SIGTERM");
	cli_fresh_dir(outdir, sizeof(outdir), "SIGTERM-files");
	snprintf(started, sizeof(started), "%s/started", dir);
	const char *files[] = {"--output-dir", outdir, "--job-key", "sig", "--call-id", "1", NULL};
	start_measuring_child(dir, "3", files);
	require(cli_wait_for_file(&r, started), "the command starting");
	kill(r.pid, SIGTERM);
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 3);
	assert_child_got(dir, "SIGTERM");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sig_1_testpower.json", outdir);
	json_t *f = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(json_number_value(json_object_get(json_object_get(f, "energy_consumption"), "duration")) > 0);
	json_decref(f);
}

/* SIGPIPE comes from energymon's own writes: it must not kill energymon,
 * and the command gets SIGPIPE back at its default and the signal mask
 * energymon was started with. */
static void test_sigpipe_is_ignored_but_not_by_the_command(void)
{
	char dir[PATH_MAX], started[PATH_MAX];
	cli_fresh_dir(dir, sizeof(dir), "SIGPIPE");
	snprintf(started, sizeof(started), "%s/started", dir);
	const char *no_files[] = {"--no-files", NULL};
	signal(SIGPIPE, SIG_IGN); /* as a parent that ignores it would start energymon */
	start_measuring_child(dir, "3", no_files);
	signal(SIGPIPE, SIG_DFL);
	require(cli_wait_for_file(&r, started), "the command starting");
	char report[512];
	cli_child_report(dir, report, sizeof(report));
	ASSERT_CONTAINS(report, "sigpipe default");
	ASSERT_CONTAINS(report, "blocked 0");
	kill(r.pid, SIGPIPE);
	kill(cli_child_pid(dir), SIGTERM); /* now end the command itself */
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 3);
	assert_child_got(dir, "SIGTERM");
	assert_command_reaped(dir);
}

/* A plugin that crashes `how` while the command runs (when "sample") or
 * after it exited (when "stop"): energymon exits with the command's status,
 * says once what was lost, and reaped everything. */
static void check_plugin_crash(const char *how, const char *when)
{
	char dir[PATH_MAX], started[PATH_MAX], trigger[PATH_MAX], flag[PATH_MAX], name[64];
	snprintf(name, sizeof(name), "crash-%s-%s", how, when);
	cli_fresh_dir(dir, sizeof(dir), name);
	snprintf(started, sizeof(started), "%s/started", dir);
	snprintf(trigger, sizeof(trigger), "crasher_trigger=%s/go", dir);
	snprintf(flag, sizeof(flag), "crasher_flag=%s/crashing", dir);
	char set_how[64], set_when[64];
	snprintf(set_how, sizeof(set_how), "crasher_how=%s", how);
	snprintf(set_when, sizeof(set_when), "crasher_when=%s", when);
	const char *args[32] = {"--no-files", "--plugins", "crasher", "--interval", "0.02", "--set", set_how,
	                        "--set", set_when, "--set", trigger, "--set", flag, "--"};
	cli_child_args(args + 14, dir, "5", "wait");
	cli_start(&r, args);
	require(cli_wait_for_file(&r, started), "the command starting");
	char go[PATH_MAX];
	snprintf(go, sizeof(go), "%s/go", dir);
	fclose(fopen(go, "w"));
	if (!strcmp(when, "sample")) {
		snprintf(flag, sizeof(flag), "%s/crashing", dir);
		require(cli_wait_for_file(&r, flag), "the plugin crashing");
	}
	kill(cli_child_pid(dir), SIGUSR1); /* the command ends on its own */
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 5);
	assert_child_got(dir, "SIGUSR1");
	CU_ASSERT_EQUAL(cli_count(r.err, "energymon: error:"), 1);
	ASSERT_CONTAINS(r.err, "energymon: error: the measuring process");
	ASSERT_CONTAINS(r.err, "no files or summary");
	assert_command_reaped(dir);
}

static void test_plugin_segfault_while_sampling(void) { check_plugin_crash("segv", "sample"); }
static void test_plugin_abort_while_sampling(void) { check_plugin_crash("abort", "sample"); }
static void test_plugin_exit_while_sampling(void) { check_plugin_crash("exit", "sample"); }
static void test_plugin_segfault_in_stop(void) { check_plugin_crash("segv", "stop"); }

/* --kill-on-exit: when energymon is killed outright, the command dies too. */
static void test_kill_on_exit_kills_the_command_with_energymon(void)
{
	char dir[PATH_MAX], started[PATH_MAX];
	cli_fresh_dir(dir, sizeof(dir), "kill-on-exit");
	snprintf(started, sizeof(started), "%s/started", dir);
	const char *opts[] = {"--no-files", "--kill-on-exit", NULL};
	start_measuring_child(dir, "3", opts);
	require(cli_wait_for_file(&r, started), "the command starting");
	pid_t command = cli_child_pid(dir);
	kill(r.pid, SIGKILL);
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 128 + SIGKILL);
	/* we are the subreaper: the orphaned command's end is ours to see */
	int st = 0;
	CU_ASSERT_FATAL(cli_wait_reaped(command, &st));
	CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	cli_reap_orphans(); /* the measuring process, ending on its own */
}

/* Item 12: after the command exited, a SIGINT abandons a plugin stuck in
 * sample() at once instead of waiting out its grace; the status is kept. */
static void test_interrupt_while_stopping_abandons_the_plugins(void)
{
	char dir[PATH_MAX], started[PATH_MAX], trigger[PATH_MAX], flag[PATH_MAX];
	cli_fresh_dir(dir, sizeof(dir), "abandon");
	snprintf(started, sizeof(started), "%s/started", dir);
	snprintf(trigger, sizeof(trigger), "crasher_trigger=%s/go", dir);
	snprintf(flag, sizeof(flag), "crasher_flag=%s/stuck", dir);
	const char *args[32] = {"--no-files", "--plugins", "crasher", "--interval", "2", "--set", "crasher_how=hang",
	                        "--set", trigger, "--set", flag, "--"};
	cli_child_args(args + 12, dir, "6", "wait");
	cli_start(&r, args);
	require(cli_wait_for_file(&r, started), "the command starting");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/go", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/stuck", dir);
	require(cli_wait_for_file(&r, path), "the plugin hanging in sample()");
	/* the first SIGINT ends the command; one after it exited abandons */
	cli_signal_until(&r, SIGINT, "abandoning");
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 6);
	assert_child_got(dir, "SIGINT");
	ASSERT_CONTAINS(r.err, "energymon: SIGINT while stopping: abandoning the plugins still running");
	ASSERT_CONTAINS(r.err, "exit status 6");
	assert_command_reaped(dir);
}

/* While the plugins start, the command is held: a plugin crash there, or
 * an interrupt, means exit 125 and the command never runs. */
static void check_setup_ends(const char *how, int interrupt, const char *expected)
{
	char dir[PATH_MAX], flag[PATH_MAX], set_how[64], err_path[PATH_MAX];
	cli_fresh_dir(dir, sizeof(dir), how);
	snprintf(flag, sizeof(flag), "crasher_flag=%s/starting", dir);
	snprintf(set_how, sizeof(set_how), "crasher_how=%s", how);
	const char *args[32] = {"--no-files", "--plugins", "crasher", "--set", set_how, "--set", "crasher_when=start",
	                        "--set", flag, "--"};
	cli_child_args(args + 10, dir, "3", "now");
	cli_start(&r, args);
	snprintf(flag, sizeof(flag), "%s/starting", dir);
	require(cli_wait_for_file(&r, flag), "the plugin starting");
	if (interrupt)
		kill(r.pid, interrupt);
	snprintf(err_path, sizeof(err_path), "%s/stderr", cli_work_dir());
	require(cli_wait_for_text(&r, err_path, "was not run"), "energymon giving up");
	cli_finish(&r);
	CU_ASSERT_EQUAL(r.status, 125);
	ASSERT_CONTAINS(r.err, expected);
	CU_ASSERT_EQUAL(cli_count(r.err, "energymon: error:"), 1);
	char report[512];
	cli_child_report(dir, report, sizeof(report));
	CU_ASSERT_STRING_EQUAL(report, ""); /* the command never ran */
	CU_ASSERT_EQUAL(cli_reap_orphans(), 0);
}

static void test_plugin_segfault_while_starting(void)
{
	check_setup_ends("segv", 0, "the measuring process was killed by signal");
}

static void test_sigint_while_starting(void)
{
	check_setup_ends("hang", SIGINT, "energymon: error: SIGINT while starting the plugins");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], CLI_CHILD_MODE) == 0)
		return cli_child_main(argc, argv);
	if (cli_harness_init(argc, argv) != 0)
		return 2;
	CU_TestInfo tests[] = {
		{"SIGTERM is forwarded, files kept", test_sigterm_is_forwarded_and_files_kept},
		{"SIGINT is forwarded", test_sigint_is_forwarded},
		{"SIGHUP is forwarded", test_sighup_is_forwarded},
		{"SIGQUIT is forwarded", test_sigquit_is_forwarded},
		{"SIGUSR1 is forwarded", test_sigusr1_is_forwarded},
		{"SIGUSR2 is forwarded", test_sigusr2_is_forwarded},
		{"SIGPIPE is ignored, the command gets it at default", test_sigpipe_is_ignored_but_not_by_the_command},
		{"plugin segfault while sampling: command's status, one error", test_plugin_segfault_while_sampling},
		{"plugin abort while sampling: command's status, one error", test_plugin_abort_while_sampling},
		{"plugin exit(42) while sampling: command's status, one error", test_plugin_exit_while_sampling},
		{"plugin segfault in stop: command's status, one error", test_plugin_segfault_in_stop},
		{"plugin segfault while starting: 125, command not run", test_plugin_segfault_while_starting},
		{"SIGINT while starting: 125, command not run", test_sigint_while_starting},
		{"--kill-on-exit: SIGKILL of energymon kills the command", test_kill_on_exit_kills_the_command_with_energymon},
		{"SIGINT while stopping abandons the plugins", test_interrupt_while_stopping_abandons_the_plugins},
		CU_TEST_INFO_NULL,
	};
	return run_suite("cli-signals", tests);
}
