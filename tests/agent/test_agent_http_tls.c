/*
 * energymond's /metrics over TLS, with a self-signed certificate the test
 * makes with openssl and a real curl as the client (77 without them).
 */
#include "http_client.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct agentd shared;
static unsigned port;
static char cert[PATH_MAX + 16], key[PATH_MAX + 16], auth[PATH_MAX + 16];
static char out[1 << 20];

static int start_shared(void)
{
	agentd_prepare(&shared);
	snprintf(cert, sizeof(cert), "%s/cert.pem", shared.dir);
	snprintf(key, sizeof(key), "%s/key.pem", shared.dir);
	snprintf(auth, sizeof(auth), "%s/auth", shared.dir);
	const char *req[] = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
	                     "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
	                     "-keyout", key, "-out", cert, NULL};
	if (http_run(req, out, sizeof(out)) != 0 || chmod(key, 0600) != 0) {
		fprintf(stderr, "openssl req could not make the certificate\n");
		return -1;
	}
	FILE *f = fopen(auth, "w");
	if (!f)
		return -1;
	fputs("scraper:tls-pw\n", f);
	fclose(f);
	const char *extra[] = {"--tls-cert", cert, "--tls-key", key, "--basic-auth-file", auth, NULL};
	if (chmod(auth, 0600) != 0 || !httpd_start(&shared, extra))
		return -1;
	port = httpd_port(&shared);
	return 0;
}

static int stop_shared(void)
{
	return agentd_suite_stop(&shared);
}

/* curl's exit status; out holds the body and then "\n<status code>". */
static int curl(const char *scheme, const char *user)
{
	char url[64];
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u/metrics", scheme, port);
	const char *argv[16] = {"curl", "-sS", "--max-time", "15", "--cacert", cert, "-w", "\n%{http_code}", url};
	size_t n = 9;
	if (user) {
		argv[n++] = "-u";
		argv[n++] = user;
	}
	argv[n] = NULL;
	return http_run(argv, out, sizeof(out));
}

static int last_status(void)
{
	const char *nl = strrchr(out, '\n');
	return nl ? atoi(nl + 1) : -1;
}

static void test_tls_scrape(void)
{
	CU_ASSERT_EQUAL_FATAL(curl("https", "scraper:tls-pw"), 0);
	CU_ASSERT_EQUAL(last_status(), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "energymon_up{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "energymon_energy_joules_total{"));
}

static void test_tls_auth_refused(void)
{
	CU_ASSERT_EQUAL(curl("https", NULL), 0);
	CU_ASSERT_EQUAL(last_status(), 401);
	CU_ASSERT_EQUAL(curl("https", "scraper:wrong"), 0);
	CU_ASSERT_EQUAL(last_status(), 401);
	CU_ASSERT_PTR_NULL(strstr(out, "energymon_up"));
}

/* Plain HTTP to the TLS port gets no metrics, and the agent serves on. */
static void test_plain_http_refused(void)
{
	curl("http", "scraper:tls-pw");
	CU_ASSERT_PTR_NULL(strstr(out, "energymon_up"));
	CU_ASSERT_NOT_EQUAL(last_status(), 200);
	CU_ASSERT_EQUAL(curl("https", "scraper:tls-pw"), 0);
	CU_ASSERT_EQUAL(last_status(), 200);
}

/* A certificate curl has no reason to trust: curl refuses it. */
static void test_untrusted_without_cacert(void)
{
	char url[64];
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/metrics", port);
	const char *argv[] = {"curl", "-sS", "--max-time", "15", "-u", "scraper:tls-pw", url, NULL};
	CU_ASSERT_EQUAL(http_run(argv, out, sizeof(out)), 60); /* CURLE_PEER_FAILED_VERIFICATION */
}

int main(int argc, char **argv)
{
	if (agent_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: test_agent_http_tls ENERGYMOND\n");
		return 1;
	}
	if (!http_have("curl") || !http_have("openssl")) {
		printf("SKIP: curl or openssl is missing (Debian packages curl, openssl)\n");
		return 77;
	}
	CU_TestInfo tests[] = {
		{"https with the right user: 200 and the metrics", test_tls_scrape},
		{"https without or with wrong auth: 401", test_tls_auth_refused},
		{"plain http to the TLS port: no metrics", test_plain_http_refused},
		{"the self-signed certificate is not trusted without --cacert", test_untrusted_without_cacert},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent-http-tls", start_shared, stop_shared, tests);
}
