/* safe_file.c — no links followed, no FIFO waited on, no file too large. */
#include "safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode)
{
	return S_ISFIFO(mode) ? "a FIFO" : S_ISDIR(mode) ? "a directory" : S_ISSOCK(mode) ? "a socket"
	       : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "not a regular file";
}

/* O_NONBLOCK only keeps open() from waiting on a FIFO; cleared once the file
 * is known to be regular. Returns the fd or -1 with `why` filled. */
static int open_regular(const char *path, int flags, char *why, size_t why_size, struct stat *st)
{
	/* looked at first too: the kernel's protected_symlinks may refuse the
	 * open with a bare EACCES */
	if (lstat(path, st) == 0 && S_ISLNK(st->st_mode)) {
		snprintf(why, why_size, "a symbolic link (the report follows none)");
		errno = ELOOP;
		return -1;
	}
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		int code = errno;
		if (code == ELOOP)
			snprintf(why, why_size, "a symbolic link (the report follows none)");
		else if (code == ENXIO)
			snprintf(why, why_size, "a FIFO or device, not a regular file");
		else
			snprintf(why, why_size, "%s", strerror(code));
		errno = code;
		return -1;
	}
	int flags_now = fcntl(fd, F_GETFL);
	if (fstat(fd, st) != 0 || flags_now < 0 || fcntl(fd, F_SETFL, flags_now & ~O_NONBLOCK) != 0) {
		int code = errno;
		snprintf(why, why_size, "%s", strerror(code));
		close(fd);
		errno = code;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, why_size, "%s, not a regular file", kind_of(st->st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int safe_file_open_read(const char *path, size_t max_bytes, char *why, size_t why_size)
{
	struct stat st;
	int fd = open_regular(path, O_RDONLY, why, why_size, &st);
	if (fd >= 0 && (size_t)st.st_size > max_bytes) {
		snprintf(why, why_size, "%lld bytes, more than the %zu MiB the report reads from one file",
		         (long long)st.st_size, max_bytes >> 20);
		close(fd);
		errno = EFBIG;
		return -1;
	}
	return fd;
}

FILE *safe_file_open_write(const char *path, char *why, size_t why_size)
{
	struct stat st;
	int fd = open_regular(path, O_WRONLY | O_CREAT, why, why_size, &st);
	if (fd < 0)
		return NULL;
	uid_t me = geteuid();
	if (st.st_uid != me && st.st_uid != 0) {
		snprintf(why, why_size, "owned by uid %u; the report writes only files owned by uid %u or root",
		         (unsigned)st.st_uid, (unsigned)me);
		close(fd);
		return NULL;
	}
	FILE *out = ftruncate(fd, 0) == 0 ? fdopen(fd, "w") : NULL;
	if (out == NULL) {
		snprintf(why, why_size, "%s", strerror(errno));
		close(fd);
	}
	return out;
}
