/*
 * trace_set.h — every per-call energy file of one directory.
 *
 * Files are taken in name order (readdir gives no order) so that output is
 * the same on every run. Files this report does not understand are skipped
 * with a warning that names them; the derived summaries
 * ({source}_summary.json/.jsonl) and the composite files, which repeat the
 * per-source numbers, are skipped with a note.
 */
#ifndef REPORT_TRACE_SET_H
#define REPORT_TRACE_SET_H

#include <stdbool.h>
#include <stdio.h>

#include "energy_trace.h"

struct trace_set {
	struct energy_trace *traces;
	size_t count;
	size_t skipped_derived; /* summaries and composite files */
	size_t skipped_unknown; /* warned about */
};

/* Loads `dir`, keeping only the files of source `only_source` (a file tag
 * "gpuhwmon-a" or a source id "gpuhwmon:a") when it is not NULL. Warnings go
 * to `warnings`. Returns 0 or a negative errno (directory unreadable, out of
 * memory), with the reason printed to `warnings`. */
int trace_set_load(const char *dir, const char *only_source, FILE *warnings,
                   struct trace_set *out);

void trace_set_release(struct trace_set *set);

/* True when `name` is the trace's file tag or its source id. */
bool trace_set_source_matches(const struct energy_trace *trace, const char *name);

/* The distinct file tags of the set, sorted (malloc'd array of pointers
 * into the traces; free() it). Returns 0 or -ENOMEM. */
int trace_set_sources(const struct trace_set *set, const char ***out, size_t *count);

#endif
