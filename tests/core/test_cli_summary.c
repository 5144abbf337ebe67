/* The summary the energymon command prints on stderr: coverage of a run with
 * gaps, the interval asked and the one used, and plugins' warnings.
 * argv[1] is the energymon binary. */
#include "cli_harness.h"
#include "test_util.h"

#include <limits.h>
#include <sys/stat.h>

static struct cli_run r;

/* Run energymon with args (NULL-terminated), its files going to a fresh
 * directory; returns its exit status and leaves its stderr in r.err. */
static int run_cli(const char *const *args)
{
	static int runs;
	char dir[PATH_MAX], out_dir[PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "%s/run-%d", cli_work_dir(), ++runs);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	snprintf(out_dir, sizeof(out_dir), "%s/energy_data", dir);
	const char *argv[32] = {"--output-dir", out_dir};
	size_t n = 2;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	CU_ASSERT_FATAL(cli_run_to_end(&r, argv));
	return r.status;
}

static void test_a_run_with_gaps_says_what_it_covered(void)
{
	/* every sample from 0.2 s to 0.8 s fails: ~30 of them at 0.02 s */
	const char *args[] = {"--plugins", "testpower", "--interval", "0.02", "--set", "testpower_fail_from=0.2",
	                      "--set", "testpower_fail_to=0.8", "--", "sleep", "1", NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	const char *line = strstr(r.err, "covered ");
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
	CU_ASSERT_PTR_NULL(strstr(r.err, "covered "));
}

/* testpower asks for at most 0.5 x 10 J / 50 W = 0.1 s between samples */
static void test_the_interval_asked_and_the_one_used_are_both_printed(void)
{
	const char *args[] = {"--plugins", "testpower", "--interval", "0.2", "--set", "testpower_counter_max=10",
	                      "--", "sleep", "0", NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	ASSERT_CONTAINS(r.err, "interval 0.200 s asked, 0.100 s used");
}

static void test_plugin_warnings_reach_stderr(void)
{
	const char *args[] = {"--plugins", "testpower", "--interval", "0.05", "--set",
	                      "testpower_warning=password file is readable by others", "--", "sleep", "0", NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	ASSERT_CONTAINS(r.err, "\nenergymon: warning: testpower: password file is readable by others\n");
}

/* A source abandoned 0.3 s into a 1.3 s run: it covered 0.3 s of the
 * run's 1.3 s (not of its own 0.3 s), and the summary says it was
 * abandoned, once. */
static void test_an_abandoned_source_is_covered_against_the_run(void)
{
	char trigger[PATH_MAX], script[PATH_MAX + 64];
	cli_fresh_dir(trigger, sizeof(trigger), "abandoned");
	snprintf(trigger + strlen(trigger), sizeof(trigger) - strlen(trigger), "/trigger");
	snprintf(script, sizeof(script), "sleep 0.3; touch %s; sleep 1", trigger);
	char set_trigger[PATH_MAX + 32];
	snprintf(set_trigger, sizeof(set_trigger), "crasher_trigger=%s", trigger);
	const char *args[] = {"--plugins", "testpower,crasher", "--interval", "0.1", "--set", "crasher_how=hang",
	                      "--set", set_trigger, "--", "sh", "-c", script, NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	const char *line = strstr(r.err, "covered ");
	double covered = 0, of = 0;
	CU_ASSERT_EQUAL_FATAL(line ? sscanf(line, "covered %lf s of %lf s", &covered, &of) : 0, 2);
	CU_ASSERT(covered < 0.9);
	CU_ASSERT(of >= 1.2); /* was 0.3: the source's own duration */
	ASSERT_CONTAINS(r.err, "\n         abandoned: sample() did not return within");
	CU_ASSERT_EQUAL(cli_count(r.err, "did not return within"), 1);
}

/* Readings dropped beyond energy_max_series make a source incomplete with
 * no gap: the summary says why. */
static void test_dropped_readings_are_named(void)
{
	const char *args[] = {"--plugins", "sensornames", "--set", "sensornames_new_per_call=50", "--set",
	                      "energy_max_series=10", "--interval", "0.01", "--", "sleep", "0.2", NULL};
	CU_ASSERT_EQUAL(run_cli(args), 0);
	ASSERT_CONTAINS(r.err, " readings of series beyond energy_max_series (10)\n");
}

int main(int argc, char **argv)
{
	if (cli_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: %s ENERGYMON_BINARY\n", argv[0]);
		return 2;
	}
	CU_TestInfo tests[] = {
		{"a run with gaps says what it covered", test_a_run_with_gaps_says_what_it_covered},
		{"the interval asked and the one used are both printed",
		 test_the_interval_asked_and_the_one_used_are_both_printed},
		{"plugin warnings reach stderr", test_plugin_warnings_reach_stderr},
		{"an abandoned source is covered against the run", test_an_abandoned_source_is_covered_against_the_run},
		{"dropped readings are named", test_dropped_readings_are_named},
		CU_TEST_INFO_NULL,
	};
	int rc = run_suite("cli summary", tests);
	cli_remove_work_dir();
	return rc;
}
