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

#include <stdio.h>

#include "energy_trace.h"

struct trace_set {
	struct energy_trace *traces;
	size_t count;
	size_t skipped_derived; /* summaries and composite files */
	size_t skipped_unknown; /* warned about */
};

/* Loads `dir`, keeping only `only_source` when it is not NULL. Warnings go
 * to `warnings`. Returns 0 or a negative errno (directory unreadable, out of
 * memory), with the reason printed to `warnings`. */
int trace_set_load(const char *dir, const char *only_source, FILE *warnings,
                   struct trace_set *out);

void trace_set_release(struct trace_set *set);

#endif
