/*
 * summary_log.h — cross-checking {source}_summary.jsonl against the
 * per-call files. The writers append one JSON line per call (O_APPEND, one
 * write, under flock); the per-call files stay the source of truth, and the
 * log tells whether any of them went missing: a call in the log without
 * its file is named in a warning, as is a line that is not JSON.
 */
#ifndef REPORT_SUMMARY_LOG_H
#define REPORT_SUMMARY_LOG_H

#include <stdio.h>

#include "trace_set.h"

struct summary_log_check {
	size_t lines;          /* valid JSON lines */
	size_t bad_lines;      /* not JSON, or lacking job_key/call_id */
	size_t missing_files;  /* calls in the log without a per-call file */
};

/* Checks DIR/{source}_summary.jsonl if it exists. Returns 0 (also when
 * there is no log), or a negative errno when it cannot be read or memory
 * runs out; warnings and the reason go to `warnings`. */
int summary_log_check(const char *dir, const char *source, const struct trace_set *set,
                      FILE *warnings, struct summary_log_check *out);

#endif
