/* declared_metric.c — reading a file's declared metrics. */
#include "declared_metric.h"

#include <stdlib.h>
#include <string.h>

bool declared_metric_is_total(const struct declared_metric *metric)
{
	return strcmp(metric->kind, "counter") == 0 || strcmp(metric->kind, "seconds") == 0;
}

static bool read_entry(const json_t *entry, const json_t *consumption, struct declared_metric *out)
{
	if (!json_is_true(json_object_get(entry, "declared")))
		return false; /* energymon's own key: the seed's lines summarise it */
	memset(out, 0, sizeof *out);
	out->key = json_string_value(json_object_get(entry, "key"));
	out->kind = json_string_value(json_object_get(entry, "kind"));
	out->unit = json_string_value(json_object_get(entry, "unit"));
	if (out->key == NULL || out->key[0] == '\0' || out->kind == NULL || out->unit == NULL)
		return false;
	out->scope = json_string_value(json_object_get(entry, "scope"));
	out->index = json_integer_value(json_object_get(entry, "index"));
	/* The value Lithops users read is energy_consumption's; the entry
	 * repeats it, for files that carry only the energymon object. */
	out->value = maybe_number_at(consumption, out->key);
	if (!out->value.present && json_object_get(consumption, out->key) == NULL)
		out->value = maybe_number_at(entry, "value");
	out->energy_j = maybe_number_at(entry, "energy_j");
	out->reason = json_string_value(json_object_get(entry, "reason"));
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
	size_t index;
	const json_t *entry;
	json_array_foreach(entries, index, entry) {
		if (read_entry(entry, consumption, &metrics[*count]))
			(*count)++;
	}
	if (*count == 0) {
		free(metrics);
		return 0;
	}
	*out = metrics;
	return 0;
}
