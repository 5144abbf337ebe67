/* One place that turns a failure into an em_error. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

int em_fail(struct em_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}
