/*
 * energymon --plugins ipmi,perf [--config FILE] [--interval S] [--output-dir DIR]
 *           [--job-key K] [--call-id C] [--set KEY=VALUE]... [--json] [--kill-on-exit]
 *           [--baseline S [--baseline-after]]
 *           -- COMMAND [ARGS...]
 * Exit status: the command's (128+N when it died of signal N), also when
 * energymon failed after it ran; 125 when energymon itself failed before the
 * command ran; 126/127 when it cannot be run; 2 for usage and configuration
 * errors (the command never runs).
 */
#include "cli.h"
#include "energy_plugin.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HAVE_REPORT
#include "report.h"
#endif

#define EXIT_SETUP 125
#define EXIT_CONFIG 2
/* *_password_env keys: one per plugin instance in any real configuration */
#define MAX_SECRET_ENVS 64

struct options {
	const char *plugins, *config, *output_dir, *job_key, *call_id, *baseline;
	bool baseline_after;
	double interval;
	bool interval_set;
	bool json, list, no_files, allow_unavailable, kill_on_exit;
	const char *sets[64];
	size_t nsets;
	char **command;
};

static void usage(FILE *out)
{
	fputs("usage: energymon [--plugins LIST] [--config FILE] [--interval S] [--output-dir DIR]\n"
	      "                 [--job-key K] [--call-id C] [--set KEY=VALUE]... [--json] [--no-files]\n"
	      "                 [--allow-unavailable] [--kill-on-exit] [--baseline S [--baseline-after]]\n"
	      "                 [-- COMMAND [ARGS...]]\n"
	      "       energymon --list-plugins [--config FILE]\n"
	      "       energymon report DIR [options]   (energymon report --help)\n\n"
	      "Measures the energy COMMAND and its children use, with the plugins named in LIST\n"
	      "(ipmi, perf, ebpf, ... or auto: every plugin that can run here; ipmi:rack1,ipmi:rack2\n"
	      "runs two instances, configured with --set ipmi:rack1.ipmi_host=...). Without COMMAND,\n"
	      "measures until Ctrl-C. Prints a summary to stderr; --json prints the result on stdout;\n"
	      "writes {job_key}_{call_id}_{source}.json files to DIR (default energy_data).\n"
	      "Plugin keys (ipmi_host, ...) come from --config or --set; secrets never from --set.\n"
	      "A named plugin that cannot run stops energymon (exit 125) unless --allow-unavailable:\n"
	      "then the command runs and that source's files say why it measured nothing.\n"
	      "Signals sent to energymon (INT, TERM, HUP, QUIT, USR1, USR2) go to COMMAND; after it\n"
	      "exited, a SIGINT/SIGTERM abandons plugins still running. --kill-on-exit: COMMAND gets\n"
	      "SIGKILL if energymon is killed. If energymon fails after COMMAND ran, it still exits\n"
	      "with COMMAND's status and prints one 'energymon: error:' line.\n"
	      "--baseline S: first measure S seconds of idle with the same plugins (--baseline-after:\n"
	      "and S more after COMMAND); the result adds idle power and dynamic energy, with bounds.\n",
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
		{"allow-unavailable", no_argument, 0, 'a'}, {"kill-on-exit", no_argument, 0, 'K'},
		{"baseline", required_argument, 0, 'B'}, {"baseline-after", no_argument, 0, 'A'},
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
			o->interval_set = true;
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
		case 'K': o->kill_on_exit = true; break;
		case 'B': o->baseline = optarg; break;
		case 'A': o->baseline_after = true; break;
		case 'l': o->list = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V':
			printf("energymon %s (plugin ABI %d.%d)\n", ENERGYMON_VERSION, ENERGY_PLUGIN_ABI_MAJOR,
			       ENERGY_PLUGIN_ABI_MINOR);
			exit(0);
		default: usage(stderr); return 2;
		}
	}
	o->command = optind < argc ? argv + optind : NULL;
	return 0;
}

/* The command's name is the default function_name; a name that is not UTF-8
 * (the files are JSON) is written with its non-ASCII bytes as '?' rather
 * than refused: the user never typed it as a setting. */
static int set_function_name(struct em_config *cfg, const char *command, struct em_error *err)
{
	int rc = em_config_set(cfg, "energy_function_name", command, err);
	if (rc != -EINVAL)
		return rc;
	char ascii[256];
	snprintf(ascii, sizeof(ascii), "%s", command);
	for (char *p = ascii; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return em_config_set(cfg, "energy_function_name", ascii, err);
}

/* A KEY longer than any key can be: refused rather than cut to another key. */
static int refuse_long_set_key(const char *set, size_t max, struct em_error *err)
{
	if (err) {
		err->code = -EINVAL;
		snprintf(err->message, sizeof(err->message), "--set: the key of '%.40s...' is longer than %zu characters; "
		         "expected KEY=VALUE with KEY such as ipmi_host or ipmi:rack1.ipmi_host", set, max);
	}
	return -EINVAL;
}

static int build_config(const struct options *o, struct em_config **cfg, struct em_error *err)
{
	int rc = o->config ? em_config_load_file(o->config, cfg, err) : em_config_new(cfg, err);
	if (rc)
		return rc;
	if (!rc && o->plugins)
		rc = em_config_set_strategy(*cfg, o->plugins, err);
	if (!rc && o->interval_set)
		rc = em_config_set_interval(*cfg, o->interval, err);
	if (!rc && o->output_dir)
		rc = em_config_set_output_dir(*cfg, o->output_dir, err);
	for (size_t i = 0; !rc && i < o->nsets; i++) {
		char key[256];
		const char *eq = strchr(o->sets[i], '=');
		if ((size_t)(eq - o->sets[i]) >= sizeof(key))
			return refuse_long_set_key(o->sets[i], sizeof(key) - 1, err);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
		rc = em_config_set(*cfg, key, eq + 1, err);
	}
	if (!rc && o->allow_unavailable)
		rc = em_config_set(*cfg, "energy_allow_unavailable", "true", err);
	/* the key's own check names what a bad value is (energy_baseline_s) */
	if (!rc && o->baseline)
		rc = em_config_set(*cfg, "energy_baseline_s", o->baseline, err);
	if (!rc && o->baseline_after)
		rc = em_config_set(*cfg, "energy_baseline_after", "true", err);
	/* the README's default, whether or not a --config was given */
	if (!rc && o->command && !em_config_function_name(*cfg))
		rc = set_function_name(*cfg, o->command[0], err);
	if (!rc)
		rc = em_config_check_keys(*cfg, err);
	return rc;
}

/* Everything that names an output file is checked before the command runs,
 * so a typo never costs the measurement (em_monitor_write_files applies the
 * same rule, too late to save it). */
static int check_outputs(const struct options *o, const struct em_config *cfg, struct em_error *err)
{
	int rc = 0;
	if (o->job_key)
		rc = em_check_file_key("--job-key", o->job_key, err);
	if (!rc && o->call_id)
		rc = em_check_file_key("--call-id", o->call_id, err);
	if (!rc && !o->no_files && !o->list && em_config_energy_enabled(cfg)) {
		rc = em_check_output_dir(em_config_output_dir(cfg), err);
		if (rc && err) {
			char msg[sizeof(err->message)];
			snprintf(msg, sizeof(msg), "%s (%s)", err->message,
			         o->output_dir ? "--output-dir" : "energy_output_dir");
			snprintf(err->message, sizeof(err->message), "%s", msg);
		}
	}
	return rc;
}

/* The supervisor (this process) forks the command, held at its gate, then
 * the measuring process that runs the plugins; see supervise.c. */
static int run(const struct options *o, const struct em_config *cfg)
{
	struct cli_supervisor sv;
	if (cli_supervisor_init(&sv) != 0) {
		fprintf(stderr, "energymon: cannot set up signal handling: %s\n", strerror(errno));
		cli_supervisor_close(&sv);
		return EXIT_SETUP;
	}
	const char *secrets[MAX_SECRET_ENVS];
	size_t nsecrets = em_config_secret_env_names(cfg, secrets, MAX_SECRET_ENVS);
	struct cli_child_setup setup = {.mask = sv.old_mask, .kill_on_exit = o->kill_on_exit, .hide_env = secrets,
	                                .nhide_env = nsecrets < MAX_SECRET_ENVS ? nsecrets : MAX_SECRET_ENVS};
	int progress[2] = {-1, -1}, control[2] = {-1, -1};
	fflush(NULL); /* nothing buffered may be written twice by the children */
	if ((o->command && cli_spawn_held(&sv.command, o->command, &setup) != 0) || pipe2(progress, O_CLOEXEC) ||
	    pipe2(control, O_CLOEXEC) || (sv.measurer = fork()) < 0) {
		fprintf(stderr, "energymon: cannot start: %s\n", strerror(errno));
		int fds[] = {progress[0], progress[1], control[0], control[1]};
		for (size_t i = 0; i < 4; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		cli_supervisor_close(&sv); /* a held command exits 125, unrun */
		if (sv.command.pid)
			waitpid(sv.command.pid, NULL, 0);
		return EXIT_SETUP;
	}
	if (sv.measurer == 0) {
		close(progress[0]);
		close(control[1]);
		cli_supervisor_close(&sv);
		char what[256];
		snprintf(what, sizeof(what), "'%s'", o->command ? o->command[0] : "whole system");
		const struct cli_measure_options mo = {.what = what,
		                                       .output_dir = o->output_dir, .job_key = o->job_key,
		                                       .call_id = o->call_id, .json = o->json, .no_files = o->no_files};
		int rc = cli_measure(&mo, cfg, sv.command.pid, progress[1], control[0]);
		close(progress[1]);
		close(control[0]);
		return rc;
	}
	close(progress[1]);
	close(control[0]);
	sv.progress_fd = progress[0];
	sv.control_fd = control[1];
	int rc = cli_supervise(&sv, o->command ? o->command[0] : "whole system");
	cli_supervisor_close(&sv);
	return rc;
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
	if (build_config(&o, &cfg, &err) != 0 || check_outputs(&o, cfg, &err) != 0) {
		fprintf(stderr, "energymon: %s\n", err.message);
		em_config_free(cfg);
		return EXIT_CONFIG;
	}
	if (o.list)
		rc = cli_list_plugins(stdout, cfg);
	else if (!em_config_energy_enabled(cfg) && o.command) {
		/* lithops.energy false: run the command unmeasured, still without the secrets */
		const char *secrets[MAX_SECRET_ENVS];
		size_t nsecrets = em_config_secret_env_names(cfg, secrets, MAX_SECRET_ENVS);
		for (size_t i = 0; i < nsecrets && i < MAX_SECRET_ENVS; i++)
			unsetenv(secrets[i]);
		execvp(o.command[0], o.command);
		fprintf(stderr, "energymon: cannot run '%s': %s\n", o.command[0], strerror(errno));
		rc = errno == ENOENT ? 127 : 126;
	} else
		rc = run(&o, cfg);
	em_config_free(cfg);
	return rc;
}
