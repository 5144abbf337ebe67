#include "plugin_stage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int find_plugin(const char *name, char *out, size_t len)
{
	const char *path = getenv("ENERGYMON_PLUGIN_PATH");
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && (size_t)snprintf(out, len, "%.*s/%s.so", (int)n, path, name) < len &&
		    access(out, R_OK) == 0)
			return 0;
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
	int rc = out < 0 ? -errno : 0;
	char buf[65536];
	while (rc == 0) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		for (ssize_t done = 0; rc == 0 && done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			rc = w < 0 ? -errno : 0;
			done += w > 0 ? w : 0;
		}
	}
	close(in);
	if (out >= 0 && close(out) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int plugin_stage(struct plugin_stage *st, const char *name)
{
	char built[PATH_MAX];
	memset(st, 0, sizeof(*st));
	if (find_plugin(name, built, sizeof(built)) != 0) {
		snprintf(st->error, sizeof(st->error), "%s.so not found on ENERGYMON_PLUGIN_PATH", name);
		return -ENOENT;
	}
	/* /tmp, not $TMPDIR: the copy must be reachable by every user. */
	snprintf(st->dir, sizeof(st->dir), "/tmp/energymon-stage-XXXXXX");
	if (!mkdtemp(st->dir) || chmod(st->dir, 0755) != 0) {
		int rc = -errno;
		snprintf(st->error, sizeof(st->error), "cannot make %s: %s", st->dir, strerror(-rc));
		rmdir(st->dir);
		st->dir[0] = '\0';
		return rc;
	}
	snprintf(st->path, sizeof(st->path), "%s/%s.so", st->dir, name);
	int rc = copy_file(built, st->path);
	if (rc != 0) {
		snprintf(st->error, sizeof(st->error), "cannot copy %s to %s: %s", built, st->path,
			 strerror(-rc));
		plugin_unstage(st);
	}
	return rc;
}

void plugin_unstage(struct plugin_stage *st)
{
	if (!st->dir[0])
		return;
	unlink(st->path);
	rmdir(st->dir);
	st->dir[0] = '\0';
}
