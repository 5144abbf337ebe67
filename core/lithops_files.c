/*
 * The per-call files Lithops users' notebooks and extractors already read
 * (see shared/reference/lithops-energy-json.md): same names, same keys, same
 * units, with energymon's own detail added under "energymon".
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* energy keys that are energies get the seed's "energy_" prefix */
static bool is_energy_key(const char *key)
{
	static const char *const keys[] = {"system", "pkg", "cores", "uncore", "dram", "psys", NULL};
	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(keys[i], key))
			return true;
	return !strncmp(key, "attributed_", 11);
}

static const char *readings_key(const char *quantity)
{
	if (!strcmp(quantity, "power")) return "power_readings";
	if (!strcmp(quantity, "temperature")) return "temperature_readings";
	if (!strcmp(quantity, "voltage")) return "voltage_readings";
	if (!strcmp(quantity, "current")) return "current_readings";
	if (!strcmp(quantity, "fan")) return "fan_readings";
	return NULL;
}

/* avg_cpu_temp / avg_system_temp as the seed had them: by sensor name */
static void average_temperatures(json_t *ec, const json_t *series)
{
	double sum[2] = {0, 0}, n[2] = {0, 0};
	size_t i;
	json_t *s;
	json_array_foreach(series, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "quantity")), "temperature") != 0)
			continue;
		double mean = json_number_value(json_object_get(s, "mean"));
		double count = (double)json_integer_value(json_object_get(s, "readings"));
		int which = strcasestr(json_string_value(json_object_get(s, "sensor")), "cpu") ? 0 : 1;
		sum[which] += mean * count;
		n[which] += count;
	}
	if (n[0] > 0)
		json_object_set_new(ec, "avg_cpu_temp", json_real(sum[0] / n[0]));
	if (n[1] > 0)
		json_object_set_new(ec, "avg_system_temp", json_real(sum[1] / n[1]));
}

static void add_readings(json_t *file, const json_t *series)
{
	size_t i, j;
	json_t *s, *p;
	json_array_foreach(series, i, s) {
		const char *key = readings_key(json_string_value(json_object_get(s, "quantity")));
		if (!key)
			continue;
		bool power = !strcmp(key, "power_readings");
		json_t *list = json_object_get(file, key);
		const char *sensor = json_string_value(json_object_get(s, "sensor"));
		json_array_foreach(json_object_get(s, "points"), j, p) {
			json_t *t = json_array_get(p, 0), *v = json_array_get(p, 1);
			json_array_append_new(list, power ? json_pack("{s:O,s:O,s:s}", "timestamp", t, "power", v,
			                                              "sensor", sensor)
			                                  : json_pack("{s:O,s:s,s:O}", "timestamp", t, "sensor", sensor,
			                                              "value", v));
		}
	}
}

/* complete and covered_s as the result has them (the composite's are
 * computed in composite.c) */
static void completeness(const json_t *res, json_t **complete, json_t **covered)
{
	*complete = json_boolean(json_is_true(json_object_get(res, "complete")));
	*covered = json_incref(json_object_get(res, "covered_s"));
	if (!*covered)
		*covered = json_null();
}

json_t *em_lithops_file(const json_t *res, const char *job_key, const char *call_id, const char *function_name)
{
	json_t *ec = json_pack("{s:s,s:s,s:O,s:O,s:O,s:o,s:O}", "job_key", job_key, "call_id", call_id, "timestamp",
	                       json_object_get(res, "timestamp"), "duration", json_object_get(res, "duration"),
	                       "source", json_object_get(res, "source"), "function_name",
	                       function_name ? json_string(function_name) : json_null(), "placeholder",
	                       json_object_get(res, "placeholder"));
	if (!ec)
		return NULL;
	json_t *units = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(res, "energy"), key, v) {
		char name[64];
		snprintf(name, sizeof(name), "%s%s", is_energy_key(key) ? "energy_" : "", key);
		json_object_set(ec, name, v);
		json_object_set(units, name, json_object_get(json_object_get(res, "units"), key));
	}
	json_object_set(ec, "reason", json_object_get(res, "reason"));
	json_t *complete, *covered;
	completeness(res, &complete, &covered);
	json_object_set_new(ec, "complete", complete);
	json_object_set_new(ec, "covered_s", covered);
	json_object_set_new(ec, "units", units);
	const json_t *series = json_object_get(res, "series");
	if (series)
		average_temperatures(ec, series);
	json_t *file = json_pack("{s:o,s:[],s:[],s:[],s:[],s:[]}", "energy_consumption", ec, "power_readings",
	                         "temperature_readings", "voltage_readings", "current_readings", "fan_readings");
	if (!file)
		return NULL;
	if (series)
		add_readings(file, series);
	json_object_set(file, "energymon", (json_t *)res);
	return file;
}

/* Every energy a plugin declares it measures is named in its file, as null
 * when it was not measured (a placeholder, or a domain such as a RAPL
 * counter that never moved: the reason is in the plugin's notes), so a
 * reader never mistakes an absent key for zero. A plugin that also measures
 * the process tree measures CPU time (not energy) at system scope. */
static void owe_energies(json_t *ec, uint32_t measures)
{
	static const struct { uint32_t scope; const char *key; } owed[] = {
		{ENERGY_SCOPE_SYSTEM, "energy_system"}, {ENERGY_SCOPE_CPU_PACKAGE, "energy_pkg"},
		{ENERGY_SCOPE_CPU_CORES, "energy_cores"}, {ENERGY_SCOPE_CPU_UNCORE, "energy_uncore"},
		{ENERGY_SCOPE_DRAM, "energy_dram"},
	};
	bool cpu_time_only = measures & ENERGY_MEASURES(ENERGY_SCOPE_PROCESS);
	for (size_t i = 0; i < sizeof(owed) / sizeof(owed[0]); i++) {
		if (!(measures & ENERGY_MEASURES(owed[i].scope)) || json_object_get(ec, owed[i].key))
			continue;
		if (owed[i].scope == ENERGY_SCOPE_SYSTEM && cpu_time_only)
			continue;
		json_object_set_new(ec, owed[i].key, json_null());
	}
}

static int write_one(const char *dir, const char *job_key, const char *call_id, const char *fn,
                     const json_t *res, uint32_t measures, struct em_error *err)
{
	const char *source = json_string_value(json_object_get(res, "source"));
	json_t *file = strcmp(source, "composite") ? em_lithops_file(res, job_key, call_id, fn) : NULL;
	if (file)
		owe_energies(json_object_get(file, "energy_consumption"), measures);
	if (!file) {
		/* the composite keeps its own shape with the seed's headline keys added */
		file = json_deep_copy(res);
		json_t *ec = em_lithops_file(res, job_key, call_id, fn);
		if (file && ec)
			json_object_set(file, "energy_consumption", json_object_get(ec, "energy_consumption"));
		json_decref(ec);
	}
	char *text = file ? json_dumps(file, JSON_INDENT(1) | EM_JSON_REALS) : NULL;
	json_t *complete, *covered;
	completeness(res, &complete, &covered);
	json_t *line = json_pack("{s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:o,s:o}", "job_key", job_key, "call_id", call_id,
	                         "source", source, "timestamp", json_object_get(res, "timestamp"), "duration",
	                         json_object_get(res, "duration"), "energy", json_object_get(res, "energy"),
	                         "placeholder", json_object_get(res, "placeholder"), "complete", complete,
	                         "covered_s", covered);
	char *line_text = line ? json_dumps(line, JSON_COMPACT | EM_JSON_REALS) : NULL;
	json_decref(file);
	json_decref(line);
	int rc = text && line_text ? 0 : em_fail(err, -ENOMEM, "out of memory");
	char name[PATH_MAX];
	snprintf(name, sizeof(name), "%s_%s_%s.json", job_key, call_id, source);
	if (!rc)
		rc = em_write_file_atomic(dir, name, text, err);
	snprintf(name, sizeof(name), "%s_summary.jsonl", source);
	if (!rc)
		rc = em_append_line_locked(dir, name, line_text, err);
	free(text);
	free(line_text);
	return rc;
}

int em_monitor_write_files(struct em_monitor *mon, const char *dir, const char *job_key, const char *call_id,
                           struct em_error *err)
{
	if (!mon->result)
		return em_fail(err, -EINVAL, "no result yet: stop the monitor before writing files");
	int rc = em_check_file_key("job_key", job_key, err);
	if (!rc)
		rc = em_check_file_key("call_id", call_id, err);
	if (!dir)
		dir = mon->cfg->output_dir;
	if (!rc)
		rc = em_output_dir_trusted(dir, err);
	if (!rc)
		rc = em_mkdir_p(dir, err);
	if (rc)
		return rc;
	/* One file that cannot be written (a planted link, a full disk) costs
	 * only itself: every other source and the composite are still tried. */
	struct em_error first = {0};
	char failed[256] = "", written[256] = "";
	size_t nfailed = 0, total = 0;
	for (size_t i = 0; i <= mon->nsources; i++) {
		const struct em_source *src = i < mon->nsources ? mon->sources[i] : NULL;
		const json_t *res = src ? json_object_get(json_object_get(mon->result, "monitors"), src->name)
		                        : mon->result;
		if (!res)
			continue;
		total++;
		struct em_error one = {0};
		bool ok = write_one(dir, job_key, call_id, mon->cfg->function_name, res,
		                    src && src->lib.vt ? src->lib.vt->measures : 0, &one) == 0;
		if (!ok && !nfailed++)
			first = one;
		char *list = ok ? written : failed;
		size_t used = strlen(list);
		snprintf(list + used, sizeof(failed) - used, "%s%s", used ? ", " : "", src ? src->name : "composite");
	}
	if (!nfailed)
		return 0;
	if (nfailed == total)
		return em_fail(err, first.code, "%s; no file was written", first.message);
	return em_fail(err, first.code, "%s; not written (file or summary line): %s; written: %s", first.message,
	               failed, written);
}
