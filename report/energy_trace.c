/* energy_trace.c — reading one per-call energy file. */
#include "energy_trace.h"

#include <unistd.h>

#include "safe_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct source_energy_key {
	const char *source;
	const char *key;
	const char *label; /* how the seed's summary named the quantity */
};

/* ipmi measures the whole server; perf and ebpf the CPU package (cores is
 * inside pkg, so pkg alone is the package's energy). */
static const struct source_energy_key source_energy_keys[] = {
	{"ipmi", "energy_system", "system"},
	{"perf", "energy_pkg", "pkg"},
	{"ebpf", "energy_pkg", "pkg"},
};

const char *energy_trace_energy_key(const char *source)
{
	for (size_t i = 0; i < sizeof source_energy_keys / sizeof source_energy_keys[0]; i++)
		if (strcmp(source_energy_keys[i].source, source) == 0)
			return source_energy_keys[i].key;
	return NULL;
}

const char *energy_trace_energy_label(const char *source)
{
	for (size_t i = 0; i < sizeof source_energy_keys / sizeof source_energy_keys[0]; i++)
		if (strcmp(source_energy_keys[i].source, source) == 0)
			return source_energy_keys[i].label;
	return NULL;
}

static struct maybe_double number_at(const json_t *object, const char *key)
{
	struct maybe_double out = {false, 0.0};
	const json_t *value = json_object_get(object, key);
	if (json_is_number(value)) {
		out.present = true;
		out.value = json_number_value(value);
	}
	return out;
}

static const char *string_at(const json_t *object, const char *key)
{
	return json_string_value(json_object_get(object, key));
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
	size_t index;
	const json_t *reading;
	json_array_foreach(readings, index, reading) {
		struct maybe_double t = number_at(reading, "timestamp");
		struct maybe_double p = number_at(reading, "power");
		if (!t.present || !p.present)
			continue;
		trace->power[trace->n_power].timestamp_s = t.value;
		trace->power[trace->n_power].power_w = p.value;
		trace->n_power++;
	}
	return 0;
}

int energy_trace_load(const char *path, const char *file_name, const char *source,
                      struct energy_trace *out, char *why, size_t why_size)
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
	const json_t *consumption = json_object_get(out->root, "energy_consumption");
	if (!json_is_object(consumption)) {
		snprintf(why, why_size, "no \"energy_consumption\" object");
		goto fail;
	}
	out->job_key = string_at(consumption, "job_key");
	out->call_id = string_at(consumption, "call_id");
	if (out->job_key == NULL || out->call_id == NULL) {
		snprintf(why, why_size, "\"energy_consumption\" lacks job_key or call_id");
		goto fail;
	}
	out->function_name = string_at(consumption, "function_name");
	/* The flag may sit beside the readings or inside energy_consumption. */
	out->placeholder = json_is_true(json_object_get(consumption, "placeholder")) ||
	                   json_is_true(json_object_get(out->root, "placeholder"));
	out->timestamp_s = number_at(consumption, "timestamp");
	out->duration_s = number_at(consumption, "duration");
	out->energy_j = number_at(consumption, energy_trace_energy_key(source));
	out->avg_power_w = number_at(consumption, "avg_power");
	out->min_power_w = number_at(consumption, "min_power");
	out->max_power_w = number_at(consumption, "max_power");
	out->power_std_dev_w = number_at(consumption, "power_std_dev");
	out->avg_cpu_temp_c = number_at(consumption, "avg_cpu_temp");
	out->avg_system_temp_c = number_at(consumption, "avg_system_temp");
	out->cpu_time_s = number_at(consumption, "cpu_time");
	out->file_name = strdup(file_name);
	out->source = strdup(source);
	if (out->file_name == NULL || out->source == NULL ||
	    load_power_readings(json_object_get(out->root, "power_readings"), out) != 0) {
		snprintf(why, why_size, "out of memory");
		goto fail;
	}
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
	json_decref(trace->root);
	memset(trace, 0, sizeof *trace);
}
