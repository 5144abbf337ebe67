/* `energymon --list-plugins` as a user reads it: each plugin's version,
 * ABI and the keys it reads with type, default and meaning. argv[1] is the
 * energymon binary; ENERGYMON_PLUGIN_PATH holds the test plugins. */
#include "cli_harness.h"
#include "test_util.h"

#include <stdlib.h>

static void list_plugins(struct cli_run *r)
{
	const char *args[] = {"--list-plugins", NULL};
	CU_ASSERT_FATAL(cli_run_to_end(r, args));
}

/* The whole line of `text` that contains `needle` (empty if none). */
static const char *line_with(const char *text, const char *needle, char *line, size_t len)
{
	const char *hit = strstr(text, needle);
	line[0] = '\0';
	if (!hit)
		return line;
	const char *start = hit, *end = strchr(hit, '\n');
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(line, len, "%.*s", (int)((end ? end : hit + strlen(hit)) - start), start);
	return line;
}

static void test_shows_version_keys_types_and_defaults(void)
{
	static struct cli_run r;
	char line[1024];
	list_plugins(&r);
	CU_ASSERT_EQUAL(r.status, 0);
	ASSERT_CONTAINS(r.out, "testpower version 1.0.0  ABI 1.3  available");
	line_with(r.out, "testpower_watts ", line, sizeof(line));
	ASSERT_CONTAINS(line, " number ");
	ASSERT_CONTAINS(line, " 100 ");
	ASSERT_CONTAINS(line, "constant system power, W");
	line_with(r.out, "testpower_silent ", line, sizeof(line));
	ASSERT_CONTAINS(line, " bool ");
	ASSERT_CONTAINS(line, " false ");
	line_with(r.out, "testpower_secret ", line, sizeof(line));
	ASSERT_CONTAINS(line, " string, secret ");
	ASSERT_CONTAINS(line, " none ");
	/* a file that does not load still says why */
	line_with(r.out, "badabi ", line, sizeof(line));
	ASSERT_CONTAINS(line, "does not load");
	ASSERT_CONTAINS(r.out, "plugin ABI 99.0");
	/* one that would be refused at load is not offered as available */
	ASSERT_CONTAINS(r.out, "foreignkey version 0.0.1  ABI 1.3  unavailable");
	ASSERT_CONTAINS(r.out, "declares the key 'ipmi_host' outside its own prefix");
}

static void test_relative_search_path_entry_is_a_usage_error(void)
{
	static struct cli_run r;
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", ".", 1);
	list_plugins(&r);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	CU_ASSERT_EQUAL(r.status, 2);
	ASSERT_CONTAINS(r.err, "ENERGYMON_PLUGIN_PATH: entry '.' is a relative path; accepted: absolute directory");
	CU_ASSERT_STRING_EQUAL(r.out, "");
}

int main(int argc, char **argv)
{
	if (cli_harness_init(argc, argv) != 0)
		return 1;
	CU_TestInfo tests[] = {
		{"shows version, keys, types and defaults", test_shows_version_keys_types_and_defaults},
		{"relative search path entry is a usage error", test_relative_search_path_entry_is_a_usage_error},
		CU_TEST_INFO_NULL,
	};
	int rc = run_suite("plugin table", tests);
	cli_remove_work_dir();
	return rc;
}
