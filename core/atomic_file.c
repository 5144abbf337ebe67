/*
 * Writing results so that no reader ever sees half a file and concurrent
 * writers never corrupt each other: per-call files are written to a
 * temporary name in the same directory and renamed over; shared summaries
 * are appended one line per write() under an exclusive lock.
 *
 * The output directory may be shared (0777/1777) and we may be root, so no
 * file in it is trusted: nothing is opened through a symbolic link, a FIFO
 * never blocks us, and only a regular file owned by us or root, with one
 * link, is written to.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ACCEPTED "energymon writes only to regular files owned by uid %u or root, with no other hard link"
/* writers hold the summary's lock for one write(); one that holds it this
 * long is stuck (or hostile: any reader can flock a 0644 file) */
#define LOCK_WAIT_S 30
#define LOCK_POLL_MS 2

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

static const char *kind_of(mode_t mode)
{
	return S_ISLNK(mode) ? "a symbolic link" : S_ISFIFO(mode) ? "a FIFO" : S_ISDIR(mode) ? "a directory"
	       : S_ISSOCK(mode) ? "a socket" : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "not a regular file";
}

/* st describes what is (or will be replaced) at path */
static int refuse_untrusted(const char *path, const struct stat *st, bool check_links, struct em_error *err)
{
	uid_t me = geteuid();
	if (!S_ISREG(st->st_mode))
		return em_fail(err, -EPERM, "%s: refusing %s; " ACCEPTED, path, kind_of(st->st_mode), (unsigned)me);
	if (st->st_uid != me && st->st_uid != 0)
		return em_fail(err, -EPERM, "%s: refusing a file owned by uid %u; " ACCEPTED, path,
		               (unsigned)st->st_uid, (unsigned)me);
	if (check_links && st->st_nlink > 1)
		return em_fail(err, -EPERM, "%s: refusing a file with %lu hard links; " ACCEPTED, path,
		               (unsigned long)st->st_nlink, (unsigned)me);
	return 0;
}

/* flags include the access mode. O_NONBLOCK only so that opening a FIFO
 * cannot hang; cleared once we know the file is regular. */
static int open_output(const char *path, int flags, struct em_error *err)
{
	/* checked before open() too: the kernel's protected_fifos/regular may
	 * refuse first, with a less helpful EACCES */
	struct stat st;
	if (lstat(path, &st) == 0) {
		int rc = refuse_untrusted(path, &st, true, err);
		if (rc)
			return rc;
	}
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP)
			return em_fail(err, -ELOOP, "%s: refusing a symbolic link; " ACCEPTED, path, (unsigned)geteuid());
		if (e == ENXIO)
			return em_fail(err, -ENXIO, "%s: refusing a FIFO or device; " ACCEPTED, path, (unsigned)geteuid());
		return em_fail(err, -e, "%s: cannot open for writing: %s", path, strerror(e));
	}
	int rc = fstat(fd, &st) == 0 ? refuse_untrusted(path, &st, true, err)
	                             : em_fail(err, -errno, "%s: cannot stat: %s", path, strerror(errno));
	int fl = rc ? -1 : fcntl(fd, F_GETFL);
	if (!rc && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0))
		rc = em_fail(err, -errno, "%s: cannot clear O_NONBLOCK: %s", path, strerror(errno));
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
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
	/* rename() never follows a link, but a planted file at our name is
	 * refused rather than silently replaced */
	struct stat st;
	if (lstat(path, &st) == 0) {
		int rc = refuse_untrusted(path, &st, false, err);
		if (rc)
			return rc;
	} else if (errno != ENOENT) {
		return em_fail(err, -errno, "%s: cannot stat: %s", path, strerror(errno));
	}
	/* mkstemp creates with O_EXCL: it never opens an existing file or link */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return em_fail(err, -errno, "%s: cannot create a temporary file in %s: %s", path, dir, strerror(errno));
	if (fstat(fd, &st) != 0 || refuse_untrusted(tmp, &st, true, err) != 0) {
		close(fd);
		unlink(tmp);
		return em_fail(err, -EPERM, "%s: the temporary file %s is not ours: refusing to write", path, tmp);
	}
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
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int lock_bounded(int fd)
{
	const struct timespec pause = {0, LOCK_POLL_MS * 1000 * 1000};
	int64_t deadline = em_now_ns(CLOCK_MONOTONIC) + (int64_t)LOCK_WAIT_S * 1000000000;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (em_now_ns(CLOCK_MONOTONIC) > deadline)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
	return 0;
}

/* A line torn by an earlier failure (no final newline) must not swallow ours. */
static bool ends_mid_line(int fd, off_t size)
{
	char last;
	return size > 0 && pread(fd, &last, 1, size - 1) == 1 && last != '\n';
}

int em_append_line_locked(const char *dir, const char *name, const char *line, struct em_error *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open_output(path, O_RDWR | O_APPEND | O_CREAT, err);
	if (fd < 0)
		return fd;
	size_t len = strlen(line);
	char *buf = malloc(len + 3);
	if (!buf) {
		close(fd);
		return em_fail(err, -ENOMEM, "out of memory");
	}
	/* O_APPEND makes each write land at the end; the lock keeps a line that
	 * needs more than one write() from interleaving with another writer's */
	int rc = lock_bounded(fd);
	if (rc) {
		close(fd);
		free(buf);
		if (rc == -ETIMEDOUT)
			return em_fail(err, rc, "%s: another process held its lock for %d s", path, LOCK_WAIT_S);
		return em_fail(err, rc, "%s: cannot lock: %s", path, strerror(-rc));
	}
	struct stat st;
	bool restored = true;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
	} else {
		size_t n = 0;
		if (ends_mid_line(fd, st.st_size))
			buf[n++] = '\n';
		memcpy(buf + n, line, len);
		n += len;
		buf[n++] = '\n';
		rc = write_all(fd, buf, n);
		/* a short write (full disk, file size limit) leaves no partial line */
		if (rc)
			restored = ftruncate(fd, st.st_size) == 0;
	}
	flock(fd, LOCK_UN);
	if (close(fd) != 0 && !rc)
		rc = -errno;
	free(buf);
	if (rc)
		return em_fail(err, rc, "%s: cannot append: %s%s", path, strerror(-rc),
		               restored ? " (the file is back to its size before)" : " (and cannot truncate it back)");
	return 0;
}
