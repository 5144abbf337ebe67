/* The Prometheus page: energymond's live readings in the text format 0.0.4
 * or OpenMetrics 1.0, rendered from one em_monitor_live() snapshot so that
 * every value and its timestamp on a page belong together. */
#ifndef ENERGYMOND_EXPOSITION_H
#define ENERGYMOND_EXPOSITION_H

#include "energymon.h"

#include <stddef.h>
#include <stdint.h>

enum expo_format { EXPO_TEXT_004, EXPO_OPENMETRICS };

/* What the client's Accept header prefers; NULL or anything unknown: text. */
enum expo_format expo_negotiate(const char *accept);
const char *expo_content_type(enum expo_format f);

/* energymond's own figures, measured by its HTTP side. */
struct expo_self {
	double cpu_s;                  /* NAN: unknown, left out */
	double rss_bytes;              /* NAN: unknown, left out */
	double last_scrape_duration_s; /* NAN before the first scrape */
	uint64_t scrapes;              /* served before this one */
};

/* The page (malloc'd, *len set, NUL-terminated) from em_monitor_live(mon);
 * NULL with errno (ENOMEM, EFBIG past EXPO_PAGE_MAX, or the snapshot's). */
#define EXPO_PAGE_MAX (256u * 1024 * 1024)
char *expo_render(struct em_monitor *mon, enum expo_format f, const struct expo_self *self, size_t *len);
/* The same from a snapshot already taken (what tests compare against). */
char *expo_render_live(const struct em_live *live, enum expo_format f, const struct expo_self *self,
                       size_t *len);

#endif
