/*
 * Whether a plugin file may be loaded: energymon often runs as root, so a
 * plugin is only as safe as the least trusted user who could have replaced
 * it. That is anyone who owns, or may write to, the file or any directory
 * above it. Symlinks are resolved first, so a link from a safe directory
 * into an unsafe one is judged by where it leads.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static const char *writable_by(mode_t mode)
{
	return (mode & S_IWOTH) ? "world-writable" : "group-writable";
}

/* The one refusal message: what is wrong, then what would be accepted. */
static int refuse(struct em_error *err, const char *path, const char *resolved, const char *problem)
{
	char shown[2 * PATH_MAX + 32];
	if (strcmp(path, resolved) != 0)
		snprintf(shown, sizeof(shown), "%s (resolved to %s)", path, resolved);
	else
		snprintf(shown, sizeof(shown), "%s", path);
	unsigned euid = (unsigned)geteuid();
	return em_fail(err, -EPERM,
	               "%s: refusing to load plugin: %s; accepted: the file and every directory above it owned by "
	               "root or uid %u (this process) and not writable by group or others, except a sticky "
	               "world-writable directory such as /tmp above a directory owned by root or uid %u",
	               shown, problem, euid, euid);
}

/* One directory above the plugin. child_is_dir: the next path component
 * down is a directory (whose owner was already checked). */
static int check_dir(const char *path, const char *resolved, const char *dir, bool child_is_dir,
                     struct em_error *err)
{
	struct stat st;
	char problem[PATH_MAX + 128];
	if (lstat(dir, &st) != 0)
		return em_fail(err, -errno, "%s: cannot check directory %s: %s", path, dir, strerror(errno));
	if (!trusted_owner(st.st_uid)) {
		snprintf(problem, sizeof(problem), "directory %s is owned by uid %u (mode %04o)", dir,
		         (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return refuse(err, path, resolved, problem);
	}
	if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	/* In a sticky directory only an entry's owner may rename or remove it,
	 * so a trusted directory below one cannot be swapped. A plugin directly
	 * in a shared directory like /tmp is still refused: anyone may add
	 * files beside it, so it is no place to look for plugins. */
	if ((st.st_mode & S_ISVTX) && child_is_dir)
		return 0;
	snprintf(problem, sizeof(problem), "directory %s has mode %04o (%s%s)", dir, (unsigned)(st.st_mode & 07777),
	         writable_by(st.st_mode),
	         (st.st_mode & S_ISVTX) ? ", sticky, but the plugin file sits directly in it" : ", not sticky");
	return refuse(err, path, resolved, problem);
}

/* "/a/b" -> "/a", "/a" -> "/", "a" -> unchanged and false */
static bool cut_to_parent(char *path)
{
	char *slash = strrchr(path, '/');
	if (!slash)
		return false;
	slash[slash == path ? 1 : 0] = '\0';
	return true;
}

/* Every directory above `from` (a file, or with from_is_dir, `from` itself
 * and those above it), up to "/". realpath() left no symlink, "." or "..". */
static int check_ancestors(const char *path, const char *resolved, const char *from, bool from_is_dir,
                           struct em_error *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", from);
	bool child_is_dir = false;
	if (from_is_dir) {
		int rc = check_dir(path, resolved, dir, false, err);
		if (rc || strcmp(dir, "/") == 0)
			return rc;
		child_is_dir = true;
	}
	for (;;) {
		if (!cut_to_parent(dir))
			return 0;
		int rc = check_dir(path, resolved, dir, child_is_dir, err);
		if (rc || strcmp(dir, "/") == 0)
			return rc;
		child_is_dir = true;
	}
}

int em_plugin_path_trusted(const char *path, char *resolved, size_t len, struct em_error *err)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return em_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (strlen(real) >= len)
		return em_fail(err, -ENAMETOOLONG, "%s: resolved path %s is too long", path, real);
	snprintf(resolved, len, "%s", real);

	struct stat st;
	char problem[256];
	if (lstat(real, &st) != 0)
		return em_fail(err, -errno, "%s: %s", real, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return em_fail(err, -EPERM, "%s: refusing to load plugin: not a regular file", path);
	if (!trusted_owner(st.st_uid)) {
		snprintf(problem, sizeof(problem), "the file is owned by uid %u (mode %04o)", (unsigned)st.st_uid,
		         (unsigned)(st.st_mode & 07777));
		return refuse(err, path, real, problem);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(problem, sizeof(problem), "the file has mode %04o (%s)", (unsigned)(st.st_mode & 07777),
		         writable_by(st.st_mode));
		return refuse(err, path, real, problem);
	}
	/* where the name was found, if a symlink led elsewhere: whoever may
	 * write there could point the link at another file */
	char lookup[PATH_MAX], where[PATH_MAX], real_dir[PATH_MAX];
	snprintf(lookup, sizeof(lookup), "%s", path);
	if (!cut_to_parent(lookup))
		snprintf(lookup, sizeof(lookup), ".");
	if (!realpath(lookup, where))
		return em_fail(err, -errno, "%s: %s", lookup, strerror(errno));
	snprintf(real_dir, sizeof(real_dir), "%s", real);
	cut_to_parent(real_dir);
	int rc = check_ancestors(path, real, real, false, err);
	if (!rc && strcmp(where, real_dir) != 0)
		rc = check_ancestors(path, real, where, true, err);
	return rc;
}
