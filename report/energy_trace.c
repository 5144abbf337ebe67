/* energy_trace.c — reading one per-call energy file. */
#include "energy_trace.h"

#include <unistd.h>

#include "energy_plugin.h"
#include "safe_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *string_at(const json_t *object, const char *key)
{
	return json_string_value(json_object_get(object, key));
}

int energy_trace_tag(const char *file_name, const char *job_key, const char *call_id, char *tag,
                     size_t tag_size)
{
	size_t job = strlen(job_key), call = strlen(call_id), name = strlen(file_name);
	const size_t suffix = strlen(".json");
	if (name <= job + call + 2 + suffix || strncmp(file_name, job_key, job) != 0 ||
	    file_name[job] != '_' || strncmp(file_name + job + 1, call_id, call) != 0 ||
	    file_name[job + 1 + call] != '_' || strcmp(file_name + name - suffix, ".json") != 0)
		return -1;
	size_t start = job + call + 2, length = name - suffix - start;
	if (length + 1 > tag_size)
		return -1;
	memcpy(tag, file_name + start, length);
	tag[length] = '\0';
	return 0;
}

struct maybe_double energy_trace_number(const struct energy_trace *trace, const char *lithops_key)
{
	return maybe_number_at(json_object_get(trace->root, "energy_consumption"), lithops_key);
}

/* The table's order decides (system before psys before pkg ...); a key
 * that is only named (null: a placeholder, a counter that never moved)
 * is the headline only when no energy key has a number. */
static const struct em_result_key *headline_row(const json_t *consumption)
{
	const struct em_result_key *named = NULL;
	for (const struct em_result_key *row = em_result_keys; row->key != NULL; row++) {
		if (row->role != EM_ROLE_ENERGY)
			continue;
		const json_t *value = json_object_get(consumption, row->lithops_key);
		if (json_is_number(value))
			return row;
		if (value != NULL && named == NULL)
			named = row;
	}
	return named;
}

/* Readings without a numeric timestamp and power cannot be placed on a
 * time axis; they are dropped rather than guessed. */
static int load_power_readings(const json_t *readings, struct energy_trace *trace)
{
	if (!json_is_array(readings))
		return 0;
	size_t n = json_array_size(readings);
	if (n == 0)
		return 0;
	trace->power = calloc(n, sizeof *trace->power);
	if (trace->power == NULL)
		return -1;
	const char *value_key = em_readings_key_find(ENERGY_Q_POWER_W)->value_key;
	size_t index;
	const json_t *reading;
	json_array_foreach(readings, index, reading) {
		struct maybe_double t = maybe_number_at(reading, "timestamp");
		struct maybe_double p = maybe_number_at(reading, value_key);
		if (!t.present || !p.present)
			continue;
		trace->power[trace->n_power].timestamp_s = t.value;
		trace->power[trace->n_power].power_w = p.value;
		trace->n_power++;
	}
	return 0;
}

/* The seed's per-call statistics, by their names in the table. */
static struct maybe_double table_value(const json_t *consumption, const char *key)
{
	return maybe_number_at(consumption, em_result_key_find(key)->lithops_key);
}

static int read_values(struct energy_trace *out, const json_t *consumption, char *why, size_t why_size)
{
	out->job_key = string_at(consumption, "job_key");
	out->call_id = string_at(consumption, "call_id");
	if (out->job_key == NULL || out->call_id == NULL) {
		snprintf(why, why_size, "\"energy_consumption\" lacks job_key or call_id");
		return -1;
	}
	char tag[256];
	if (energy_trace_tag(out->file_name, out->job_key, out->call_id, tag, sizeof tag) != 0) {
		snprintf(why, why_size, "its name is not {job_key}_{call_id}_{source}.json for the job_key "
		         "\"%.64s\" and call_id \"%.64s\" it holds", out->job_key, out->call_id);
		return -1;
	}
	out->source = strdup(tag);
	out->source_id = string_at(consumption, "source");
	out->function_name = string_at(consumption, "function_name");
	/* The flag may sit beside the readings or inside energy_consumption. */
	out->placeholder = json_is_true(json_object_get(consumption, "placeholder")) ||
	                   json_is_true(json_object_get(out->root, "placeholder"));
	out->timestamp_s = maybe_number_at(consumption, "timestamp");
	out->duration_s = maybe_number_at(consumption, "duration");
	out->energy_row = headline_row(consumption);
	if (out->energy_row != NULL)
		out->energy_j = maybe_number_at(consumption, out->energy_row->lithops_key);
	out->avg_power_w = table_value(consumption, "avg_power");
	out->min_power_w = table_value(consumption, "min_power");
	out->max_power_w = table_value(consumption, "max_power");
	out->power_std_dev_w = table_value(consumption, "power_std_dev");
	out->avg_cpu_temp_c = table_value(consumption, "avg_cpu_temp");
	out->avg_system_temp_c = table_value(consumption, "avg_system_temp");
	out->cpu_time_s = table_value(consumption, "cpu_time");
	const char *power_list = em_readings_key_find(ENERGY_Q_POWER_W)->list_key;
	if (out->source == NULL || load_power_readings(json_object_get(out->root, power_list), out) != 0 ||
	    declared_metrics_load(out->root, consumption, &out->declared, &out->n_declared) != 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

int energy_trace_load(const char *path, const char *file_name, struct energy_trace *out, char *why,
                      size_t why_size)
{
	memset(out, 0, sizeof *out);
	json_error_t json_error;
	int fd = safe_file_open_read(path, REPORT_FILE_MAX_BYTES, why, why_size);
	if (fd < 0)
		return -1;
	out->root = json_loadfd(fd, 0, &json_error);
	close(fd);
	if (out->root == NULL) {
		snprintf(why, why_size, "not JSON (line %d: %s)", json_error.line, json_error.text);
		return -1;
	}
	out->file_name = strdup(file_name);
	const json_t *consumption = json_object_get(out->root, "energy_consumption");
	if (out->file_name == NULL) {
		snprintf(why, why_size, "out of memory");
		goto fail;
	}
	if (!json_is_object(consumption)) {
		snprintf(why, why_size, "no \"energy_consumption\" object");
		goto fail;
	}
	if (read_values(out, consumption, why, why_size) != 0)
		goto fail;
	return 0;
fail:
	energy_trace_release(out);
	return -1;
}

void energy_trace_release(struct energy_trace *trace)
{
	free(trace->file_name);
	free(trace->source);
	free(trace->power);
	free(trace->declared);
	json_decref(trace->root);
	memset(trace, 0, sizeof *trace);
}
