/*
 * Writing results so that no reader ever sees half a file and concurrent
 * writers never corrupt each other: per-call files are written to a
 * temporary name in the same directory and renamed over; shared summaries
 * are appended one line per write() under an exclusive lock.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int em_mkdir_p(const char *dir, struct em_error *err)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return em_fail(err, -ENAMETOOLONG, "%s: path too long", dir);
	for (char *p = path + 1;; p++) {
		bool end = *p == '\0';
		if (*p == '/' || end) {
			*p = '\0';
			/* 0755 whatever the umask: readers are often other users' tools */
			if (mkdir(path, 0755) == 0)
				chmod(path, 0755);
			else if (errno != EEXIST)
				return em_fail(err, -errno, "%s: cannot create directory: %s", path, strerror(errno));
			if (end)
				break;
			*p = '/';
		}
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return em_fail(err, -ENOTDIR, "%s: not a directory", dir);
	return 0;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int em_write_file_atomic(const char *dir, const char *name, const char *text, struct em_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return em_fail(err, -errno, "%s: cannot create a temporary file in %s: %s", path, dir, strerror(errno));
	int rc = write_all(fd, text, strlen(text));
	if (!rc && fchmod(fd, 0644) != 0)
		rc = -errno;
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return em_fail(err, rc, "%s: cannot write: %s", path, strerror(-rc));
	}
	/* make the rename itself durable */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int em_append_line_locked(const char *dir, const char *name, const char *line, struct em_error *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return em_fail(err, -errno, "%s: cannot open for appending: %s", path, strerror(errno));
	size_t len = strlen(line);
	char *buf = malloc(len + 2);
	if (!buf) {
		close(fd);
		return em_fail(err, -ENOMEM, "out of memory");
	}
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* O_APPEND makes each write land at the end; the lock keeps a line that
	 * needs more than one write() from interleaving with another writer's */
	int rc = flock(fd, LOCK_EX) == 0 ? write_all(fd, buf, len + 1) : -errno;
	flock(fd, LOCK_UN);
	if (close(fd) != 0 && !rc)
		rc = -errno;
	free(buf);
	if (rc)
		return em_fail(err, rc, "%s: cannot append: %s", path, strerror(-rc));
	return 0;
}
