/* metric_summary.c — statistics of declared metrics over a source's calls. */
#include "metric_summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct metric_summary *find_or_add(struct metric_summaries *s, const struct declared_metric *m,
                                          size_t *capacity)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i].key, m->key) == 0)
			return &s->items[i];
	if (s->count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 8;
		struct metric_summary *bigger = realloc(s->items, grown * sizeof *bigger);
		if (bigger == NULL)
			return NULL;
		s->items = bigger;
		*capacity = grown;
	}
	struct metric_summary *item = &s->items[s->count++];
	memset(item, 0, sizeof *item);
	item->key = m->key;
	item->kind = m->kind;
	item->unit = m->unit;
	item->scope = m->scope;
	item->index = m->index;
	return item;
}

static void add_value(struct metric_summary *item, const struct declared_metric *m, bool placeholder)
{
	if (placeholder || !m->value.present || !isfinite(m->value.value)) {
		item->without_value++;
		if (item->reason == NULL)
			item->reason = m->reason ? m->reason : placeholder ? "a placeholder run" : "null in the file";
		return;
	}
	double v = m->value.value;
	if (item->with_value == 0 || v < item->min.value)
		item->min = (struct maybe_double){true, v};
	if (item->with_value == 0 || v > item->max.value)
		item->max = (struct maybe_double){true, v};
	item->total.value += v;
	item->total.present = true;
	item->with_value++;
	if (m->energy_j.present) {
		item->total_energy_j.value += m->energy_j.value;
		item->total_energy_j.present = true;
	}
}

int metric_summaries_compute(const struct trace_set *set, const char *source, struct metric_summaries *out)
{
	memset(out, 0, sizeof *out);
	size_t capacity = 0;
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *trace = &set->traces[i];
		if (strcmp(trace->source, source) != 0)
			continue;
		for (size_t k = 0; k < trace->n_declared; k++) {
			struct metric_summary *item = find_or_add(out, &trace->declared[k], &capacity);
			if (item == NULL) {
				metric_summaries_release(out);
				return -1;
			}
			add_value(item, &trace->declared[k], trace->placeholder);
		}
	}
	for (size_t i = 0; i < out->count; i++) {
		struct metric_summary *item = &out->items[i];
		if (item->with_value > 0)
			item->avg = (struct maybe_double){true, item->total.value / (double)item->with_value};
		/* a sum of gauge means is no quantity: only counters have a total */
		if (strcmp(item->kind, "counter") != 0 && strcmp(item->kind, "seconds") != 0)
			item->total.present = false;
	}
	return 0;
}

/* The lines of one metric: the statistic's name prefixes the key. */
static const struct statistic {
	const char *prefix, *suffix;
	size_t offset;
	bool energy; /* in J whatever the metric's unit */
} statistics[] = {
	{"total_", "", offsetof(struct metric_summary, total), false},
	{"avg_", "", offsetof(struct metric_summary, avg), false},
	{"min_", "", offsetof(struct metric_summary, min), false},
	{"max_", "", offsetof(struct metric_summary, max), false},
	{"total_", "_energy", offsetof(struct metric_summary, total_energy_j), true},
};

static struct maybe_double statistic_of(const struct metric_summary *item, const struct statistic *st)
{
	return *(const struct maybe_double *)((const char *)item + st->offset);
}

void metric_summaries_print(const struct metric_summaries *s, FILE *out)
{
	for (size_t i = 0; i < s->count; i++) {
		const struct metric_summary *item = &s->items[i];
		fprintf(out, "  %s: declared %s in %s, %s %lld; %zu call(s) with a value, %zu without", item->key,
		        item->kind, item->unit, item->scope ? item->scope : "scope not given", item->index,
		        item->with_value, item->without_value);
		if (item->without_value > 0 && item->reason != NULL)
			fprintf(out, " (%s)", item->reason);
		fputs("\n", out);
		for (size_t k = 0; k < sizeof statistics / sizeof statistics[0]; k++) {
			struct maybe_double v = statistic_of(item, &statistics[k]);
			if (v.present && isfinite(v.value))
				fprintf(out, "  %s%s%s: %.6f %s\n", statistics[k].prefix, item->key, statistics[k].suffix,
				        v.value, statistics[k].energy ? "J" : item->unit);
		}
	}
}

static json_t *number_or_null(struct maybe_double v)
{
	return v.present && isfinite(v.value) ? json_real(v.value) : json_null();
}

json_t *metric_summaries_json(const struct metric_summaries *s)
{
	json_t *all = json_object();
	for (size_t i = 0; all != NULL && i < s->count; i++) {
		const struct metric_summary *item = &s->items[i];
		json_t *one = json_pack("{s:s,s:s,s:s?,s:I,s:I,s:I,s:s?,s:o,s:o,s:o,s:o}", "kind", item->kind, "unit",
		                        item->unit, "scope", item->scope, "index", (json_int_t)item->index,
		                        "calls_with_value", (json_int_t)item->with_value, "calls_without_value",
		                        (json_int_t)item->without_value, "reason",
		                        item->without_value ? item->reason : NULL, "total", number_or_null(item->total),
		                        "avg", number_or_null(item->avg), "min", number_or_null(item->min), "max",
		                        number_or_null(item->max));
		if (one != NULL && item->total_energy_j.present)
			json_object_set_new(one, "total_energy_j", number_or_null(item->total_energy_j));
		json_object_set_new(all, item->key, one);
	}
	return all;
}

void metric_summaries_release(struct metric_summaries *s)
{
	free(s->items);
	memset(s, 0, sizeof *s);
}
