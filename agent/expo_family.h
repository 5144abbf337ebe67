/* One metric family on the page: its HELP/TYPE header once, then samples. */
#ifndef ENERGYMOND_EXPO_FAMILY_H
#define ENERGYMOND_EXPO_FAMILY_H

#include "exposition.h"
#include "expo_text.h"

#include <stdbool.h>

struct expo_page {
	struct expo_text text;
	enum expo_format format;
	const struct em_live *live;
};

struct expo_family {
	const char *name;  /* the sample name: "energymon_energy_joules_total" */
	const char *type;  /* "counter" or "gauge" */
	const char *help;
	bool started;      /* header written */
};

#define FAMILY(n, t, h) {.name = (n), .type = (t), .help = (h)}

/* Begin one sample line of the family: header first if needed, then the
 * name and '{'. Labels follow with expo_label(), then expo_value(). */
void expo_sample(struct expo_page *p, struct expo_family *f);
void expo_label(struct expo_page *p, const char *name, const char *value);
void expo_label_uint(struct expo_page *p, const char *name, unsigned long long value);
void expo_value(struct expo_page *p, double v); /* closes the labels, ends the line */

/* The source's labels: source, plugin and instance (left out when ""). */
void expo_source_labels(struct expo_page *p, const struct em_live_source *src);

void expo_series_families(struct expo_page *p);   /* expo_series.c */
void expo_source_families(struct expo_page *p);   /* expo_sources.c */
void expo_ipmi_families(struct expo_page *p);     /* expo_ipmi.c */
void expo_self_families(struct expo_page *p, const struct expo_self *self);

#endif
