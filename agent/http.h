/*
 * energymond's Prometheus endpoint (README.md, "Prometheus"): GET/HEAD
 * /metrics served by libmicrohttpd on its own thread, beside the Unix-socket
 * loop. A scrape renders em_monitor_live(): it copies the latest samples and
 * never talks to a source, so a dead BMC cannot slow it.
 */
#ifndef AGENT_HTTP_H
#define AGENT_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct em_monitor;

struct agent_http_options {
	const char *listen;          /* "ADDR:PORT", "PORT", ":PORT", "[::1]:PORT"; NULL: off */
	const char *port_file;       /* written with the bound port once listening */
	const char *tls_cert, *tls_key;
	const char *basic_auth_file; /* one "user:password" line, mode 0600 or stricter */
};

struct agent_http;

/* Checks the options and reads the files they name (before any source
 * starts): 0, or -EINVAL with *why naming the option or file (exit 2), or
 * another negative errno. Nothing listens yet. */
int agent_http_prepare(const struct agent_http_options *o, struct agent_http **out, char *why, size_t len);
/* Starts listening and serving `mon` (NULL: /metrics answers 503), then
 * writes the port file: 0 or a negative errno with *why. */
int agent_http_start(struct agent_http *h, struct em_monitor *mon, char *why, size_t len);
/* Stops serving (waits for a scrape in progress) and wipes the secrets;
 * before the monitor is destroyed. NULL is a no-op. */
void agent_http_free(struct agent_http *h);

/* ---- the parts, each in its own file ---- */

/* http_address.c: "ADDR:PORT" and friends, numeric addresses only (no DNS
 * lookup at startup); "localhost" is 127.0.0.1. */
struct sockaddr_storage;
int agent_http_parse_listen(const char *text, struct sockaddr_storage *sa, char *why, size_t len);
/* The port as decimal + newline, atomically (a temporary file renamed). */
int agent_http_write_port_file(const char *path, unsigned port, char *why, size_t len);

/* http_files.c: a regular file (never through a symlink) of at most `max`
 * bytes, NUL-terminated in *data (caller wipes and frees). `private_bits`:
 * mode bits that must be clear (077 for a secret), 0 for none. */
int agent_http_read_file(const char *what, const char *path, size_t max, unsigned private_bits, char **data,
                         size_t *size, char *why, size_t len);
/* Frees after overwriting: for secrets. NULL is a no-op. */
void agent_http_wipe(char *data, size_t size);
/* Constant-time equality: time depends only on the lengths' maximum. */
int agent_http_equal(const char *a, size_t alen, const char *b, size_t blen);

/* http_self.c: energymond's own process figures, for the self-metrics. */
int agent_http_process(double *cpu_s, double *rss_bytes);

#endif
