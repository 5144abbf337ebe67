/* hwmon_files.c — the file reading behind gpuhwmon, kept apart from the
 * plugin so it can be tested without a host. */
/* openat, O_DIRECTORY, PATH_MAX: POSIX 2008, also when built with plain
 * `cc -std=c11` out of tree */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "hwmon_files.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hwmon_open_dir(const char *path, char *why, size_t why_len)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		int code = -errno;
		snprintf(why, why_len, "gpuhwmon_dir: %s: %s (expected the GPU's hwmon directory, e.g. "
		         "/sys/class/drm/card0/device/hwmon/hwmon3)", path, strerror(errno));
		return code;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, why_len, "gpuhwmon_dir: %s is not a directory (expected the GPU's hwmon "
		         "directory, holding energy1_input, power1_average, temp1_input)", path);
		return -ENOTDIR;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || access(path, R_OK | X_OK) != 0) {
		int code = -errno;
		snprintf(why, why_len, "gpuhwmon_dir: %s is not a readable directory: %s", path,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		return code;
	}
	return fd;
}

int hwmon_parse_integer(const char *text, long long *out)
{
	const char *p = text;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	char *end;
	long long value = strtoll(text, &end, 10);
	if (errno == ERANGE)
		return -EINVAL;
	while (*end == '\n' || *end == ' ' || *end == '\t')
		end++;
	if (*end != '\0')
		return -EINVAL;
	*out = value;
	return 0;
}

int hwmon_read_integer(int dir_fd, const char *name, long long *out, char *why, size_t why_len)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int code = -errno;
		snprintf(why, why_len, "%s: %s", name, strerror(errno));
		return code;
	}
	char text[64];
	ssize_t n = read(fd, text, sizeof(text) - 1);
	int read_errno = errno;
	close(fd);
	if (n < 0) {
		snprintf(why, why_len, "%s: %s", name, strerror(read_errno));
		return -read_errno;
	}
	text[n] = '\0';
	if (hwmon_parse_integer(text, out) != 0) {
		/* cut at the first line end so the message stays one line */
		text[strcspn(text, "\n")] = '\0';
		snprintf(why, why_len, "%s: \"%.32s\" is not an integer", name, text);
		return -EIO;
	}
	return 0;
}

int hwmon_has_file(int dir_fd, const char *name)
{
	return faccessat(dir_fd, name, R_OK, 0) == 0;
}

size_t hwmon_find_energy_files(int dir_fd, unsigned numbers[HWMON_MAX_ENERGY_FILES])
{
	size_t n = 0;
	for (unsigned i = 1; i <= HWMON_MAX_ENERGY_FILES; i++) {
		char name[32];
		snprintf(name, sizeof(name), "energy%u_input", i);
		if (hwmon_has_file(dir_fd, name))
			numbers[n++] = i;
	}
	return n;
}
