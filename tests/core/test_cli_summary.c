/* The summary the energymon command prints on stderr: coverage of a run with
 * gaps, the interval asked and the one used, and plugins' warnings.
 * argv[1] is the energymon binary. */
#include "test_util.h"

#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *energymon;
static char err_text[65536];

/* Run energymon with args (NULL-terminated); returns its exit status and
 * leaves its stderr in err_text. */
static int run_cli(const char *const *args)
{
	char work[] = "/tmp/energymon-cli-summary-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(work) != NULL);
	char err_path[PATH_MAX], out_dir[PATH_MAX];
	snprintf(err_path, sizeof(err_path), "%s/stderr", work);
	snprintf(out_dir, sizeof(out_dir), "%s/energy_data", work);
	char *argv[32];
	size_t n = 0;
	argv[n++] = (char *)energymon;
	argv[n++] = "--output-dir";
	argv[n++] = out_dir;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	CU_ASSERT_EQUAL_FATAL(posix_spawn(&pid, energymon, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	int st;
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &st, 0), pid);
	FILE *f = fopen(err_path, "r");
	size_t len = f ? fread(err_text, 1, sizeof(err_text) - 1, f) : 0;
	err_text[len] = '\0';
	if (f)
		fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_a_run_with_gaps_says_what_it_covered(void)
{
	/* every sample from 0.2 s to 0.8 s fails: ~30 of them at 0.02 s */
	const char *args[] = {"--plugins", "testpower", "--interval", "0.02", "--set", "testpower_fail_from=0.2",
	                      "--set", "testpower_fail_to=0.8", "--", "sleep", "1", NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	const char *line = strstr(err_text, "covered ");
	ASSERT_CONTAINS(line, " s of ");
	double covered = 0, of = 0, from = 0, to = 0;
	CU_ASSERT_EQUAL_FATAL(line ? sscanf(line, "covered %lf s of %lf s (gaps: %lf-%lf s)", &covered, &of, &from, &to)
	                           : 0, 4);
	/* no sample can succeed inside the failing span, wherever the late ones fell */
	CU_ASSERT(covered > 0 && covered <= of - 0.6 + 0.1);
	CU_ASSERT(from <= 0.2 + 0.05 && to >= 0.8 - 0.05 && to <= of);
	/* what is not covered is the gap (each number rounded to 0.1 s) */
	CU_ASSERT_DOUBLE_EQUAL(of - covered, to - from, 0.15);
	/* a complete run says nothing about coverage (not "true": the CLI reads
	 * that command name as JSON, issue 9 item 17) */
	const char *full[] = {"--plugins", "testpower", "--interval", "0.02", "--", "sleep", "0", NULL};
	CU_ASSERT_EQUAL(run_cli(full), 0);
	CU_ASSERT_PTR_NULL(strstr(err_text, "covered "));
}

/* testpower asks for at most 0.5 x 10 J / 50 W = 0.1 s between samples */
static void test_the_interval_asked_and_the_one_used_are_both_printed(void)
{
	const char *args[] = {"--plugins", "testpower", "--interval", "0.2", "--set", "testpower_counter_max=10",
	                      "--", "sleep", "0", NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	ASSERT_CONTAINS(err_text, "interval 0.200 s asked, 0.100 s used");
}

static void test_plugin_warnings_reach_stderr(void)
{
	const char *args[] = {"--plugins", "testpower", "--interval", "0.05", "--set",
	                      "testpower_warning=password file is readable by others", "--", "sleep", "0", NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	ASSERT_CONTAINS(err_text, "\nenergymon: warning: testpower: password file is readable by others\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s ENERGYMON_BINARY\n", argv[0]);
		return 2;
	}
	energymon = argv[1];
	CU_TestInfo tests[] = {
		{"a run with gaps says what it covered", test_a_run_with_gaps_says_what_it_covered},
		{"the interval asked and the one used are both printed",
		 test_the_interval_asked_and_the_one_used_are_both_printed},
		{"plugin warnings reach stderr", test_plugin_warnings_reach_stderr},
		CU_TEST_INFO_NULL,
	};
	return run_suite("cli summary", tests);
}
