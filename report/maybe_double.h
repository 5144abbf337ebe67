/* maybe_double.h — a number that may be absent: a value the file does not
 * carry, or carries as null, is absent, never 0. */
#ifndef REPORT_MAYBE_DOUBLE_H
#define REPORT_MAYBE_DOUBLE_H

#include <jansson.h>
#include <stdbool.h>

struct maybe_double {
	bool present;
	double value;
};

/* object[key] when it is a number, else absent. */
static inline struct maybe_double maybe_number_at(const json_t *object, const char *key)
{
	const json_t *value = json_object_get(object, key);
	if (json_is_number(value))
		return (struct maybe_double){true, json_number_value(value)};
	return (struct maybe_double){false, 0.0};
}

#endif
