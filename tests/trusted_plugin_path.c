/*
 * Runs one test (argv[1...]) with plugin directories the loader trusts.
 *
 * The tests point ENERGYMON_PLUGIN_PATH (and the variables below) at the
 * build tree. The loader refuses a plugin when any directory above it is
 * owned by another user or writable by group or others, which is right for
 * the build tree too when, say, root runs the tests in a user's clone. Then
 * this copies those directories' plugins into a fresh root-owned 0755
 * directory under /tmp, points the variables there, runs the test and
 * removes the copy. When the build tree passes, it just runs the test.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const path_vars[] = {"ENERGYMON_PLUGIN_PATH", "ENERGYMON_REAL_PLUGIN_PATH",
                                        "ENERGYMON_TEST_PLUGIN_DIR", "ENERGYMON_TEST_FOREIGN_DIR", NULL};

struct stage {
	char root[64];       /* the copy's root, "" until needed */
	char *from[64];      /* directories copied, stage/<i> holds from[i] */
	size_t n;
};

static bool is_so(const char *name)
{
	size_t len = strlen(name);
	return len > 3 && strcmp(name + len - 3, ".so") == 0;
}

/* The loader's own verdict on the first plugin file in dir (why gets it). */
static bool dir_untrusted(const char *dir, char *why, size_t len)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *e;
	bool refused = false;
	while (!refused && (e = readdir(d))) {
		if (!is_so(e->d_name))
			continue;
		char path[PATH_MAX], real[PATH_MAX];
		struct em_error err = {0};
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		refused = em_plugin_path_trusted(path, real, sizeof(real), &err) == -EPERM;
		snprintf(why, len, "%s", err.message);
	}
	closedir(d);
	return refused;
}

static int copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	if (in >= 0)
		out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n = 0;
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (out >= 0 && n == 0 && fchmod(out, 0755) == 0)
		rc = 0;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* stage/<i>, holding a copy of dir's *.so files; NULL on failure */
static const char *stage_dir(struct stage *st, const char *dir)
{
	static char path[PATH_MAX];
	size_t i = 0;
	while (i < st->n && strcmp(st->from[i], dir) != 0)
		i++;
	snprintf(path, sizeof(path), "%s/%zu", st->root, i);
	if (i < st->n)
		return path;
	if (i == sizeof(st->from) / sizeof(st->from[0]) || mkdir(path, 0700) != 0 || chmod(path, 0755) != 0)
		return NULL;
	st->from[st->n++] = strdup(dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char src[PATH_MAX], dst[PATH_MAX];
		snprintf(src, sizeof(src), "%s/%s", dir, e->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", path, e->d_name);
		struct stat sb;
		if (is_so(e->d_name) && stat(src, &sb) == 0 && S_ISREG(sb.st_mode) && copy_file(src, dst) != 0) {
			fprintf(stderr, "trusted_plugin_path: cannot copy %s to %s: %s\n", src, dst, strerror(errno));
			closedir(d);
			return NULL;
		}
	}
	if (d)
		closedir(d);
	return path;
}

/* Rewrite one variable, entry by entry. 1: changed, 0: not, -1: failed. */
static int rewrite(struct stage *st, const char *var)
{
	const char *value = getenv(var);
	if (!value || !*value)
		return 0;
	char *copy = strdup(value), *save = NULL, out[8192] = "", why[1024];
	int changed = 0;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		const char *use = dir;
		if (dir[0] == '/' && dir_untrusted(dir, why, sizeof(why))) {
			if (!st->root[0]) {
				snprintf(st->root, sizeof(st->root), "/tmp/energymon-plugins-XXXXXX");
				if (!mkdtemp(st->root) || chmod(st->root, 0755) != 0)
					return free(copy), -1;
			}
			if (!(use = stage_dir(st, dir)))
				return free(copy), -1;
			fprintf(stderr, "trusted_plugin_path: %s: using a copy in %s, because %s\n", var, use, why);
			changed = 1;
		}
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? ":" : "", use);
	}
	free(copy);
	if (changed)
		setenv(var, out, 1);
	return changed;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)type, (void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: trusted_plugin_path COMMAND [ARGS...]\n");
		return 2;
	}
	struct stage st = {0};
	for (size_t i = 0; path_vars[i]; i++)
		if (rewrite(&st, path_vars[i]) < 0) {
			fprintf(stderr, "trusted_plugin_path: cannot stage %s: %s\n", path_vars[i], strerror(errno));
			return 1;
		}
	if (!st.root[0]) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "trusted_plugin_path: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "trusted_plugin_path: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	nftw(st.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < st.n; i++)
		free(st.from[i]);
	if (pid < 0)
		return 1;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
