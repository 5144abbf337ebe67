/* The test side of energymond's Prometheus endpoint: a plain HTTP client
 * over a real TCP socket (so a test controls every byte it sends), the
 * shared daemon with --listen, and curl as a child process for TLS. */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H

#include "agent_harness.h"

#include <stddef.h>

/* energymond with testpower every 50 ms, --listen 0 and its port file in
 * d->dir/port, plus `extra` (NULL-terminated, may be NULL). True once both
 * the socket and the port file are there. */
bool httpd_start(struct agentd *d, const char *const *extra);
/* The port from d->dir/port: 0 unless the file is exactly digits and "\n". */
unsigned httpd_port(const struct agentd *d);

/* A blocking TCP connection to 127.0.0.1:port with 15 s timeouts; -1 on failure. */
int http_connect(unsigned port);
int http_send_all(int fd, const void *buf, size_t len);
/* Everything until the server closes (or 15 s), NUL-terminated; the length. */
size_t http_read_all(int fd, char *out, size_t cap);
/* One request (Connection: close) with `headers` ("" or lines ending in
 * \r\n): the status code, 0 when no status line came; the whole answer in out. */
int http_request(unsigned port, const char *method, const char *path, const char *headers, char *out, size_t cap);
/* The body of an answer in http_request's out; NULL without one. */
const char *http_body(const char *answer);
/* The value of the first line of `page` starting with `prefix`; -1 if none. */
double http_metric(const char *page, const char *prefix);

/* Run argv (argv[0] searched in PATH) with stdout into out (NUL-terminated)
 * and stderr to /dev/null: its exit status, or -1 when it could not run. */
int http_run(const char *const *argv, char *out, size_t cap);
/* Whether `program` is found in PATH. */
bool http_have(const char *program);

#endif
