/*
 * truth_log.h — the DCMI module's record of the true power it serves, so a
 * test integrates the truth exactly over any [timestamp, timestamp +
 * duration] an energymon result names, whatever the BMC model made of it.
 *
 * Text, appended: a "# simbmc truth log" header line per BMC start naming
 * the start time and the behaviour options, then, each time the profile
 * (re)loads, a "# profile loaded at T" line followed by every point of the
 * profile now served, "<unix_s> <watts>" in %.17g (round-trips exactly).
 * Requests from T on are answered from that block; the last block loaded
 * before a request is the truth it was answered from.
 */
#ifndef SIMBMC_TRUTH_LOG_H
#define SIMBMC_TRUTH_LOG_H

#include <stddef.h>

#include "bmc_model.h"

/* Open path for appending (created 0600; a symlink is refused). Returns the
 * descriptor or a negative errno. */
int truth_log_open(const char *path);

/* The header of one BMC run. Returns 0 or a negative errno. */
int truth_log_header(int fd, double start, const struct bmc_behaviour *b);

/* The n points of the profile loaded at `loaded_at`. 0 or a negative errno. */
int truth_log_profile(int fd, double loaded_at, const double *t, const double *w, size_t n);

#endif
