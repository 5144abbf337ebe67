/* What the window files share (window.c, window_marks.c, window_result.c,
 * window_roots.c); nothing here is public. */
#ifndef ENERGYMON_WINDOW_INTERNAL_H
#define ENERGYMON_WINDOW_INTERNAL_H

#include "internal.h"

/* Where one series' running totals stood. */
struct em_series_mark {
	bool have; /* the series existed and was read */
	uint64_t readings, dropped, gaps, wraps;
	double total, covered_s, gap_s;
	double mean, m2, last_value;
	int64_t last_mono, last_wall;
	struct em_unc unc; /* the bound's terms, waiting runs bounded as they stood */
	struct em_unc_edge edge; /* an averaged series' latest reading: the window's first edge */
};

/* Where one source stood at a window's sample: what a window needs to
 * subtract at its end. Series are matched by index (they never move). */
struct em_source_mark {
	struct em_source *src;
	bool late;              /* the sample asked for did not come in time */
	int64_t mono, wall;     /* the sample it stands at (covered_mono/wall) */
	uint64_t samples, failed_samples, missed_deadlines, dropped_readings;
	double thread_cpu_s;
	size_t nlog;            /* log lines so far */
	struct em_interval_stats intervals;
	size_t nseries;
	struct em_series_mark *own;    /* per series */
	struct em_series_mark *target; /* per series: the root's own part of a PER_TARGET metric */
};

/* Lock held: fill `m` with where src stands (root: whose per-target
 * totals). 0 or -ENOMEM. */
EM_INTERNAL int em_source_mark_take(struct em_source *src, pid_t root, struct em_source_mark *m);
EM_INTERNAL void em_source_mark_free(struct em_source_mark *m);
EM_INTERNAL void em_series_mark_of(const struct em_series *s, struct em_series_mark *m);
/* Lock held: the root's running total of PER_TARGET metric `metric`, or NULL. */
EM_INTERNAL struct em_series *em_target_series_of(struct em_source *src, pid_t root, size_t metric);

/* Lock held on `now`: append to `res` a detached source holding what
 * happened at `now` since `begin`; `late_end`: the end sample did not come
 * in time. 0 or -ENOMEM. */
EM_INTERNAL int em_window_source(struct em_monitor *res, struct em_source *now, const struct em_source_mark *begin,
                                 pid_t root, bool late_end);
/* One series since its mark (window_series.c): out gets `meta`'s identity and
 * the difference of `nums` (the metric's series, or the root's own part
 * of it) since `b`; a partial point list is said in `partial`. */
EM_INTERNAL int em_window_series(struct em_series *out, const struct em_series *meta, const struct em_series *nums,
                                 const struct em_series_mark *b, bool *partial);

/* The counted union of open windows' roots (window_roots.c). */
EM_INTERNAL int em_window_root_add(struct em_monitor *mon, pid_t root, struct em_error *err);
EM_INTERNAL void em_window_root_drop(struct em_monitor *mon, pid_t root);

#endif
