/*
 * energymond's Prometheus endpoint over a real TCP socket: /metrics (GET,
 * HEAD), 404, 405, the port file, basic auth, and the options refused at
 * startup (exit 2 naming the option or file).
 */
#include "http_client.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct agentd shared;
static unsigned port;
static char answer[1 << 20];

static int start_shared(void)
{
	agentd_prepare(&shared);
	if (!httpd_start(&shared, NULL))
		return -1;
	port = httpd_port(&shared);
	return 0;
}

static int stop_shared(void)
{
	return agentd_suite_stop(&shared);
}

static void test_get_metrics(void)
{
	CU_ASSERT_EQUAL_FATAL(http_request(port, "GET", "/metrics", "", answer, sizeof(answer)), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\r\nContent-Type: text/plain; version=0.0.4"));
	const char *body = http_body(answer);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT(strncmp(body, "energymon_up{", 13) == 0 || strstr(body, "\nenergymon_up{"));
	CU_ASSERT_EQUAL(http_metric(body, "energymon_up{source=\"testpower\""), 1);
	CU_ASSERT(http_metric(body, "energymon_energy_joules_total{") > 0);
	/* the scrapes counter counts: a second scrape sees the first */
	double scrapes = http_metric(body, "energymon_scrapes_total");
	CU_ASSERT_EQUAL_FATAL(http_request(port, "GET", "/metrics", "", answer, sizeof(answer)), 200);
	CU_ASSERT(http_metric(http_body(answer), "energymon_scrapes_total") >= scrapes + 1);
	CU_ASSERT(http_metric(http_body(answer), "energymon_process_resident_memory_bytes") > 1e6);
}

static void test_openmetrics_negotiated(void)
{
	CU_ASSERT_EQUAL_FATAL(http_request(port, "GET", "/metrics", "Accept: application/openmetrics-text; version=1.0.0\r\n",
	                                   answer, sizeof(answer)),
	                      200);
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\r\nContent-Type: application/openmetrics-text"));
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "# EOF\n"));
}

static void test_head(void)
{
	CU_ASSERT_EQUAL_FATAL(http_request(port, "HEAD", "/metrics", "", answer, sizeof(answer)), 200);
	const char *body = http_body(answer);
	CU_ASSERT(body && *body == '\0'); /* headers only */
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\r\nContent-Length: "));
}

static void test_not_found(void)
{
	CU_ASSERT_EQUAL(http_request(port, "GET", "/", "", answer, sizeof(answer)), 404);
	CU_ASSERT_EQUAL(http_request(port, "GET", "/metrics/x", "", answer, sizeof(answer)), 404);
	CU_ASSERT_EQUAL(http_request(port, "POST", "/other", "Content-Length: 0\r\n", answer, sizeof(answer)), 404);
}

static void test_method_not_allowed(void)
{
	CU_ASSERT_EQUAL(http_request(port, "POST", "/metrics", "Content-Length: 5\r\n", answer, sizeof(answer)), 405);
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\r\nAllow: GET, HEAD\r\n"));
	CU_ASSERT_EQUAL(http_request(port, "DELETE", "/metrics", "", answer, sizeof(answer)), 405);
	/* and it still serves */
	CU_ASSERT_EQUAL(http_request(port, "GET", "/metrics", "", answer, sizeof(answer)), 200);
}

static void test_port_file(void)
{
	char path[PATH_MAX + 8];
	snprintf(path, sizeof(path), "%s/port", shared.dir);
	struct stat st;
	CU_ASSERT(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 2 && st.st_size <= 6);
	CU_ASSERT(port > 0); /* httpd_port: digits and one newline, nothing else */
	int fd = http_connect(port);
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	/* no temporary file (port.XXXXXX) left beside it */
	DIR *dir = opendir(shared.dir);
	CU_ASSERT_FATAL(dir != NULL);
	int left = 0;
	for (struct dirent *e; (e = readdir(dir));)
		left += strncmp(e->d_name, "port.", 5) == 0;
	closedir(dir);
	CU_ASSERT_EQUAL(left, 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_FATAL(chmod(path, mode) == 0);
}

static void test_basic_auth(void)
{
	struct agentd d;
	agentd_prepare(&d);
	char auth[PATH_MAX + 8];
	snprintf(auth, sizeof(auth), "%s/auth", d.dir);
	write_file(auth, "prom:s3cret:with-colon\n", 0600);
	const char *extra[] = {"--basic-auth-file", auth, NULL};
	CU_ASSERT_FATAL(httpd_start(&d, extra));
	unsigned p = httpd_port(&d);
	/* prom:s3cret:with-colon */
	CU_ASSERT_EQUAL(http_request(p, "GET", "/metrics", "Authorization: Basic cHJvbTpzM2NyZXQ6d2l0aC1jb2xvbg==\r\n",
	                             answer, sizeof(answer)),
	                200);
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "energymon_up{"));
	CU_ASSERT_EQUAL(http_request(p, "GET", "/metrics", "", answer, sizeof(answer)), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\r\nWWW-Authenticate: Basic realm=\"energymond\""));
	CU_ASSERT_PTR_NULL(strstr(answer, "energymon_up"));
	/* prom:s3cret (a prefix of the password) and prom:s3cret:with-colonX */
	CU_ASSERT_EQUAL(http_request(p, "GET", "/metrics", "Authorization: Basic cHJvbTpzM2NyZXQ=\r\n", answer,
	                             sizeof(answer)),
	                401);
	CU_ASSERT_EQUAL(http_request(p, "GET", "/metrics", "Authorization: Basic cHJvbTpzM2NyZXQ6d2l0aC1jb2xvblg=\r\n",
	                             answer, sizeof(answer)),
	                401);
	/* other:s3cret:with-colon */
	CU_ASSERT_EQUAL(http_request(p, "GET", "/metrics", "Authorization: Basic b3RoZXI6czNjcmV0OndpdGgtY29sb24=\r\n",
	                             answer, sizeof(answer)),
	                401);
	agentd_stop(&d);
	CU_ASSERT_EQUAL(d.status, 0);
	char log[16384];
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NULL(strstr(log, "s3cret")); /* the secret is never logged */
}

/* ":PORT", "localhost:PORT" and "ADDR:PORT" all mean a loopback port here. */
static void test_listen_forms(void)
{
	const char *forms[] = {":0", "localhost:0", "127.0.0.1:0"};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct agentd d;
		agentd_prepare(&d);
		char port_file[PATH_MAX + 8];
		snprintf(port_file, sizeof(port_file), "%s/port", d.dir);
		const char *args[] = {"--plugins", "testpower", "--listen", forms[i], "--listen-port-file", port_file, NULL};
		CU_ASSERT_FATAL(agentd_start(&d, args));
		unsigned p = httpd_port(&d);
		CU_ASSERT(p != 0 && http_request(p, "GET", "/metrics", "", answer, sizeof(answer)) == 200);
		agentd_stop(&d);
		CU_ASSERT_EQUAL(d.status, 0);
	}
}

static void test_help_lists_options(void)
{
	const char *argv[] = {agent_binary(), "--help", NULL};
	CU_ASSERT_EQUAL_FATAL(http_run(argv, answer, sizeof(answer)), 0);
	const char *options[] = {"--listen ADDR:PORT", "--listen-port-file FILE", "--tls-cert FILE --tls-key FILE",
	                         "--basic-auth-file FILE", "/metrics"};
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(answer, options[i]));
}

/* [::1]:0 listens on IPv6 loopback only (skipped, with a line, without ::1). */
static void test_ipv6(void)
{
	int probe = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	bool have = probe >= 0 && bind(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (probe >= 0)
		close(probe);
	if (!have) {
		fprintf(stderr, "\nno IPv6 loopback here: [::1] not tested\n");
		return;
	}
	struct agentd d;
	agentd_prepare(&d);
	char port_file[PATH_MAX + 8];
	snprintf(port_file, sizeof(port_file), "%s/port", d.dir);
	const char *args[] = {"--plugins", "testpower", "--listen", "[::1]:0", "--listen-port-file", port_file, NULL};
	CU_ASSERT_FATAL(agentd_start(&d, args));
	unsigned p = httpd_port(&d);
	CU_ASSERT_FATAL(p != 0);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin6_port = htons((uint16_t)p);
	struct timeval tv = {15, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	const char *req = "GET /metrics HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n";
	CU_ASSERT(http_send_all(fd, req, strlen(req)) == 0);
	http_read_all(fd, answer, sizeof(answer));
	close(fd);
	CU_ASSERT(strncmp(answer, "HTTP/1.1 200", 12) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(answer, "energymon_up{"));
	CU_ASSERT_EQUAL(http_connect(p), -1); /* not on IPv4 127.0.0.1 */
	agentd_stop(&d);
	CU_ASSERT_EQUAL(d.status, 0);
}

/* Spawn with `args` and expect exit 2 and `needle` in its log. */
static void expect_refused(const char *const *args, const char *needle)
{
	struct agentd d;
	agentd_prepare(&d);
	agentd_spawn(&d, args);
	CU_ASSERT_FATAL(agentd_wait(&d, 20));
	CU_ASSERT_EQUAL(d.status, 2);
	char log[8192];
	agentd_log(&d, log, sizeof(log));
	if (!strstr(log, needle))
		fprintf(stderr, "\nexpected '%s' in: %s\n", needle, log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, needle));
}

static void test_auth_file_refused(void)
{
	char dir[] = "/tmp/energymond-http-auth-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	char open_file[64], link_file[64];
	snprintf(open_file, sizeof(open_file), "%s/auth", dir);
	snprintf(link_file, sizeof(link_file), "%s/link", dir);
	write_file(open_file, "prom:pw\n", 0644);
	const char *world[] = {"--plugins", "testpower", "--listen", "0", "--basic-auth-file", open_file, NULL};
	expect_refused(world, open_file);
	expect_refused(world, "readable or writable by others");
	CU_ASSERT_FATAL(chmod(open_file, 0600) == 0 && symlink(open_file, link_file) == 0);
	const char *sym[] = {"--plugins", "testpower", "--listen", "0", "--basic-auth-file", link_file, NULL};
	expect_refused(sym, "symbolic link");
	write_file(open_file, "no colon here\n", 0600);
	const char *bad[] = {"--plugins", "testpower", "--listen", "0", "--basic-auth-file", open_file, NULL};
	expect_refused(bad, "user:password");
	unlink(link_file);
	unlink(open_file);
	rmdir(dir);
}

static void test_bad_options_refused(void)
{
	const char *no_port[] = {"--plugins", "testpower", "--listen", "127.0.0.1:http", NULL};
	expect_refused(no_port, "--listen: '127.0.0.1:http'");
	const char *name[] = {"--plugins", "testpower", "--listen", "example.org:9100", NULL};
	expect_refused(name, "'example.org' is not a numeric");
	const char *stray[] = {"--plugins", "testpower", "--listen-port-file", "/tmp/x", NULL};
	expect_refused(stray, "--listen-port-file needs --listen");
	const char *half_tls[] = {"--plugins", "testpower", "--listen", "0", "--tls-cert", "/etc/hostname", NULL};
	expect_refused(half_tls, "--tls-cert and --tls-key go together");
}

int main(int argc, char **argv)
{
	if (agent_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: test_agent_http ENERGYMOND\n");
		return 1;
	}
	CU_TestInfo tests[] = {
		{"GET /metrics: 200 with energymon_up and energy counters", test_get_metrics},
		{"Accept: openmetrics gets OpenMetrics", test_openmetrics_negotiated},
		{"HEAD /metrics: headers only", test_head},
		{"other paths: 404", test_not_found},
		{"other methods: 405 with Allow", test_method_not_allowed},
		{"--listen-port-file holds the bound port", test_port_file},
		{"basic auth: right 200, missing or wrong 401", test_basic_auth},
		{"--listen :0, localhost:0, 127.0.0.1:0", test_listen_forms},
		{"--listen [::1]:0 serves over IPv6", test_ipv6},
		{"--help lists the HTTP options", test_help_lists_options},
		{"an unsafe --basic-auth-file is refused naming it", test_auth_file_refused},
		{"bad --listen and stray options exit 2", test_bad_options_refused},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent-http", start_shared, stop_shared, tests);
}
