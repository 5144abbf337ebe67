/* Family headers and sample lines, in whichever format the page has. */
#include "expo_family.h"

#include <stdio.h>
#include <string.h>

void expo_sample(struct expo_page *p, struct expo_family *f)
{
	if (!f->started) {
		f->started = true;
		/* OpenMetrics names a counter's family without its _total suffix */
		size_t n = strlen(f->name);
		if (p->format == EXPO_OPENMETRICS && !strcmp(f->type, "counter") && n > 6 &&
		    !strcmp(f->name + n - 6, "_total"))
			n -= 6;
		expo_text_printf(&p->text, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, f->name, f->help, (int)n,
		                 f->name, f->type);
	}
	expo_text_put(&p->text, f->name);
	expo_text_put(&p->text, "{");
}

void expo_label(struct expo_page *p, const char *name, const char *value)
{
	struct expo_text *t = &p->text;
	if (t->len && t->buf[t->len - 1] != '{')
		expo_text_put(t, ",");
	expo_text_put(t, name);
	expo_text_put(t, "=\"");
	expo_text_label_value(t, value);
	expo_text_put(t, "\"");
}

void expo_label_uint(struct expo_page *p, const char *name, unsigned long long value)
{
	char b[24];
	snprintf(b, sizeof(b), "%llu", value);
	expo_label(p, name, b);
}

void expo_value(struct expo_page *p, double v)
{
	struct expo_text *t = &p->text;
	if (t->failed)
		return;
	if (t->len && t->buf[t->len - 1] == '{')
		t->buf[--t->len] = '\0'; /* no labels: no braces */
	else
		expo_text_put(t, "}");
	expo_text_put(t, " ");
	expo_text_number(t, v);
	expo_text_put(t, "\n");
}

void expo_source_labels(struct expo_page *p, const struct em_live_source *src)
{
	expo_label(p, "source", src->id);
	expo_label(p, "plugin", src->plugin);
	if (src->instance && src->instance[0])
		expo_label(p, "instance", src->instance);
}
