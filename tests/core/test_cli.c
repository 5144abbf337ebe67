/* The energymon command as users run it: exit status, signal forwarding,
 * --json, errors, --list-plugins. argv[1] is the energymon binary. */
#include "test_util.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *energymon;
static char work[PATH_MAX];

struct run {
	int status; /* shell-style */
	char out[65536], err[16384];
};

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Run energymon with args; if term_after_s > 0, SIGTERM it after that long. */
static void run_cli(struct run *r, const char *const *args, double term_after_s)
{
	char out[PATH_MAX], err[PATH_MAX];
	snprintf(out, sizeof(out), "%s/stdout", work);
	snprintf(err, sizeof(err), "%s/stderr", work);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *argv[32];
	size_t n = 0;
	argv[n++] = (char *)energymon;
	for (; args[n - 1] && n < 31; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	pid_t pid;
	CU_ASSERT_EQUAL_FATAL(posix_spawn(&pid, energymon, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	if (term_after_s > 0) {
		sleep_s(term_after_s);
		kill(pid, SIGTERM);
	}
	int st;
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

static void test_exit_status_is_the_commands(void)
{
	static struct run r;
	const char *args[] = {"--no-files", "--plugins", "testpower", "--interval", "0.05", "--", "sh", "-c",
	                      "exit 7", NULL};
	run_cli(&r, args, 0);
	CU_ASSERT_EQUAL(r.status, 7);
	ASSERT_CONTAINS(r.err, "exit status 7");
	ASSERT_CONTAINS(r.err, "system");
	ASSERT_CONTAINS(r.err, " J");
}

static void test_sigterm_is_forwarded_and_results_kept(void)
{
	static struct run r;
	char outdir[PATH_MAX];
	snprintf(outdir, sizeof(outdir), "%s/files", work);
	const char *args[] = {"--plugins", "testpower", "--interval", "0.05", "--output-dir", outdir, "--job-key",
	                      "sig", "--call-id", "1", "--", "sleep", "30", NULL};
	run_cli(&r, args, 0.5);
	/* sleep died of the forwarded SIGTERM; energymon reports it like a shell */
	CU_ASSERT_EQUAL(r.status, 128 + SIGTERM);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sig_1_testpower.json", outdir);
	json_t *f = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	double d = json_number_value(json_object_get(json_object_get(f, "energy_consumption"), "duration"));
	CU_ASSERT(d > 0.3 && d < 10);
	json_decref(f);
}

static void test_json_output(void)
{
	static struct run r;
	const char *args[] = {"--no-files", "--json", "--plugins", "testpower,testcpu", "--interval", "0.05", "--",
	                      "sleep", "0.3", NULL};
	run_cli(&r, args, 0);
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
	static struct run r;
	char marker[PATH_MAX];
	snprintf(marker, sizeof(marker), "%s/ran", work);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	const char *args[] = {"--no-files", "--plugins", "testpower", "--interval", "-1", "--", "sh", "-c", cmd, NULL};
	run_cli(&r, args, 0);
	CU_ASSERT_EQUAL(r.status, 2);
	ASSERT_CONTAINS(r.err, "energy_sampling_interval");
	const char *args2[] = {"--no-files", "--plugins", "failstart", "--", "sh", "-c", cmd, NULL};
	run_cli(&r, args2, 0);
	CU_ASSERT_EQUAL(r.status, 125);
	ASSERT_CONTAINS(r.err, "plugin 'failstart' failed to start");
	CU_ASSERT_NOT_EQUAL(access(marker, F_OK), 0);
}

static void test_allow_unavailable_runs_the_command_and_says_why(void)
{
	static struct run r;
	char outdir[PATH_MAX];
	snprintf(outdir, sizeof(outdir), "%s/files-allow", work);
	const char *args[] = {"--allow-unavailable", "--plugins", "unavailable", "--output-dir", outdir, "--job-key",
	                      "a", "--call-id", "1", "--", "sh", "-c", "exit 3", NULL};
	run_cli(&r, args, 0);
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
	static struct run r;
	const char *args[] = {"--no-files", "--json", "--plugins", "testpower", "--interval", "0.05", NULL};
	run_cli(&r, args, 0.4);
	CU_ASSERT_EQUAL(r.status, 0);
	ASSERT_CONTAINS(r.err, "whole system");
	json_t *res = json_loads(r.out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT(json_number_value(json_object_get(res, "duration")) > 0.2);
	CU_ASSERT(energy_of(res, NULL, "system") > 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "target_pid")), 0);
	json_decref(res);
}

static void test_command_not_found(void)
{
	static struct run r;
	const char *args[] = {"--no-files", "--plugins", "testpower", "--", "/nonexistent/cmd", NULL};
	run_cli(&r, args, 0);
	CU_ASSERT_EQUAL(r.status, 127);
	ASSERT_CONTAINS(r.err, "/nonexistent/cmd");
}

static void test_list_plugins(void)
{
	static struct run r;
	const char *args[] = {"--list-plugins", NULL};
	run_cli(&r, args, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	ASSERT_CONTAINS(r.out, "testpower");
	ASSERT_CONTAINS(r.out, "unavailable");
	ASSERT_CONTAINS(r.out, "no such hardware: /dev/nothing does not exist");
	ASSERT_CONTAINS(r.out, "ABI 99.0");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	energymon = argv[1];
	snprintf(work, sizeof(work), "/tmp/energymon-cli-XXXXXX");
	if (!mkdtemp(work))
		return 2;
	CU_TestInfo tests[] = {
		{"exit status is the command's", test_exit_status_is_the_commands},
		{"SIGTERM is forwarded, results kept", test_sigterm_is_forwarded_and_results_kept},
		{"--json output", test_json_output},
		{"errors name the key and run nothing", test_errors_name_the_key_and_run_nothing},
		{"--allow-unavailable runs the command, says why", test_allow_unavailable_runs_the_command_and_says_why},
		{"without a command: measures until interrupted", test_without_a_command_measures_until_interrupted},
		{"command not found", test_command_not_found},
		{"--list-plugins", test_list_plugins},
		CU_TEST_INFO_NULL,
	};
	return run_suite("cli", tests);
}
