#include "lithops_format.h"

#include <stdio.h>
#include <string.h>

/* energy_consumption's fields besides the energies: key, JSON type, unit
 * (NULL: none), and whether only a source with power readings has it (the
 * statistics of the IPMI file's power; "power_std_dev" in W as the seed
 * computed it). */
static const struct field {
	const char *key;
	int type; /* a json_type; JSON_NULL here means "string or null" */
	const char *unit;
	int of_power;
} fields[] = {
	{"job_key", JSON_STRING, NULL, 0}, {"call_id", JSON_STRING, NULL, 0},   {"timestamp", JSON_REAL, NULL, 0},
	{"avg_power", JSON_REAL, "W", 1},  {"min_power", JSON_REAL, "W", 1},    {"max_power", JSON_REAL, "W", 1},
	{"power_std_dev", JSON_REAL, "W", 1}, {"duration", JSON_REAL, NULL, 0}, {"source", JSON_STRING, NULL, 0},
	{"function_name", JSON_NULL, NULL, 0},
};

/* The readings lists and the keys of each entry besides "timestamp". */
static const struct list {
	const char *key;
	const char *value_key;
	int has_sensor;
} lists[] = {
	{"power_readings", "power", 0},  {"temperature_readings", "value", 1}, {"voltage_readings", "value", 1},
	{"current_readings", "value", 1}, {"fan_readings", "value", 1},
};

static int problem(const char *what, const char *fmt, const char *key)
{
	fprintf(stderr, "\n  %s: ", what);
	fprintf(stderr, fmt, key);
	fputc('\n', stderr);
	return 1;
}

static int type_ok(const json_t *v, int type)
{
	if (type == JSON_REAL)
		return json_is_number(v);
	if (type == JSON_NULL)
		return json_is_string(v) || json_is_null(v);
	return json_typeof(v) == (json_type)type;
}

static int unit_problems(const json_t *units, const char *key, const char *unit, const char *what)
{
	const char *said = json_string_value(json_object_get(units, key));
	if (!unit || (said && strcmp(said, unit) == 0))
		return 0;
	fprintf(stderr, "\n  %s: units.%s is %s, the format's unit is %s\n", what, key, said ? said : "(none)", unit);
	return 1;
}

static int list_problems(const json_t *file, const struct list *l, const char *what)
{
	const json_t *arr = json_object_get(file, l->key), *r;
	size_t i;
	int n = 0;
	if (!json_is_array(arr))
		return problem(what, "%s is not a list", l->key);
	json_array_foreach(arr, i, r) {
		if (!json_is_number(json_object_get(r, "timestamp")) || !json_is_number(json_object_get(r, l->value_key)) ||
		    (l->has_sensor && !json_is_string(json_object_get(r, "sensor"))))
			n += problem(what, "an entry of %s lacks a numeric timestamp, its value or its sensor", l->key);
	}
	return n;
}

int lithops_format_problems(const json_t *file, const char *source, const char *const *energy_keys,
                            bool power, const char *what)
{
	const json_t *ec = json_object_get(file, "energy_consumption");
	const json_t *units = json_object_get(ec, "units");
	int n = 0;
	if (!json_is_object(ec))
		return problem(what, "%s is not an object", "energy_consumption");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].of_power && !power)
			continue;
		const json_t *v = json_object_get(ec, fields[i].key);
		if (!v || !type_ok(v, fields[i].type))
			n += problem(what, "energy_consumption.%s is absent or of the wrong type", fields[i].key);
		n += unit_problems(units, fields[i].key, fields[i].unit, what);
	}
	const char *said = json_string_value(json_object_get(ec, "source"));
	if (!said || strcmp(said, source) != 0)
		n += problem(what, "energy_consumption.source is not '%s'", source);
	for (const char *const *k = energy_keys; *k; k++) {
		if (!json_is_number(json_object_get(ec, *k)))
			n += problem(what, "energy_consumption.%s is not a number", *k);
		n += unit_problems(units, *k, "J", what);
	}
	static const char *const optional[] = {"avg_cpu_temp", "avg_system_temp"}; /* a number when there */
	for (size_t i = 0; i < 2; i++) {
		const json_t *v = json_object_get(ec, optional[i]);
		if (v && !json_is_number(v))
			n += problem(what, "energy_consumption.%s is there but not a number", optional[i]);
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		n += list_problems(file, &lists[i], what);
	return n;
}
