/*
 * Checks on what becomes part of an output path, made once here so the CLI
 * can refuse bad input before the command runs, with the same rule that
 * em_monitor_write_files() applies after it.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int em_check_file_key(const char *what, const char *value, struct em_error *err)
{
	static const char accepted[] = "accepted: 1 to 80 bytes of UTF-8 without '/' or control characters, "
	                               "other than '.' and '..'";
	if (!value || !*value)
		return em_fail(err, -EINVAL, "%s: empty; %s", what, accepted);
	size_t len = strlen(value);
	if (len > EM_FILE_KEY_MAX)
		return em_fail(err, -EINVAL, "%s: %zu bytes is too long for a file name part; %s", what, len,
		               accepted);
	if (!strcmp(value, ".") || !strcmp(value, ".."))
		return em_fail(err, -EINVAL, "%s: '%s' cannot be part of a file name; %s", what, value, accepted);
	/* Control characters first, and then the value is never echoed: one
	 * could rewrite the terminal or forge a line in a log. */
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return em_fail(err, -EINVAL, "%s: contains control character 0x%02x at byte %zu; %s", what,
			               *p, (size_t)(p - (const unsigned char *)value), accepted);
	/* the files are JSON, which holds only UTF-8 */
	long bad = em_utf8_invalid_at(value);
	if (bad >= 0)
		return em_fail(err, -EINVAL, "%s: byte %ld is not UTF-8; %s", what, bad, accepted);
	if (strchr(value, '/'))
		return em_fail(err, -EINVAL, "%s: '%s' contains '/'; %s", what, value, accepted);
	return 0;
}

static int writable_dir(const char *dir, const char *asked, struct em_error *err)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return em_fail(err, -errno, "%s: %s", asked, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return em_fail(err, -ENOTDIR, "%s: %s is not a directory; the output directory must be a directory "
		               "or a path that can be created", asked, dir);
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
		return em_fail(err, -errno, "%s: cannot write in %s: %s", asked, dir, strerror(errno));
	return 0;
}

int em_check_output_dir(const char *dir, struct em_error *err)
{
	if (!dir || !*dir)
		return em_fail(err, -EINVAL, "output directory: empty; expected a directory path");
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return em_fail(err, -ENAMETOOLONG, "%s: path too long", dir);
	int rc = em_output_dir_trusted(dir, err);
	if (rc)
		return rc;
	/* The nearest existing ancestor decides: em_mkdir_p creates the rest. */
	struct stat st;
	while (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return em_fail(err, errno == ENOTDIR ? -ENOTDIR : -errno, "%s: %s%s", dir, strerror(errno),
			               errno == ENOTDIR ? " (a part of the path is a file)" : "");
		char *parent = dirname(path);
		if (parent != path)
			memmove(path, parent, strlen(parent) + 1);
		if (!strcmp(path, ".") || !strcmp(path, "/"))
			break;
	}
	return writable_dir(path, dir, err);
}
