/* The exposition's text buffer: grows geometrically up to a fixed cap. */
#include "expo_text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void expo_text_init(struct expo_text *t, size_t max)
{
	*t = (struct expo_text){.max = max};
}

static bool reserve(struct expo_text *t, size_t more)
{
	if (t->failed)
		return false;
	if (more >= t->max - t->len) {
		t->failed = true;
		t->err = EFBIG;
		return false;
	}
	if (t->len + more + 1 <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap : 16384;
	while (cap < t->len + more + 1)
		cap *= 2;
	if (cap > t->max)
		cap = t->max;
	char *grown = realloc(t->buf, cap);
	if (!grown) {
		t->failed = true;
		t->err = ENOMEM;
		return false;
	}
	t->buf = grown;
	t->cap = cap;
	return true;
}

static void put_n(struct expo_text *t, const char *s, size_t n)
{
	if (!reserve(t, n))
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

void expo_text_put(struct expo_text *t, const char *s)
{
	put_n(t, s, strlen(s));
}

void expo_text_printf(struct expo_text *t, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		put_n(t, small, (size_t)n);
		return;
	}
	if (!reserve(t, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (!n)
		return 0;
	uint32_t cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void expo_text_label_value(struct expo_text *t, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	while (*s) {
		if (*s == '\\' || *s == '"') {
			char esc[2] = {'\\', (char)*s};
			put_n(t, esc, 2);
			s++;
		} else if (*s == '\n') {
			put_n(t, "\\n", 2);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			put_n(t, "?", 1);
			s++;
		} else {
			size_t n = utf8_len(s);
			if (n) {
				put_n(t, (const char *)s, n);
				s += n;
			} else {
				put_n(t, "?", 1);
				s++;
			}
		}
	}
}

void expo_text_number(struct expo_text *t, double v)
{
	if (isnan(v))
		expo_text_put(t, "NaN");
	else if (isinf(v))
		expo_text_put(t, v > 0 ? "+Inf" : "-Inf");
	else {
		/* the shortest of 15 or 17 digits that reads back as v */
		char b[40];
		snprintf(b, sizeof(b), "%.15g", v);
		if (strtod(b, NULL) != v)
			snprintf(b, sizeof(b), "%.17g", v);
		expo_text_put(t, b);
	}
}
