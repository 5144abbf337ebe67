#include "truth_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* Lines are gathered in a buffer and written in large pieces: a recorded
 * trace of many points costs few system calls. */
struct out {
	int fd;
	int rc;
	size_t len;
	char buf[8192];
};

static void flush(struct out *o)
{
	size_t done = 0;

	while (o->rc == 0 && done < o->len) {
		ssize_t k = write(o->fd, o->buf + done, o->len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			o->rc = k < 0 ? -errno : -EIO;
		else
			done += (size_t)k;
	}
	o->len = 0;
}

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (sizeof(o->buf) - o->len < 256)
		flush(o);
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	/* Every line here is far shorter than 256 bytes. */
	if (k > 0 && (size_t)k < sizeof(o->buf) - o->len)
		o->len += (size_t)k;
	else if (o->rc == 0)
		o->rc = -EOVERFLOW;
}

int truth_log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);

	return fd < 0 ? -errno : fd;
}

static const char *stamp_name(enum bmc_stamp_mode m)
{
	return m == BMC_STAMP_REFRESH ? "refresh" : m == BMC_STAMP_FROZEN ? "frozen" : "request";
}

int truth_log_header(int fd, double start, const struct bmc_behaviour *b)
{
	struct out o = { .fd = fd };

	put(&o, "# simbmc truth log: start=%.17g refresh_ms=%.10g window_ms=%.10g quantise=%d stamp=%s\n",
	    start, b->refresh_s * 1000.0, b->window_s * 1000.0, b->quantise ? 1 : 0, stamp_name(b->stamp));
	flush(&o);
	return o.rc;
}

int truth_log_profile(int fd, double loaded_at, const double *t, const double *w, size_t n)
{
	struct out o = { .fd = fd };

	put(&o, "# profile loaded at %.17g: %zu points\n", loaded_at, n);
	for (size_t i = 0; i < n; i++)
		put(&o, "%.17g %.17g\n", t[i], w[i]);
	flush(&o);
	return o.rc;
}
