/*
 * hwmon_files.h — reading a Linux hwmon directory as amdgpu exposes it
 * (Documentation/gpu/amdgpu/thermal.rst): one integer per file, in
 * micro- or milli-units. No energymon types here, so the functions can be
 * tested on their own.
 */
#ifndef GPUHWMON_HWMON_FILES_H
#define GPUHWMON_HWMON_FILES_H

#include <stddef.h>

/* energy1_input ... energy8_input are looked for. */
#define HWMON_MAX_ENERGY_FILES 8

/* Opens `path` as a readable directory (symlinks are followed: sysfs hwmon
 * entries are links). Returns the fd, or a negative errno with a reason
 * naming the key gpuhwmon_dir and the path in `why`. */
int hwmon_open_dir(const char *path, char *why, size_t why_len);

/* Parses a sysfs integer: optional sign, decimal digits, optional trailing
 * newline/blanks, nothing else. Returns 0, or -EINVAL (empty, not a number,
 * out of range: a torn or foreign file is never read as a value). */
int hwmon_parse_integer(const char *text, long long *out);

/* Reads file `name` below the directory `dir_fd` and parses it. Opened anew
 * on every call, so a file replaced by rename() is seen. Returns 0, or a
 * negative errno with the reason (naming the file) in `why`. */
int hwmon_read_integer(int dir_fd, const char *name, long long *out, char *why, size_t why_len);

/* True when `name` exists below `dir_fd` and is readable. */
int hwmon_has_file(int dir_fd, const char *name);

/* Which energyN_input files exist: fills numbers[] with N (1-based, in
 * increasing order) and returns how many (at most HWMON_MAX_ENERGY_FILES). */
size_t hwmon_find_energy_files(int dir_fd, unsigned numbers[HWMON_MAX_ENERGY_FILES]);

#endif
