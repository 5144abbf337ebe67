/* The page: content negotiation and the families in a fixed order. */
#include "exposition.h"
#include "expo_family.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The q of one media range ("type/sub;version=1.0.0;q=0.5"): 1 without one. */
static double range_q(const char *r, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++)
		if (r[i] == ';') {
			size_t j = i + 1;
			while (j < n && r[j] == ' ')
				j++;
			if (j + 2 <= n && (r[j] == 'q' || r[j] == 'Q') && r[j + 1] == '=') {
				char num[16] = "";
				size_t m = n - j - 2 < sizeof(num) - 1 ? n - j - 2 : sizeof(num) - 1;
				memcpy(num, r + j + 2, m);
				double q = strtod(num, NULL);
				return isfinite(q) && q >= 0 ? q : 0;
			}
		}
	return 1;
}

static bool range_is(const char *r, size_t n, const char *type)
{
	while (n && *r == ' ')
		r++, n--;
	size_t t = strlen(type);
	return n >= t && !strncasecmp(r, type, t) && (n == t || r[t] == ';' || r[t] == ' ');
}

enum expo_format expo_negotiate(const char *accept)
{
	double om = -1, text = -1;
	for (const char *r = accept; r && *r;) {
		size_t n = strcspn(r, ",");
		if (range_is(r, n, "application/openmetrics-text")) {
			double q = range_q(r, n);
			om = q > om ? q : om;
		} else if (range_is(r, n, "text/plain")) {
			double q = range_q(r, n);
			text = q > text ? q : text;
		}
		r += n + (r[n] == ',');
	}
	return om > 0 && om >= text ? EXPO_OPENMETRICS : EXPO_TEXT_004;
}

const char *expo_content_type(enum expo_format f)
{
	return f == EXPO_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
	                             : "text/plain; version=0.0.4; charset=utf-8";
}

void expo_self_families(struct expo_page *p, const struct expo_self *self)
{
	struct expo_family cpu = FAMILY("energymon_process_cpu_seconds_total", "counter",
	                          "CPU time energymond used, user and system, seconds.");
	struct expo_family rss = FAMILY("energymon_process_resident_memory_bytes", "gauge",
	                          "energymond's resident memory, bytes.");
	struct expo_family dur = FAMILY("energymon_scrape_duration_seconds", "gauge",
	                          "How long the previous scrape took to serve, seconds.");
	struct expo_family n = FAMILY("energymon_scrapes_total", "counter", "Scrapes served before this one.");
	struct expo_family snap = FAMILY("energymon_snapshot_timestamp_seconds", "gauge",
	                           "When this page's readings were copied, unix seconds.");
	if (!self)
		return;
	const struct { struct expo_family *f; double v; } rows[] = {
		{&cpu, self->cpu_s}, {&rss, self->rss_bytes}, {&dur, self->last_scrape_duration_s},
		{&n, (double)self->scrapes}, {&snap, em_live_taken(p->live)},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (isfinite(rows[i].v)) {
			expo_sample(p, rows[i].f);
			expo_value(p, rows[i].v);
		}
}

char *expo_render_live(const struct em_live *live, enum expo_format f, const struct expo_self *self, size_t *len)
{
	struct expo_page p = {.format = f, .live = live};
	expo_text_init(&p.text, EXPO_PAGE_MAX);
	expo_series_families(&p);
	expo_source_families(&p);
	expo_ipmi_families(&p);
	expo_self_families(&p, self);
	if (f == EXPO_OPENMETRICS)
		expo_text_put(&p.text, "# EOF\n");
	if (!p.text.failed && !p.text.buf)
		expo_text_put(&p.text, ""); /* an empty page is still a page */
	if (p.text.failed) {
		free(p.text.buf);
		errno = p.text.err;
		return NULL;
	}
	*len = p.text.len;
	return p.text.buf;
}

char *expo_render(struct em_monitor *mon, enum expo_format f, const struct expo_self *self, size_t *len)
{
	struct em_live *live = NULL;
	struct em_error err = {0};
	int rc = em_monitor_live(mon, &live, &err);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	char *page = expo_render_live(live, f, self, len);
	int saved = errno;
	em_live_free(live);
	errno = saved;
	return page;
}
