/* energymond's log: stderr, one line per event, so that journald (or a
 * test) reads one record per line whatever a client put in a name. */
#include "agent.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

void agent_log(const char *fmt, ...)
{
	char line[2048];
	int head = snprintf(line, sizeof(line), "energymond: ");
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + head, sizeof(line) - (size_t)head - 1, fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? (size_t)head : (size_t)head + (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	for (size_t i = (size_t)head; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	/* one write(): lines of several threads never interleave */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

int64_t agent_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
