/*
 * The per-call files Lithops users' notebooks and extractors already read
 * (see shared/reference/lithops-energy-json.md): same names, same keys, same
 * units, with energymon's own detail added under "energymon". Written from
 * the typed result; the key names come from result_keys.c.
 */
#include "internal.h"
#include "result_keys.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The per-call file's name of a metric: energymon's keys by the table
 * ("pkg" -> "energy_pkg"), declared metrics by their own key. */
static const char *file_key(const struct em_metric_result *m)
{
	return m->row ? m->row->lithops_key : m->key;
}

/* energy_consumption's numbers, with their units */
static void add_energies(json_t *ec, const struct em_metric_result *m, size_t n)
{
	json_t *units = json_object();
	for (size_t i = 0; i < n; i++, m++) {
		if (json_object_get(ec, file_key(m)))
			continue; /* the file's own fields win (em_file_fields: a plugin cannot declare them) */
		json_object_set_new(ec, file_key(m), em_real_or_null(m->value));
		json_object_set_new(units, file_key(m), json_string(m->unit_symbol));
		if (m->bound.method && m->row && (m->row->role == EM_ROLE_ENERGY || m->row->role == EM_ROLE_ATTRIBUTED)) {
			/* beside the number, never instead of it: readers that
			 * know only energy_system keep working */
			char key[EM_RESULT_KEY_MAX + 32];
			snprintf(key, sizeof(key), "%s_uncertainty_j", file_key(m));
			json_object_set_new(ec, key, json_real(m->bound.half_width));
			json_object_set_new(units, key, json_string("J"));
		}
		if (m->dynamic.method && m->row) {
			char key[EM_RESULT_KEY_MAX + 32];
			snprintf(key, sizeof(key), "%s_dynamic", file_key(m));
			json_object_set_new(ec, key, json_real(m->dynamic.value));
			json_object_set_new(units, key, json_string("J"));
			snprintf(key, sizeof(key), "%s_dynamic_uncertainty_j", file_key(m));
			json_object_set_new(ec, key, json_real(m->dynamic.half_width));
			json_object_set_new(units, key, json_string("J"));
			snprintf(key, sizeof(key), "idle_power_%s_w", m->key);
			json_object_set_new(ec, key, json_real(m->idle_w));
			json_object_set_new(units, key, json_string("W"));
		}
	}
	json_object_set_new(ec, "units", units);
}

static void add_readings(json_t *file, const struct em_source *src)
{
	for (size_t i = 0; i < src->nseries; i++) {
		const struct em_series *s = &src->series[i];
		const struct em_readings_key *k = em_readings_key_find(s->quantity);
		if (!k)
			continue;
		json_t *list = json_object_get(file, k->list_key), *sensor = json_string(s->sensor); /* shared */
		for (size_t j = 0; j < s->npoints; j++) {
			/* built by hand, not json_pack: thousands of points per series */
			json_t *o = json_object();
			json_object_set_new(o, "timestamp", json_real((double)s->points[j].wall_ns / 1e9));
			if (k->quantity == ENERGY_Q_POWER_W) { /* the seed's power readings had no sensor */
				json_object_set_new(o, k->value_key, json_real(s->points[j].value));
				json_object_set(o, "sensor", sensor);
			} else {
				json_object_set(o, "sensor", sensor);
				json_object_set_new(o, k->value_key, json_real(s->points[j].value));
			}
			json_array_append_new(list, o);
		}
		json_decref(sensor);
	}
}

static json_t *file_shell(const char *job_key, const char *call_id, const char *function_name, const char *source,
                          double timestamp, double duration, bool measured, bool complete, double covered_s)
{
	return json_pack("{s:s,s:s,s:o,s:o,s:s,s:o,s:b,s:b,s:o}", "job_key", job_key, "call_id", call_id,
	                 "timestamp", em_real_or_null(timestamp), "duration", em_real_or_null(duration), "source",
	                 source, "function_name", function_name ? json_string(function_name) : json_null(),
	                 "placeholder", !measured, "complete", complete, "covered_s", em_real_or_null(covered_s));
}

/* Every energy a plugin declares it measures is named in its file, as null
 * when it was not measured (a placeholder, or a domain such as a RAPL
 * counter that never moved: the reason is in the plugin's notes), so a
 * reader never mistakes an absent key for zero: the first key of the table
 * for each scope in `measures` ("system", not "psys"). A plugin that also
 * measures the process tree measures CPU time (not energy) at system scope.
 * Declared metrics are always there (null without a value). */
static void owe_energies(json_t *ec, uint32_t measures)
{
	uint32_t owed = 0;
	bool cpu_time_only = measures & ENERGY_MEASURES(ENERGY_SCOPE_PROCESS);
	for (const struct em_result_key *k = em_result_keys; k->key; k++) {
		if (k->role != EM_ROLE_ENERGY || k->scope >= 32 || (owed & ENERGY_MEASURES(k->scope)))
			continue;
		owed |= ENERGY_MEASURES(k->scope);
		if (!(measures & ENERGY_MEASURES(k->scope)) || json_object_get(ec, k->lithops_key))
			continue;
		if (k->scope == ENERGY_SCOPE_SYSTEM && cpu_time_only)
			continue;
		json_object_set_new(ec, k->lithops_key, json_null());
	}
}

json_t *em_lithops_file(const struct em_source_result *r, const json_t *result_json, const char *job_key,
                        const char *call_id, const char *function_name)
{
	const struct em_source *src = r->src;
	json_t *ec = file_shell(job_key, call_id, function_name, src->name, r->timestamp, r->duration, r->measured,
	                        r->complete, r->covered_s);
	if (!ec)
		return NULL;
	add_energies(ec, r->metrics, r->nmetrics);
	json_object_set_new(ec, "reason", r->reason ? json_string(r->reason) : json_null());
	owe_energies(ec, src->plugin_measures);
	json_t *file = json_pack("{s:o,s:[],s:[],s:[],s:[],s:[]}", "energy_consumption", ec, "power_readings",
	                         "temperature_readings", "voltage_readings", "current_readings", "fan_readings");
	if (!file)
		return NULL;
	add_readings(file, src);
	json_object_set(file, "energymon", (json_t *)result_json);
	return file;
}

/* The composite keeps its own shape with the seed's headline keys added. */
static json_t *composite_file(const struct em_results *res, const json_t *result_json, const char *job_key,
                              const char *call_id, const char *function_name)
{
	json_t *file = json_deep_copy(result_json);
	json_t *ec = file_shell(job_key, call_id, function_name, "composite", res->timestamp, res->duration,
	                        res->measured, res->complete, res->covered_s);
	if (!file || !ec) {
		json_decref(file);
		json_decref(ec);
		return NULL;
	}
	add_energies(ec, res->merged, res->nmerged);
	json_object_set_new(file, "energy_consumption", ec);
	return file;
}

static int write_one(const char *dir, const char *job_key, const char *call_id, const char *fn,
                     const struct em_results *res, const struct em_source_result *r, const json_t *result_json,
                     struct em_error *err)
{
	json_t *file = r ? em_lithops_file(r, result_json, job_key, call_id, fn)
	                 : composite_file(res, result_json, job_key, call_id, fn);
	char *text = file ? json_dumps(file, JSON_INDENT(1) | EM_JSON_REALS) : NULL;
	const char *source = r ? r->src->name : "composite";
	bool measured = r ? r->measured : res->measured, complete = r ? r->complete : res->complete;
	json_t *line = json_pack("{s:s,s:s,s:s,s:o,s:o,s:O,s:b,s:b,s:o}", "job_key", job_key, "call_id", call_id,
	                         "source", source, "timestamp", em_real_or_null(r ? r->timestamp : res->timestamp),
	                         "duration", em_real_or_null(r ? r->duration : res->duration), "energy",
	                         json_object_get(result_json, "energy"), "placeholder", !measured, "complete",
	                         complete, "covered_s", em_real_or_null(r ? r->covered_s : res->covered_s));
	char *line_text = line ? json_dumps(line, JSON_COMPACT | EM_JSON_REALS) : NULL;
	json_decref(file);
	json_decref(line);
	int rc = text && line_text ? 0 : em_fail(err, -ENOMEM, "out of memory");
	/* "ipmi-rack1": a source id's ':' has no place in a file name */
	const char *tag = r ? (r->src->file_tag[0] ? r->src->file_tag : r->src->name) : "composite";
	char name[PATH_MAX];
	snprintf(name, sizeof(name), "%s_%s_%s.json", job_key, call_id, tag);
	if (!rc)
		rc = em_write_file_atomic(dir, name, text, err);
	snprintf(name, sizeof(name), "%s_summary.jsonl", tag);
	if (!rc)
		rc = em_append_line_locked(dir, name, line_text, err);
	free(text);
	free(line_text);
	return rc;
}

int em_monitor_write_files(struct em_monitor *mon, const char *dir, const char *job_key, const char *call_id,
                           struct em_error *err)
{
	if (!mon->result || !mon->results)
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
		const struct em_source_result *r = i < mon->nsources ? &mon->results->sources[i] : NULL;
		const char *name = r ? r->src->name : "composite";
		const json_t *res = r ? json_object_get(json_object_get(mon->result, "monitors"), name) : mon->result;
		if (!res)
			continue;
		total++;
		struct em_error one = {0};
		bool ok = write_one(dir, job_key, call_id, mon->cfg->function_name, mon->results, r, res, &one) == 0;
		if (!ok && !nfailed++)
			first = one;
		char *list = ok ? written : failed;
		size_t used = strlen(list);
		snprintf(list + used, sizeof(failed) - used, "%s%s", used ? ", " : "", name);
	}
	if (!nfailed)
		return 0;
	if (nfailed == total)
		return em_fail(err, first.code, "%s; no file was written", first.message);
	return em_fail(err, first.code, "%s; not written (file or summary line): %s; written: %s", first.message,
	               failed, written);
}
