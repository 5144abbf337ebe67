/*
 * The Prometheus endpoint (http.h): libmicrohttpd with its own polling
 * thread (epoll), bounded in connections, per-IP connections, memory per
 * connection, idle time (libmicrohttpd) and whole-exchange time
 * (http_deadline.c), with optional TLS and basic auth.
 */
#include "agent.h"
#include "exposition.h"
#include "http.h"
#include "http_deadline.h"

#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define HTTP_CONNECTIONS_MAX 128u /* Prometheus servers, not clients: a few */
#define HTTP_PER_IP_MAX 32u
#define HTTP_IDLE_TIMEOUT_S 10u
#define AGENT_HTTP_DEADLINE_S 10.0
#define HTTP_MEMORY_PER_CONNECTION (32u * 1024u) /* headers beyond it: 431 */
#define HTTP_PEM_MAX (64u * 1024u)
#define HTTP_AUTH_FILE_MAX 4096u
#define HTTP_REALM "energymond"

struct agent_http {
	struct sockaddr_storage addr;
	const char *port_file;
	char *cert, *key, *auth; /* file contents; key and auth are wiped */
	size_t cert_size, key_size, auth_size;
	const char *user, *password; /* inside auth */
	size_t user_len, password_len;
	struct MHD_Daemon *daemon;
	struct http_deadlines *deadlines;
	struct em_monitor *mon;
	pthread_mutex_t lock; /* the scrape figures: libmicrohttpd may serve concurrently */
	uint64_t scrapes;
	double last_scrape_s;
	/* libmicrohttpd logs once per refused connection: a flood would flood
	 * the journal, so at most HTTP_LOG_BURST lines a second (same lock) */
	double log_second;
	unsigned log_lines;
	uint64_t log_suppressed;
};

#define HTTP_LOG_BURST 5u

static int parse_auth(struct agent_http *h, const char *path, char *why, size_t len)
{
	char *line = h->auth;
	line[strcspn(line, "\r\n")] = '\0';
	char *colon = strchr(line, ':');
	if (!colon || colon == line || !colon[1]) {
		snprintf(why, len, "--basic-auth-file %s: expected one line user:password", path);
		return -EINVAL;
	}
	*colon = '\0';
	h->user = line, h->user_len = strlen(line);
	h->password = colon + 1, h->password_len = strlen(colon + 1);
	return 0;
}

int agent_http_prepare(const struct agent_http_options *o, struct agent_http **out, char *why, size_t len)
{
	*out = NULL;
	if (!o->listen) {
		const char *stray = o->port_file ? "--listen-port-file" : o->tls_cert ? "--tls-cert" : o->tls_key ? "--tls-key"
		                                  : o->basic_auth_file ? "--basic-auth-file" : NULL;
		if (stray)
			snprintf(why, len, "%s needs --listen", stray);
		return stray ? -EINVAL : 0;
	}
	if (!o->tls_cert != !o->tls_key) {
		snprintf(why, len, "--tls-cert and --tls-key go together");
		return -EINVAL;
	}
	if (o->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(why, len, "--tls-cert: this libmicrohttpd (%s) was built without TLS", MHD_get_version());
		return -EINVAL;
	}
	struct agent_http *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	pthread_mutex_init(&h->lock, NULL);
	h->last_scrape_s = NAN; /* no scrape yet */
	h->port_file = o->port_file;
	int rc = agent_http_parse_listen(o->listen, &h->addr, why, len);
	if (!rc && o->tls_cert)
		rc = agent_http_read_file("--tls-cert", o->tls_cert, HTTP_PEM_MAX, 0, &h->cert, &h->cert_size, why, len);
	if (!rc && o->tls_key) /* a private key readable by every user is no longer private */
		rc = agent_http_read_file("--tls-key", o->tls_key, HTTP_PEM_MAX, 007, &h->key, &h->key_size, why, len);
	if (!rc && o->basic_auth_file)
		rc = agent_http_read_file("--basic-auth-file", o->basic_auth_file, HTTP_AUTH_FILE_MAX, 077, &h->auth,
		                          &h->auth_size, why, len);
	if (!rc && h->auth)
		rc = parse_auth(h, o->basic_auth_file, why, len);
	if (rc) {
		agent_http_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static int authorized(struct agent_http *h, struct MHD_Connection *c)
{
	char *password = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &password);
	int ok = 0;
	if (user && password) { /* both compared whatever the first gives: no timing hint */
		int u = agent_http_equal(user, strlen(user), h->user, h->user_len);
		int p = agent_http_equal(password, strlen(password), h->password, h->password_len);
		ok = u & p;
	}
	if (password)
		explicit_bzero(password, strlen(password));
	MHD_free(user);
	MHD_free(password);
	return ok;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result scrape(struct agent_http *h, struct MHD_Connection *c)
{
	if (!h->mon)
		return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "energymond measures nothing: see its log\n");
	double start = mono_s();
	struct expo_self self = {0};
	pthread_mutex_lock(&h->lock);
	self.scrapes = h->scrapes;
	self.last_scrape_duration_s = h->last_scrape_s;
	pthread_mutex_unlock(&h->lock);
	if (agent_http_process(&self.cpu_s, &self.rss_bytes) != 0)
		self.cpu_s = self.rss_bytes = NAN; /* left off the page, not invented */
	enum expo_format f = expo_negotiate(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	size_t n = 0;
	char *page = expo_render(h->mon, f, &self, &n);
	if (!page) {
		agent_log("http: cannot render /metrics: %s", strerror(errno));
		return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "energymond cannot render the metrics: see its log\n");
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(n, page, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, expo_content_type(f));
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	pthread_mutex_lock(&h->lock);
	h->scrapes++;
	h->last_scrape_s = mono_s() - start;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

/* Refusals go at the first call, with the headers: nothing here reads a
 * body (libmicrohttpd then closes the connection instead of reading one).
 * A scrape waits for the second call, when the (empty) request is complete,
 * so that the connection can be kept alive for the next scrape. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **req)
{
	struct agent_http *h = cls;
	static int headers_seen;
	(void)version, (void)upload;
	if (h->auth && !authorized(h, c)) {
		static const char text[] = "energymond: user and password required (basic auth)\n";
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text, MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		enum MHD_Result ok = MHD_queue_basic_auth_fail_response(c, HTTP_REALM, r);
		MHD_destroy_response(r);
		return ok;
	}
	if (strcmp(url, "/metrics") != 0)
		return answer_text(c, MHD_HTTP_NOT_FOUND, "energymond serves /metrics only\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "/metrics takes GET or HEAD\n");
	if (!*req) {
		*req = &headers_seen;
		return MHD_YES;
	}
	if (*upload_size) { /* a GET with a body: not read, the connection closes */
		*upload_size = 0;
		return MHD_NO;
	}
	return scrape(h, c);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req, enum MHD_RequestTerminationCode toe)
{
	(void)req, (void)toe;
	http_deadlines_answered(((struct agent_http *)cls)->deadlines, c);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct agent_http *h = cls;
	double now = mono_s();
	uint64_t suppressed = 0;
	pthread_mutex_lock(&h->lock);
	if (now - h->log_second >= 1.0) {
		suppressed = h->log_suppressed;
		h->log_second = now, h->log_lines = 0, h->log_suppressed = 0;
	}
	bool show = h->log_lines < HTTP_LOG_BURST;
	if (show)
		h->log_lines++;
	else
		h->log_suppressed++;
	pthread_mutex_unlock(&h->lock);
	if (suppressed)
		agent_log("http: %llu more messages in the last second not logged", (unsigned long long)suppressed);
	if (!show)
		return;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	agent_log("http: %s", line);
}

int agent_http_start(struct agent_http *h, struct em_monitor *mon, char *why, size_t len)
{
	h->mon = mon;
	if (!(h->deadlines = http_deadlines_start(AGENT_HTTP_DEADLINE_S))) {
		snprintf(why, len, "--listen: cannot start the deadline thread");
		return -ENOMEM;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (h->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (h->cert)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem tls[] = {
		{h->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, h->cert},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, h->key},
		{MHD_OPTION_END, 0, NULL},
	};
	h->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&h->addr,
	    MHD_OPTION_CONNECTION_LIMIT, HTTP_CONNECTIONS_MAX, MHD_OPTION_PER_IP_CONNECTION_LIMIT, HTTP_PER_IP_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)HTTP_MEMORY_PER_CONNECTION, MHD_OPTION_NOTIFY_CONNECTION, http_deadlines_notify, h->deadlines,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	    MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(why, len, "--listen: cannot listen (address in use or not local? libmicrohttpd says why above)");
		return -EADDRINUSE;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = info ? info->port : 0;
	agent_log("serving /metrics on port %u%s%s", port, h->cert ? " over TLS" : "", h->auth ? " with basic auth" : "");
	return h->port_file ? agent_http_write_port_file(h->port_file, port, why, len) : 0;
}

void agent_http_free(struct agent_http *h)
{
	if (!h)
		return;
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	http_deadlines_stop(h->deadlines);
	free(h->cert);
	agent_http_wipe(h->key, h->key_size);
	agent_http_wipe(h->auth, h->auth_size);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
