#include "sysfs_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sysfs_path(char *out, size_t len, const char *root, const char *rel)
{
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	while (*rel == '/')
		rel++;
	int n = snprintf(out, len, "%.*s/%s", (int)rl, root, rel);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

static int strip_newline(char *buf, ssize_t n, size_t len)
{
	if ((size_t)n == len)
		return -EOVERFLOW;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int sysfs_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len);
	int rc = n < 0 ? -errno : strip_newline(buf, n, len);
	close(fd);
	return rc;
}

static int parse_u64(const char *text, int base, uint64_t *out)
{
	if (*text == '-' || *text == '\0')
		return -EINVAL;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(text, &end, base);
	if (errno != 0 || end == text || *end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

int sysfs_parse_u64(const char *text, uint64_t *out)
{
	return parse_u64(text, 0, out);
}

int sysfs_read_u64(const char *path, uint64_t *out)
{
	char buf[64];
	int rc = sysfs_read_text(path, buf, sizeof(buf));
	return rc != 0 ? rc : parse_u64(buf, 10, out);
}

int sysfs_pread_u64(int fd, uint64_t *out)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	int rc = strip_newline(buf, n, sizeof(buf));
	return rc != 0 ? rc : parse_u64(buf, 10, out);
}

int sysfs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}
