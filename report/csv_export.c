/* csv_export.c — writing the extractor's tables as CSV. */
#include "csv_export.h"

#include "energy_bound.h"
#include "safe_file.h"

#include <errno.h>
#include <string.h>

static void put_text(FILE *out, const char *text)
{
	if (text == NULL)
		return;
	if (strpbrk(text, ",\"\r\n") == NULL) {
		fputs(text, out);
		return;
	}
	fputc('"', out);
	for (const char *c = text; *c != '\0'; c++) {
		if (*c == '"')
			fputc('"', out);
		fputc(*c, out);
	}
	fputc('"', out);
}

/* %.17g round-trips every double, so the CSV loses nothing of the file. */
static void put_number(FILE *out, struct maybe_double value)
{
	if (value.present)
		fprintf(out, "%.17g", value.value);
}

static void put_trace_ids(FILE *out, const struct energy_trace *trace)
{
	put_text(out, trace->job_key);
	fputc(',', out);
	put_text(out, trace->call_id);
	fputc(',', out);
	put_text(out, trace->function_name);
	fputc(',', out);
	put_text(out, trace->source);
}

static int finish(FILE *out)
{
	return ferror(out) ? -EIO : 0;
}

int csv_export_metrics(const struct trace_set *set, FILE *out)
{
	fputs("job_key,call_id,function_name,source,placeholder,timestamp,duration,"
	      "system_energy,pkg_energy,avg_power,min_power,max_power,power_std_dev,"
	      "avg_cpu_temp,avg_system_temp,cpu_time,"
	      /* appended, so readers that index the seed's columns keep working */
	      "system_energy_low,system_energy_high,pkg_energy_low,pkg_energy_high,"
	      "system_dynamic_energy,system_dynamic_energy_low,system_dynamic_energy_high,"
	      "pkg_dynamic_energy,pkg_dynamic_energy_low,pkg_dynamic_energy_high,idle_power\n", out);
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *t = &set->traces[i];
		/* the seed's two energy columns, by the file's headline key */
		bool system = t->energy_row == em_result_key_find("system");
		bool pkg = t->energy_row == em_result_key_find("pkg");
		struct maybe_double absent = {false, 0};
		struct energy_bounds b;
		energy_bounds_read(t, t->energy_row, &b);
		struct maybe_double low = {b.total.present, b.total.low}, high = {b.total.present, b.total.high};
		struct maybe_double dyn_low = {b.dynamic.present, b.dynamic.low};
		struct maybe_double dyn_high = {b.dynamic.present, b.dynamic.high};
		put_trace_ids(out, t);
		fprintf(out, ",%s,", t->placeholder ? "true" : "false");
		const struct maybe_double columns[] = {
			t->timestamp_s, t->duration_s,
			system ? t->energy_j : absent, pkg ? t->energy_j : absent,
			t->avg_power_w, t->min_power_w, t->max_power_w, t->power_std_dev_w,
			t->avg_cpu_temp_c, t->avg_system_temp_c, t->cpu_time_s,
			system ? low : absent, system ? high : absent, pkg ? low : absent, pkg ? high : absent,
			system ? b.dynamic_j : absent, system ? dyn_low : absent, system ? dyn_high : absent,
			pkg ? b.dynamic_j : absent, pkg ? dyn_low : absent, pkg ? dyn_high : absent,
			b.idle_power_w,
		};
		size_t n = sizeof columns / sizeof columns[0];
		for (size_t c = 0; c < n; c++) {
			put_number(out, columns[c]);
			fputc(c + 1 < n ? ',' : '\n', out);
		}
	}
	return finish(out);
}

int csv_export_power(const struct trace_set *set, FILE *out)
{
	fputs("job_key,call_id,function_name,source,timestamp,power\n", out);
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *t = &set->traces[i];
		for (size_t r = 0; r < t->n_power; r++) {
			put_trace_ids(out, t);
			fprintf(out, ",%.17g,%.17g\n", t->power[r].timestamp_s, t->power[r].power_w);
		}
	}
	return finish(out);
}

struct sensor_kind {
	const char *array; /* key in the file */
	const char *kind;
	const char *unit;
};

static const struct sensor_kind sensor_kinds[] = {
	{"temperature_readings", "temperature", "degC"},
	{"voltage_readings", "voltage", "V"},
	{"current_readings", "current", "A"},
	{"fan_readings", "fan", "RPM"},
};

int csv_export_sensors(const struct trace_set *set, FILE *out)
{
	fputs("job_key,call_id,function_name,source,kind,sensor,timestamp,value,unit\n", out);
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *t = &set->traces[i];
		for (size_t k = 0; k < sizeof sensor_kinds / sizeof sensor_kinds[0]; k++) {
			const json_t *readings = json_object_get(t->root, sensor_kinds[k].array);
			size_t index;
			const json_t *reading;
			json_array_foreach(readings, index, reading) {
				const json_t *ts = json_object_get(reading, "timestamp");
				const json_t *value = json_object_get(reading, "value");
				if (!json_is_number(ts) || !json_is_number(value))
					continue;
				put_trace_ids(out, t);
				fprintf(out, ",%s,", sensor_kinds[k].kind);
				put_text(out, json_string_value(json_object_get(reading, "sensor")));
				fprintf(out, ",%.17g,%.17g,%s\n", json_number_value(ts),
				        json_number_value(value), sensor_kinds[k].unit);
			}
		}
	}
	return finish(out);
}

int csv_export_declared(const struct trace_set *set, FILE *out)
{
	fputs("job_key,call_id,function_name,source,key,kind,scope,index,value,unit,energy_j,reason\n", out);
	for (size_t i = 0; i < set->count; i++) {
		const struct energy_trace *t = &set->traces[i];
		for (size_t k = 0; k < t->n_declared; k++) {
			const struct declared_metric *m = &t->declared[k];
			put_trace_ids(out, t);
			fputc(',', out);
			put_text(out, m->key);
			fputc(',', out);
			put_text(out, m->kind);
			fputc(',', out);
			put_text(out, m->scope);
			fprintf(out, ",%lld,", m->index);
			/* a placeholder's numbers are not measurements */
			put_number(out, t->placeholder ? (struct maybe_double){false, 0} : m->value);
			fputc(',', out);
			put_text(out, m->unit);
			fputc(',', out);
			put_number(out, t->placeholder ? (struct maybe_double){false, 0} : m->energy_j);
			fputc(',', out);
			put_text(out, m->value.present && !t->placeholder ? NULL : m->reason);
			fputc('\n', out);
		}
	}
	return finish(out);
}

int csv_export_to_file(const char *path, int (*export)(const struct trace_set *, FILE *),
                       const struct trace_set *set, FILE *errors)
{
	char why[160];
	FILE *out = safe_file_open_write(path, why, sizeof why);
	if (out == NULL) {
		fprintf(errors, "report: cannot write %s: %s\n", path, why);
		return -EPERM;
	}
	int status = export(set, out);
	if (fclose(out) != 0 && status == 0)
		status = -errno;
	if (status != 0)
		fprintf(errors, "report: writing %s failed: %s\n", path, strerror(-status));
	return status;
}
