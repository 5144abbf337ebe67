/*
 * safe_file.h — opening files in a directory other users may write to.
 * The report may run as root over a shared energy_data/: it follows no
 * symbolic link, never blocks on a FIFO, and reads no file larger than it
 * can hold in memory (a per-call file is parsed whole, ~10 bytes of memory
 * per byte of JSON).
 */
#ifndef REPORT_SAFE_FILE_H
#define REPORT_SAFE_FILE_H

#include <stddef.h>
#include <stdio.h>

/* The largest per-call file the report reads; energymon's own files stay far
 * below it (each series keeps at most 4096 points). */
#define REPORT_FILE_MAX_BYTES ((size_t)64 << 20)

/* Opens `path` for reading if it is a regular file of at most `max_bytes`.
 * Returns a file descriptor, or -1 with errno set and a one-line reason
 * (without the path) in `why`. */
int safe_file_open_read(const char *path, size_t max_bytes, char *why, size_t why_size);

/* Opens `path` for writing, creating it 0644 or emptying it, unless it is
 * a symbolic link, not a regular file, or owned by someone other than us or
 * root. NULL with a one-line reason in `why` otherwise. */
FILE *safe_file_open_write(const char *path, char *why, size_t why_size);

#endif
