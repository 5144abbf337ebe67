/*
 * sysfs_file.h — small readers for one-value sysfs files, all relative to a
 * configurable root so the tests can point the plugin at a tree they built.
 * Every function returns 0 or -errno; none logs.
 */
#ifndef PERF_SYSFS_FILE_H
#define PERF_SYSFS_FILE_H

#include <stddef.h>
#include <stdint.h>

/* root + "/" + rel, with no doubled slash. -ENAMETOOLONG if it did not fit. */
int sysfs_path(char *out, size_t len, const char *root, const char *rel);
/* The file's text without the trailing newline. -EOVERFLOW if it is longer
 * than len-1 bytes. */
int sysfs_read_text(const char *path, char *buf, size_t len);
/* A decimal unsigned integer (energy_uj counts are decimal). -EINVAL when the text is not one. */
int sysfs_read_u64(const char *path, uint64_t *out);
/* Same, from an open file, from offset 0 (sysfs regenerates the value). */
int sysfs_pread_u64(int fd, uint64_t *out);
/* Text to an unsigned integer: decimal, or hex with 0x (PMU event terms). */
int sysfs_parse_u64(const char *text, uint64_t *out);
int sysfs_exists(const char *path);

#endif
