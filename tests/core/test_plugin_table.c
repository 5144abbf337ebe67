/* `energymon --list-plugins` as a user reads it: each plugin's version,
 * ABI and the keys it reads with type, default and meaning. argv[1] is the
 * energymon binary; ENERGYMON_PLUGIN_PATH holds the test plugins. */
#include "test_util.h"

#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *energymon;
static char work[] = "/tmp/energymon-table-XXXXXX";

struct run {
	int status;
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

static void list_plugins(struct run *r)
{
	char out[PATH_MAX], err[PATH_MAX];
	snprintf(out, sizeof(out), "%s/stdout", work);
	snprintf(err, sizeof(err), "%s/stderr", work);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	char *argv[] = {(char *)energymon, "--list-plugins", NULL};
	pid_t pid;
	CU_ASSERT_EQUAL_FATAL(posix_spawn(&pid, energymon, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	int st;
	CU_ASSERT_FATAL(waitpid(pid, &st, 0) == pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
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
	static struct run r;
	char line[1024];
	list_plugins(&r);
	CU_ASSERT_EQUAL(r.status, 0);
	ASSERT_CONTAINS(r.out, "testpower version 1.0.0  ABI 1.0  available");
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
	ASSERT_CONTAINS(r.out, "foreignkey version 0.0.1  ABI 1.0  unavailable");
	ASSERT_CONTAINS(r.out, "declares the key 'ipmi_host' outside its own prefix");
}

static void test_relative_search_path_entry_is_a_usage_error(void)
{
	static struct run r;
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
	if (argc < 2 || !mkdtemp(work))
		return 1;
	energymon = argv[1];
	CU_TestInfo tests[] = {
		{"shows version, keys, types and defaults", test_shows_version_keys_types_and_defaults},
		{"relative search path entry is a usage error", test_relative_search_path_entry_is_a_usage_error},
		CU_TEST_INFO_NULL,
	};
	int rc = run_suite("plugin table", tests);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/stdout", work);
	unlink(path);
	snprintf(path, sizeof(path), "%s/stderr", work);
	unlink(path);
	rmdir(work);
	return rc;
}
