/*
 * Text from devices is not always UTF-8 (a BMC's SDR id strings are raw
 * bytes), and jansson refuses a string that is not, which used to make a
 * reading vanish without a word. Invalid bytes become '?', one for one, so
 * the text keeps its length and fits the buffer it came in.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not one. */
static size_t valid_sequence(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void em_utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		size_t n = valid_sequence(p);
		if (n == 0)
			*p++ = '?';
		else
			p += n;
	}
}

long em_utf8_invalid_at(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = valid_sequence(p);
		if (n == 0)
			return (long)(p - (const unsigned char *)s);
		p += n;
	}
	return -1;
}

void em_plugin_text(char *out, size_t len, const char *fmt, va_list ap)
{
	/* a NULL format is a plugin's slip, not a crash */
	vsnprintf(out, len, fmt ? fmt : "(no message)", ap);
	em_utf8_sanitize(out);
}
