/* declared_metric.c — reading a file's declared metrics. */
#include "declared_metric.h"

#include <stdlib.h>
#include <string.h>

bool declared_metric_is_total(const struct declared_metric *metric)
{
	return strcmp(metric->kind, "counter") == 0 || strcmp(metric->kind, "seconds") == 0;
}

/* A declared key as energymon accepts one: 1-63 of [a-z0-9_], a letter
 * first. Anything else (a '/', an escape sequence) came from no energymon. */
static bool key_well_formed(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > 63 || key[0] < 'a' || key[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
			return false;
	return true;
}

/* Text the report prints: no control character may rewrite the terminal. */
static const char *printable(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return NULL;
	return text;
}

static bool read_entry(const json_t *entry, const json_t *consumption, struct declared_metric *out)
{
	if (!json_is_true(json_object_get(entry, "declared")))
		return false; /* energymon's own key: the seed's lines summarise it */
	memset(out, 0, sizeof *out);
	out->key = json_string_value(json_object_get(entry, "key"));
	out->kind = json_string_value(json_object_get(entry, "kind"));
	out->unit = json_string_value(json_object_get(entry, "unit"));
	out->unit = printable(out->unit);
	if (!key_well_formed(out->key) || out->kind == NULL || out->unit == NULL ||
	    (strcmp(out->kind, "counter") != 0 && strcmp(out->kind, "gauge") != 0 && strcmp(out->kind, "seconds") != 0))
		return false;
	out->scope = printable(json_string_value(json_object_get(entry, "scope")));
	out->index = json_integer_value(json_object_get(entry, "index"));
	/* The value Lithops users read is energy_consumption's; the entry
	 * repeats it, for files that carry only the energymon object. */
	out->value = maybe_number_at(consumption, out->key);
	if (!out->value.present && json_object_get(consumption, out->key) == NULL)
		out->value = maybe_number_at(entry, "value");
	out->energy_j = maybe_number_at(entry, "energy_j");
	const char *reason = json_string_value(json_object_get(entry, "reason"));
	out->reason = reason && !printable(reason) ? "the file's reason has control characters" : reason;
	return true;
}

int declared_metrics_load(const json_t *root, const json_t *consumption, struct declared_metric **out,
                          size_t *count)
{
	*out = NULL;
	*count = 0;
	const json_t *entries = json_object_get(json_object_get(root, "energymon"), "metrics");
	size_t n = json_array_size(entries);
	if (n == 0)
		return 0;
	struct declared_metric *metrics = calloc(n, sizeof *metrics);
	if (metrics == NULL)
		return -1;
	/* a key named twice in one file is one metric of one call; a hashed
	 * set keeps the check linear however long the array */
	json_t *seen = json_object();
	if (seen == NULL) {
		free(metrics);
		return -1;
	}
	size_t index;
	const json_t *entry;
	json_array_foreach(entries, index, entry) {
		if (!read_entry(entry, consumption, &metrics[*count]) || json_object_get(seen, metrics[*count].key))
			continue;
		json_object_set_new(seen, metrics[*count].key, json_true());
		(*count)++;
	}
	json_decref(seen);
	if (*count == 0) {
		free(metrics);
		return 0;
	}
	*out = metrics;
	return 0;
}
