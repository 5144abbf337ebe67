/*
 * profile_file.h — a power profile kept in sync with its text file.
 *
 * File format: one point per line, "<unix_time_seconds> <watts>" (floats,
 * separated by blanks); blank lines and lines starting with '#' are ignored;
 * times must not decrease. See step_profile.h for what the points mean.
 */
#ifndef SIMBMC_PROFILE_FILE_H
#define SIMBMC_PROFILE_FILE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct profile_file {
	char path[4096];
	double *t;      /* n points, owned */
	double *w;
	size_t n;
	/* Identity of the version loaded: a rename gives a new inode even when
	 * mtime's granularity hides a quick rewrite. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	/* Counts successful loads, so a caller sees that new points arrived
	 * (the DCMI module logs each version it serves). */
	unsigned long generation;
};

/* Set up for `path` (nothing is read yet). Returns 0 or -ENAMETOOLONG. */
int profile_file_init(struct profile_file *p, const char *path);

/* Re-read the file if it changed since the last successful load. On a read or
 * parse error the previously loaded points stay in use, the error is
 * described in `why`, and a negative errno is returned (-EINVAL for bad
 * content). Returns 0 when the points are current. */
int profile_file_refresh(struct profile_file *p, char *why, size_t why_len);

void profile_file_release(struct profile_file *p);

#endif
