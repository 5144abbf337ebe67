/*
 * Whether energymon may write into an output directory. It often runs as
 * root in shared places (a 1777 /tmp, a worker's scratch dir), where another
 * user can plant a symlink named like the output directory, or like one of
 * its parents, and so make root write wherever they choose. The files inside
 * are checked when opened (atomic_file.c); this checks the way to them.
 *
 * Rule, for every part of the path that already exists:
 * - a directory must be owned by root or the effective user, unless its
 *   parent is one nobody else can rename entries in (then it is only passed
 *   through: the last existing directory, which we write in, must be ours);
 * - a symbolic link must be owned by root or the effective user and sit in a
 *   directory nobody else can rename entries in; then it is followed;
 * "Nobody else can rename entries in" means: owned by root or the effective
 * user, and either not writable by group or others, or sticky (like /tmp).
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ACCEPTED "accepted: directories and links owned by root or uid %u, in directories that only their " \
	"owner may change (not writable by group or others, or sticky)"

static bool ours(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

static bool entries_protected(const struct stat *dir)
{
	return ours(dir) && (!(dir->st_mode & (S_IWGRP | S_IWOTH)) || (dir->st_mode & S_ISVTX));
}

/* Replace path[0..len) (a trusted link) by where it leads; keep the rest. */
static int follow(char *path, size_t len, const char *dir, struct em_error *err)
{
	char head[PATH_MAX], real[PATH_MAX], joined[PATH_MAX];
	snprintf(head, sizeof(head), "%.*s", (int)len, path);
	if (!realpath(head, real))
		return em_fail(err, -errno, "%s: cannot resolve %s: %s", dir, head, strerror(errno));
	if (snprintf(joined, sizeof(joined), "%s%s", real, path + len) >= (int)sizeof(joined))
		return em_fail(err, -ENAMETOOLONG, "%s: path too long", dir);
	memcpy(path, joined, strlen(joined) + 1);
	return (int)strlen(real);
}

int em_output_dir_trusted(const char *dir, struct em_error *err)
{
	char path[PATH_MAX];
	int n = dir[0] == '/' ? snprintf(path, sizeof(path), "%s", dir) : 0;
	if (dir[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return em_fail(err, -errno, "%s: cannot read the working directory: %s", dir, strerror(errno));
		n = snprintf(path, sizeof(path), "%s/%s", cwd, dir);
	}
	if (n >= (int)sizeof(path))
		return em_fail(err, -ENAMETOOLONG, "%s: path too long", dir);
	struct stat parent, st;
	if (lstat("/", &parent) != 0)
		return em_fail(err, -errno, "/: %s", strerror(errno));
	bool last_is_ours = ours(&parent);
	size_t i = 1;
	for (int hops = 0; path[i - 1] != '\0';) {
		size_t end = i;
		while (path[end] && path[end] != '/')
			end++;
		if (end == i) { /* "//" or a trailing "/" */
			if (!path[end])
				break;
			i = end + 1;
			continue;
		}
		char saved = path[end];
		path[end] = '\0';
		int r = lstat(path, &st), e = errno;
		path[end] = saved;
		if (r != 0) {
			if (e == ENOENT)
				break; /* em_mkdir_p creates the rest: ours by construction */
			return em_fail(err, -e, "%s: %.*s: %s", dir, (int)end, path, strerror(e));
		}
		if (S_ISLNK(st.st_mode)) {
			if (!ours(&st) || !entries_protected(&parent))
				return em_fail(err, -EPERM, "%s: refusing the symbolic link %.*s (owner uid %u, in a directory "
				               "of uid %u, mode %04o); " ACCEPTED, dir, (int)end, path, (unsigned)st.st_uid,
				               (unsigned)parent.st_uid, (unsigned)(parent.st_mode & 07777),
				               (unsigned)geteuid());
			if (++hops > 40)
				return em_fail(err, -ELOOP, "%s: too many symbolic links", dir);
			int len = follow(path, end, dir, err);
			if (len < 0)
				return len;
			/* walk where the link leads from the top again */
			if (lstat("/", &parent) != 0)
				return em_fail(err, -errno, "/: %s", strerror(errno));
			last_is_ours = ours(&parent);
			i = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			return em_fail(err, -ENOTDIR, "%s: %.*s is not a directory", dir, (int)end, path);
		if (!ours(&st) && !entries_protected(&parent))
			return em_fail(err, -EPERM, "%s: refusing %.*s: a directory of uid %u in a directory others may "
			               "change; " ACCEPTED, dir, (int)end, path, (unsigned)st.st_uid, (unsigned)geteuid());
		last_is_ours = ours(&st);
		parent = st;
		if (!path[end])
			break;
		i = end + 1;
	}
	if (!last_is_ours)
		return em_fail(err, -EPERM, "%s: refusing to write in a directory owned by uid %u; " ACCEPTED, dir,
		               (unsigned)parent.st_uid, (unsigned)geteuid());
	return 0;
}
