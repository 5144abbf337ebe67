/* The files --tls-cert, --tls-key and --basic-auth-file name, read with
 * bounded size and never through a symlink (see http.h). */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int agent_http_read_file(const char *what, const char *path, size_t max, unsigned private_bits, char **data,
                         size_t *size, char *why, size_t len)
{
	*data = NULL;
	*size = 0;
	/* O_NONBLOCK: a FIFO planted there cannot hang the start */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		snprintf(why, len, "%s %s: %s", what, path,
		         e == ELOOP ? "is a symbolic link (refused)" : strerror(e));
		return -EINVAL;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		snprintf(why, len, "%s %s: not a regular file", what, path), rc = -EINVAL;
	else if (st.st_mode & private_bits)
		snprintf(why, len, "%s %s: readable or writable by others (mode %04o); chmod 600 it", what, path,
		         (unsigned)(st.st_mode & 07777)),
		    rc = -EINVAL;
	else if ((size_t)st.st_size > max)
		snprintf(why, len, "%s %s: larger than %zu bytes", what, path, max), rc = -EINVAL;
	char *buf = rc ? NULL : malloc(max + 1);
	if (!rc && !buf)
		snprintf(why, len, "%s %s: out of memory", what, path), rc = -ENOMEM;
	size_t n = 0;
	while (!rc && n <= max) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			snprintf(why, len, "%s %s: %s", what, path, strerror(errno)), rc = -EINVAL;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (!rc && n > max) /* grew while read */
		snprintf(why, len, "%s %s: larger than %zu bytes", what, path, max), rc = -EINVAL;
	close(fd);
	if (rc) {
		agent_http_wipe(buf, max + 1);
		return rc;
	}
	buf[n] = '\0';
	*data = buf;
	*size = n;
	return 0;
}

void agent_http_wipe(char *data, size_t size)
{
	if (!data)
		return;
	explicit_bzero(data, size);
	free(data);
}

int agent_http_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen > blen ? alen : blen;
	unsigned char diff = alen != blen;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)((i < alen ? (unsigned char)a[i] : 0) ^ (i < blen ? (unsigned char)b[i] : 0));
	return diff == 0;
}
