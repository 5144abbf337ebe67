/*
 * energymond [--config FILE] [--plugins LIST] [--interval S] [--set KEY=VALUE]...
 *            [--socket PATH] [--group NAME] [--listen ADDR:PORT [--listen-port-file FILE]
 *            [--tls-cert FILE --tls-key FILE] [--basic-auth-file FILE]]
 * The node agent: one continuous monitor whose sources many clients share
 * through windows over a Unix socket (docs/agent-protocol.md).
 * Exit status: 0 after SIGTERM/SIGINT, 2 for usage and configuration
 * errors, 1 for any other failure.
 */
#include "agent.h"
#include "energy_plugin.h"
#include "http.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_FAILED 1
#define EXIT_CONFIG 2

struct options {
	const char *config, *plugins, *socket, *group;
	double interval;
	bool interval_set;
	const char *sets[64];
	size_t nsets;
	struct agent_http_options http;
};

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    energymond - the energymon node agent: measures once, for many clients\n\n"
	      "SYNOPSIS\n"
	      "    energymond [--config FILE] [--plugins LIST] [--interval S] [--set KEY=VALUE]...\n"
	      "               [--socket PATH] [--group NAME]\n"
	      "               [--listen ADDR:PORT [--listen-port-file FILE] [--tls-cert FILE --tls-key FILE]\n"
	      "                [--basic-auth-file FILE]]\n"
	      "    energymond --help | --version\n\n"
	      "DESCRIPTION\n"
	      "    Loads the configured sources (plugins and their instances) once, samples them\n"
	      "    continuously, and serves windows over a Unix socket: a client (the energymon\n"
	      "    library, CLI or Python binding with energy_agent auto or required) opens a window\n"
	      "    for its process tree and gets, at its end, the result an in-process monitor would\n"
	      "    give. Clients need no privileges; the pid a client names must be one of its own\n"
	      "    processes unless it is root or in --group. The protocol is docs/agent-protocol.md.\n"
	      "    Logs go to stderr, one line per event.\n\n"
	      "OPTIONS\n"
	      "    --config FILE     the configuration (the Lithops keys and plugin:instance sections\n"
	      "                      the energymon CLI reads); a missing FILE means the defaults\n"
	      "    --plugins LIST    the sources: ipmi,perf,ebpf, ipmi:rack1,... or auto (every\n"
	      "                      plugin that can run here); overrides lithops.energy_strategy\n"
	      "    --interval S      sampling interval in seconds (energy_sampling_interval)\n"
	      "    --set KEY=VALUE   one configuration key (ipmi_host=..., ipmi:rack1.ipmi_host=...);\n"
	      "                      never a secret: secrets come from files or environment variables\n"
	      "                      named by *_password_file / *_password_env keys\n"
	      "    --socket PATH     where to listen (default " AGENT_DEFAULT_SOCKET ");\n"
	      "                      its directory is created 0755 if missing and must belong to\n"
	      "                      root or energymond's user and be writable by no one else\n"
	      "    --group NAME      members of this group may name any pid, as root may\n"
	      "    --listen ADDR:PORT  also serve Prometheus metrics at http://ADDR:PORT/metrics (off\n"
	      "                      unless given; PORT or :PORT means 127.0.0.1:PORT, [::1]:PORT is\n"
	      "                      IPv6, port 0 any free port; numeric addresses only). A scrape\n"
	      "                      copies the latest samples and never waits for a source\n"
	      "    --listen-port-file FILE  write the port listened on there (decimal and a newline),\n"
	      "                      atomically, once listening\n"
	      "    --tls-cert FILE --tls-key FILE  serve HTTPS with this PEM certificate (chain) and\n"
	      "                      key; the key file must not be readable by other users\n"
	      "    --basic-auth-file FILE  require HTTP basic auth with the one user:password line of\n"
	      "                      FILE, a regular file (not a symlink) of mode 0600 or stricter\n"
	      "    --help, --version\n\n"
	      "FILES\n"
	      "    /etc/energymon/energymond.json   the configuration energymond.service passes\n"
	      "    " AGENT_DEFAULT_SOCKET "   the socket (mode 0666)\n"
	      "    http://127.0.0.1:PORT/metrics   with --listen: Prometheus text format 0.0.4, or\n"
	      "                      OpenMetrics when the Accept header asks for it\n\n"
	      "ENVIRONMENT\n"
	      "    ENERGYMON_PLUGIN_PATH   directories searched for plugins before the installed ones\n"
	      "    *_password_env          variables a configuration names for secrets (IPMI passwords)\n"
	      "    ENERGYMON_AGENT         ignored: energymond itself always measures in-process\n\n"
	      "SIGNALS\n"
	      "    SIGTERM, SIGINT   stop accepting, free every window, stop the sources, remove the\n"
	      "                      socket and exit 0\n"
	      "    SIGHUP            ignored (logged): restart to change the configuration\n"
	      "    SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT   log which plugin crashed, then die of the\n"
	      "                      signal (systemd restarts energymond; clients get placeholders)\n\n"
	      "EXIT STATUS\n"
	      "    0   stopped by SIGTERM or SIGINT\n"
	      "    1   could not start or run (socket in use, a plugin that cannot run, ...)\n"
	      "    2   usage or configuration error (the message names the key)\n\n"
	      "SEE ALSO\n"
	      "    energymon(1), energymond.service, docs/agent-protocol.md, README.md (Running the agent)\n",
	      out);
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{"config", required_argument, 0, 'c'}, {"plugins", required_argument, 0, 'p'},
		{"interval", required_argument, 0, 'i'}, {"set", required_argument, 0, 's'},
		{"socket", required_argument, 0, 'S'}, {"group", required_argument, 0, 'g'},
		{"listen", required_argument, 0, 'l'}, {"listen-port-file", required_argument, 0, 'P'},
		{"tls-cert", required_argument, 0, 'C'}, {"tls-key", required_argument, 0, 'K'},
		{"basic-auth-file", required_argument, 0, 'A'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "c:p:i:s:h", longs, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'p': o->plugins = optarg; break;
		case 'i':
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "energymond: --interval: '%s' is not a number of seconds\n", optarg);
				return EXIT_CONFIG;
			}
			o->interval_set = true;
			break;
		case 's':
			if (o->nsets == sizeof(o->sets) / sizeof(o->sets[0]) || !strchr(optarg, '=') ||
			    strchr(optarg, '=') - optarg >= 256) {
				fprintf(stderr, "energymond: --set: expected KEY=VALUE (KEY under 256 bytes), got '%.40s'\n",
				        optarg);
				return EXIT_CONFIG;
			}
			o->sets[o->nsets++] = optarg;
			break;
		case 'S': o->socket = optarg; break;
		case 'g': o->group = optarg; break;
		case 'l': o->http.listen = optarg; break;
		case 'P': o->http.port_file = optarg; break;
		case 'C': o->http.tls_cert = optarg; break;
		case 'K': o->http.tls_key = optarg; break;
		case 'A': o->http.basic_auth_file = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V':
			printf("energymond %s (plugin ABI %d.%d, protocol 1)\n", ENERGYMON_VERSION, ENERGY_PLUGIN_ABI_MAJOR,
			       ENERGY_PLUGIN_ABI_MINOR);
			exit(0);
		default: fputs("energymond: see energymond --help\n", stderr); return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "energymond: unexpected argument '%s' (see --help)\n", argv[optind]);
		return EXIT_CONFIG;
	}
	return 0;
}

static int build_config(const struct options *o, struct em_config **cfg, struct em_error *err)
{
	struct stat st;
	bool missing = o->config && stat(o->config, &st) != 0 && errno == ENOENT;
	if (missing)
		agent_log("%s does not exist; using the defaults", o->config);
	int rc = o->config && !missing ? em_config_load_file(o->config, cfg, err) : em_config_new(cfg, err);
	if (!rc && o->plugins)
		rc = em_config_set_strategy(*cfg, o->plugins, err);
	if (!rc && o->interval_set)
		rc = em_config_set_interval(*cfg, o->interval, err);
	for (size_t i = 0; !rc && i < o->nsets; i++) {
		char key[256];
		const char *eq = strchr(o->sets[i], '=');
		snprintf(key, sizeof(key), "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
		rc = em_config_set(*cfg, key, eq + 1, err);
	}
	if (!rc)
		rc = em_config_check_keys(*cfg, err);
	return rc;
}

/* 1024 clients need more descriptors than the usual soft limit of 1024. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192) {
		rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < AGENT_CONNECTIONS_MAX + 64)
			agent_log("only %llu file descriptors: fewer than %d clients may be served",
			          (unsigned long long)rl.rlim_cur, AGENT_CONNECTIONS_MAX);
	}
}

/* SIGTERM/SIGINT/SIGHUP through a signalfd: blocked here, before any
 * thread exists, so that every thread (the library's too) inherits the mask. */
static int signals_fd(void)
{
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* The monitor, started; NULL with *why when the library cannot make one
 * (-ENOSYS: energymond then serves, answering begin with that error). */
static int start_monitor(const struct em_config *cfg, struct em_monitor **mon, char *why, size_t len)
{
	struct em_error err = {0};
	int rc = em_monitor_create_continuous(cfg, mon, &err);
	if (!rc && (rc = em_monitor_start(*mon, &err)) != 0) {
		em_monitor_destroy(*mon);
		*mon = NULL;
	}
	snprintf(why, len, "%s", rc ? err.message : "");
	return rc;
}

static int serve(const struct options *o, const struct em_config *cfg, gid_t group, struct agent_http *http)
{
	struct agent *a = calloc(1, sizeof(*a));
	int sig_fd = signals_fd();
	if (!a || sig_fd < 0) {
		agent_log("cannot start: %s", strerror(errno));
		free(a);
		agent_http_free(http);
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < AGENT_CONNECTIONS_MAX; i++)
		a->conns[i].fd = -1;
	a->group_set = o->group != NULL;
	a->group = group;
	struct agent_socket sock;
	char why[1024];
	if (agent_socket_open(o->socket ? o->socket : AGENT_DEFAULT_SOCKET, &sock, why, sizeof(why)) != 0) {
		agent_log("%s", why);
		free(a);
		agent_http_free(http);
		return EXIT_FAILED;
	}
	int rc = start_monitor(cfg, &a->mon, why, sizeof(why));
	if (rc && rc != -ENOSYS) {
		agent_log("%s", why);
		agent_socket_close(&sock);
		free(a);
		agent_http_free(http);
		return rc == -EINVAL ? EXIT_CONFIG : EXIT_FAILED;
	}
	if (rc)
		agent_log("measuring nothing, answering begin with ENOSYS: %s", why);
	a->sources = agent_sources_new(a->mon, rc, rc ? why : NULL);
	a->workers = a->sources ? agent_workers_start(AGENT_WORKERS, a->mon, a->sources) : NULL;
	bool http_ok = !http || agent_http_start(http, a->mon, why, sizeof(why)) == 0;
	if (!http_ok) {
		agent_log("%s", why);
		agent_socket_close(&sock);
		rc = -EADDRINUSE;
	} else if (a->workers) {
		json_t *list = agent_sources_hello(a->sources);
		char *text = json_dumps(list, AGENT_JSON_FLAGS);
		agent_log("energymond %s serving sources %s", ENERGYMON_VERSION, text ? text : "?");
		free(text);
		json_decref(list);
		rc = agent_serve(a, &sock, sig_fd);
	} else {
		agent_log("cannot start its worker threads");
		agent_socket_close(&sock);
		rc = -ENOMEM;
	}
	agent_http_free(http); /* no scrape may read the monitor once it is destroyed */
	agent_workers_stop(a->workers); /* runs the window frees still queued */
	agent_sources_free(a->sources);
	struct em_error err = {0};
	if (a->mon && em_monitor_stop(a->mon, &err) != 0)
		agent_log("stopping the sources: %s", err.message);
	em_monitor_destroy(a->mon);
	close(sig_fd);
	free(a);
	agent_log("stopped");
	return rc ? EXIT_FAILED : 0;
}

int main(int argc, char **argv)
{
	/* first: reading the configuration already loads plugins (their keys) */
	if (agent_crash_log_install() != 0)
		agent_log("cannot install the crash log: %s", strerror(errno));
	struct options o = {0};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc;
	/* energymond measures in-process, never through another energymond */
	setenv("ENERGYMON_AGENT", "off", 1);
	gid_t group = 0;
	if (o.group) {
		struct group *g = getgrnam(o.group);
		if (!g) {
			agent_log("--group: no group named '%s'", o.group);
			return EXIT_CONFIG;
		}
		group = g->gr_gid;
	}
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	if (build_config(&o, &cfg, &err) != 0) {
		agent_log("%s", err.message);
		em_config_free(cfg);
		return EXIT_CONFIG;
	}
	struct agent_http *http = NULL;
	char why[1024];
	if ((rc = agent_http_prepare(&o.http, &http, why, sizeof(why))) != 0) {
		agent_log("%s", why);
		em_config_free(cfg);
		return rc == -EINVAL ? EXIT_CONFIG : EXIT_FAILED;
	}
	raise_fd_limit();
	rc = serve(&o, cfg, group, http);
	em_config_free(cfg);
	return rc;
}
