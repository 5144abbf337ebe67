/* STAND-IN until the integrator's agent/exposition.c lands; deleted then.
 * Only what tests/agent/test_agent_http*.c reads. */
#include "exposition_standin.h"
#include "energymon.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum expo_format expo_negotiate(const char *accept)
{
	return accept && strstr(accept, "application/openmetrics-text") ? EXPO_OPENMETRICS : EXPO_TEXT_004;
}

const char *expo_content_type(enum expo_format f)
{
	return f == EXPO_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
	                             : "text/plain; version=0.0.4; charset=utf-8";
}

static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!*buf || n < 0)
		return;
	if (*len + (size_t)n + 1 > *cap) {
		char *grown = realloc(*buf, *cap * 2 + (size_t)n);
		if (!grown) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = grown;
		*cap = *cap * 2 + (size_t)n;
	}
	memcpy(*buf + *len, line, (size_t)n + 1);
	*len += (size_t)n;
}

char *expo_render(struct em_monitor *mon, enum expo_format f, const struct expo_self *self, size_t *len)
{
	struct em_live *live = NULL;
	struct em_error err = {0};
	int rc = em_monitor_live(mon, &live, &err);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	size_t cap = 4096;
	char *b = malloc(cap);
	*len = 0;
	for (size_t i = 0;; i++) {
		struct em_live_source s = {.struct_size = sizeof(s)};
		if (em_live_source(live, i, &s) != 0)
			break;
		put(&b, len, &cap, "energymon_up{source=\"%s\",plugin=\"%s\"} %d\n", s.id, s.plugin, s.up);
		put(&b, len, &cap, "energymon_samples_total{source=\"%s\",plugin=\"%s\"} %llu\n", s.id, s.plugin,
		    (unsigned long long)s.samples);
		put(&b, len, &cap, "energymon_missed_deadlines_total{source=\"%s\",plugin=\"%s\"} %llu\n", s.id, s.plugin,
		    (unsigned long long)s.missed_deadlines);
		for (size_t j = 0; j < s.nseries; j++) {
			struct em_live_series x = {.struct_size = sizeof(x)};
			if (em_live_series(live, i, j, &x) == 0 && !isnan(x.energy_j))
				put(&b, len, &cap, "energymon_energy_joules_total{source=\"%s\",metric=\"%s\"} %.17g\n", s.id,
				    x.key, x.energy_j);
		}
	}
	em_live_free(live);
	put(&b, len, &cap, "energymon_process_cpu_seconds_total %.6f\n", self->cpu_s);
	put(&b, len, &cap, "energymon_process_resident_memory_bytes %.0f\n", self->rss_bytes);
	put(&b, len, &cap, "energymon_scrape_duration_seconds %.9f\n", self->last_scrape_duration_s);
	put(&b, len, &cap, "energymon_scrapes_total %llu\n", (unsigned long long)self->scrapes);
	if (f == EXPO_OPENMETRICS)
		put(&b, len, &cap, "# EOF\n");
	if (!b)
		errno = ENOMEM;
	return b;
}
