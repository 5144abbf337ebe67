/* A bounded text buffer for the exposition, with the format's escaping. */
#ifndef ENERGYMOND_EXPO_TEXT_H
#define ENERGYMOND_EXPO_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct expo_text {
	char *buf;
	size_t len, cap, max;
	bool failed; /* out of memory or past max: everything after is dropped */
	int err;     /* ENOMEM or EFBIG when failed */
};

void expo_text_init(struct expo_text *t, size_t max);
void expo_text_put(struct expo_text *t, const char *s);
void expo_text_printf(struct expo_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A label value: \ " and newline escaped as the formats require; control
 * bytes and invalid UTF-8 (a BMC's sensor names are untrusted bytes) as '?'. */
void expo_text_label_value(struct expo_text *t, const char *v);
/* A sample value: shortest round-trip decimal, +Inf/-Inf/NaN spelled as the
 * formats spell them. */
void expo_text_number(struct expo_text *t, double v);

#endif
