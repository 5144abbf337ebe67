/*
 * energymon --plugins ipmi,perf [--config FILE] [--interval S] [--output-dir DIR]
 *           [--job-key K] [--call-id C] [--set KEY=VALUE]... [--json] -- COMMAND [ARGS...]
 * Exit status: the command's (128+N when it died of signal N); 125 when
 * energymon itself failed before the command ran; 2 for usage errors.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_REPORT
#include "report.h"
#endif

#define EXIT_SETUP 125

struct options {
	const char *plugins, *config, *output_dir, *job_key, *call_id;
	double interval;
	bool json, list, no_files, allow_unavailable;
	const char *sets[64];
	size_t nsets;
	char **command;
};

static void usage(FILE *out)
{
	fputs("usage: energymon [--plugins LIST] [--config FILE] [--interval S] [--output-dir DIR]\n"
	      "                 [--job-key K] [--call-id C] [--set KEY=VALUE]... [--json] [--no-files]\n"
	      "                 [--allow-unavailable]\n"
	      "                 [-- COMMAND [ARGS...]]\n"
	      "       energymon --list-plugins [--config FILE]\n"
	      "       energymon report DIR [options]   (energymon report --help)\n\n"
	      "Measures the energy COMMAND and its children use, with the plugins named in LIST\n"
	      "(ipmi, perf, ebpf, ... or auto: every plugin that can run here). Without COMMAND,\n"
	      "measures until Ctrl-C. Prints a summary to stderr; --json prints the result on stdout;\n"
	      "writes {job_key}_{call_id}_{source}.json files to DIR (default energy_data).\n"
	      "Plugin keys (ipmi_host, ...) come from --config or --set; secrets never from --set.\n"
	      "A named plugin that cannot run stops energymon (exit 125) unless --allow-unavailable:\n"
	      "then the command runs and that source's files say why it measured nothing.\n",
	      out);
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{"plugins", required_argument, 0, 'p'}, {"config", required_argument, 0, 'c'},
		{"interval", required_argument, 0, 'i'}, {"output-dir", required_argument, 0, 'o'},
		{"job-key", required_argument, 0, 'j'}, {"call-id", required_argument, 0, 'k'},
		{"set", required_argument, 0, 's'}, {"json", no_argument, 0, 'J'},
		{"no-files", no_argument, 0, 'n'}, {"list-plugins", no_argument, 0, 'l'},
		{"allow-unavailable", no_argument, 0, 'a'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "+p:c:i:o:j:k:s:h", longs, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'p': o->plugins = optarg; break;
		case 'c': o->config = optarg; break;
		case 'i':
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "energymon: --interval: '%s' is not a number of seconds\n", optarg);
				return 2;
			}
			break;
		case 'o': o->output_dir = optarg; break;
		case 'j': o->job_key = optarg; break;
		case 'k': o->call_id = optarg; break;
		case 's':
			if (o->nsets == sizeof(o->sets) / sizeof(o->sets[0]) || !strchr(optarg, '=')) {
				fprintf(stderr, "energymon: --set: expected KEY=VALUE, got '%s'\n", optarg);
				return 2;
			}
			o->sets[o->nsets++] = optarg;
			break;
		case 'J': o->json = true; break;
		case 'n': o->no_files = true; break;
		case 'a': o->allow_unavailable = true; break;
		case 'l': o->list = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("energymon %s (plugin ABI %d.%d)\n", ENERGYMON_VERSION, 1, 0); exit(0);
		default: usage(stderr); return 2;
		}
	}
	o->command = optind < argc ? argv + optind : NULL;
	return 0;
}

static int build_config(const struct options *o, struct em_config **cfg, struct em_error *err)
{
	int rc = o->config ? em_config_load_file(o->config, cfg, err) : em_config_new(cfg, err);
	if (rc)
		return rc;
	if (!rc && o->plugins)
		rc = em_config_set_strategy(*cfg, o->plugins, err);
	if (!rc && o->interval != 0)
		rc = em_config_set_interval(*cfg, o->interval, err);
	if (!rc && o->output_dir)
		rc = em_config_set_output_dir(*cfg, o->output_dir, err);
	for (size_t i = 0; !rc && i < o->nsets; i++) {
		char key[128];
		const char *eq = strchr(o->sets[i], '=');
		snprintf(key, sizeof(key), "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
		rc = em_config_set(*cfg, key, eq + 1, err);
	}
	if (!rc && o->allow_unavailable)
		rc = em_config_set(*cfg, "energy_allow_unavailable", "true", err);
	if (!rc && o->command && !o->config)
		rc = em_config_set(*cfg, "energy_function_name", o->command[0], err);
	return rc;
}

static int finish(struct em_monitor *mon, const struct options *o, const char *what, int status)
{
	struct em_error err = {0};
	if (em_monitor_stop(mon, &err) != 0) {
		fprintf(stderr, "energymon: %s\n", err.message);
		return 1;
	}
	char *text = em_monitor_result_json(mon);
	json_t *result = text ? json_loads(text, 0, NULL) : NULL;
	if (result)
		cli_print_summary(stderr, result, what, status);
	if (o->json && text)
		printf("%s\n", text);
	int rc = 0;
	if (!o->no_files) {
		char call_id[64];
		if (!o->call_id)
			snprintf(call_id, sizeof(call_id), "%lld-%d", (long long)time(NULL), (int)getpid());
		rc = em_monitor_write_files(mon, o->output_dir, o->job_key ? o->job_key : "energymon",
		                            o->call_id ? o->call_id : call_id, &err);
		if (rc)
			fprintf(stderr, "energymon: %s\n", err.message);
	}
	json_decref(result);
	free(text);
	return rc ? 1 : 0;
}

static int run(const struct options *o, struct em_config *cfg)
{
	struct em_error err = {0};
	struct em_monitor *mon = NULL;
	sigset_t old;
	cli_block_signals(&old);
	struct cli_child child = {.pid = 0, .gate_fd = -1};
	if (o->command && cli_spawn_held(&child, o->command, &old) != 0) {
		fprintf(stderr, "energymon: cannot fork: %s\n", strerror(errno));
		return EXIT_SETUP;
	}
	if (em_monitor_create(cfg, child.pid, &mon, &err) != 0 || em_monitor_start(mon, &err) != 0) {
		fprintf(stderr, "energymon: %s\n", err.message);
		cli_release(&child, false);
		if (o->command)
			cli_wait_forwarding(&child, &(int){0});
		em_monitor_destroy(mon);
		return EXIT_SETUP;
	}
	int status = -1, forwarded = 0;
	if (o->command) {
		cli_release(&child, true);
		status = cli_wait_forwarding(&child, &forwarded);
	} else {
		fprintf(stderr, "energymon: measuring the whole system; Ctrl-C to stop\n");
		cli_wait_for_interrupt();
	}
	char what[256];
	snprintf(what, sizeof(what), "'%s'", o->command ? o->command[0] : "whole system");
	int frc = finish(mon, o, what, status);
	em_monitor_destroy(mon);
	if (!o->command)
		return frc;
	return status;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "report")) {
#ifdef HAVE_REPORT
		return report_main(argc - 1, argv + 1);
#else
		fprintf(stderr, "energymon: this build has no report command\n");
		return 2;
#endif
	}
	struct options o = {0};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc;
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	if (build_config(&o, &cfg, &err) != 0) {
		fprintf(stderr, "energymon: %s\n", err.message);
		em_config_free(cfg);
		return o.list ? 1 : 2;
	}
	if (o.list)
		rc = cli_list_plugins(stdout, cfg);
	else if (!em_config_energy_enabled(cfg) && o.command) {
		/* lithops.energy false: run the command unmeasured */
		execvp(o.command[0], o.command);
		fprintf(stderr, "energymon: cannot run '%s': %s\n", o.command[0], strerror(errno));
		rc = errno == ENOENT ? 127 : 126;
	} else
		rc = run(&o, cfg);
	em_config_free(cfg);
	return rc;
}
