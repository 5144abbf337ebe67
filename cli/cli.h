/* The energymon command's pieces. */
#ifndef ENERGYMON_CLI_H
#define ENERGYMON_CLI_H

#include "energymon.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/* ---- the measured command (run_command.c) ---- */
struct cli_child {
	pid_t pid;
	int gate_fd;
	int exec_fd; /* read end: the errno of a failed exec, or EOF once exec succeeded */
};

/* What the command's process gets that energymon's does not. */
struct cli_child_setup {
	sigset_t mask;               /* the signal mask energymon was started with */
	bool kill_on_exit;           /* PR_SET_PDEATHSIG: SIGKILL when energymon dies */
	const char *const *hide_env; /* variables holding secrets, unset before exec */
	size_t nhide_env;
};

/* Fork argv held at a gate; the child gets `setup` before exec. Call from
 * the main thread of a single-threaded process (PR_SET_PDEATHSIG fires when
 * the forking thread exits). */
int cli_spawn_held(struct cli_child *c, char **argv, const struct cli_child_setup *setup);
/* Open the gate (run = true) or close it so the child exits 125 unrun. */
void cli_release(struct cli_child *c, bool run);
/* Exit status a shell would report for a wait() status (128+N for signal N). */
int cli_shell_status(int wait_status);

/* ---- the measuring process (measure.c) ---- */
/* Messages on the two pipes between the supervisor and the measuring process. */
#define CLI_EXIT_CONFIG 2 /* usage and configuration errors */
#define CLI_EXIT_SETUP 125 /* energymon failed before the command ran */

enum cli_progress {           /* measuring process -> supervisor */
	CLI_STARTED = 'S',    /* plugins run: the command may start */
	CLI_SETUP_FAILED = 'F', /* the reason is on stderr: the command is unrun; exit
	                         * with the measuring process's status (125, or 2 for a
	                         * configuration error) */
	CLI_WRITTEN = 'W',    /* files written (or --no-files) */
	CLI_DONE = 'D',       /* summary printed; its exit status is the outcome */
};
enum cli_control {            /* supervisor -> measuring process */
	CLI_STOP = 'C',       /* followed by the command's status as an int (-1: none) */
	CLI_STOP_UNRUN = 'U', /* the same, when the command could not be executed at all */
	CLI_ABANDON = 'A',    /* give up on plugin calls still running */
};

struct cli_measure_options {
	const char *what; /* the command's name for the summary */
	const char *output_dir, *job_key, *call_id;
	bool json, no_files;
};

/* The measuring process's whole life: start the monitor for target_pid,
 * report on progress_fd, stop when control_fd says so, write, summarise.
 * Returns its exit status (0, or 1 when writing failed, 125 on setup). */
int cli_measure(const struct cli_measure_options *o, const struct em_config *cfg, pid_t target_pid,
                int progress_fd, int control_fd);

/* ---- the supervisor (supervise.c) ---- */
struct cli_supervisor {
	struct cli_child command;  /* pid 0 without a command */
	pid_t measurer;
	int signal_fd, progress_fd, control_fd;
	sigset_t old_mask;
};

/* Block the signals energymon handles, ignore SIGPIPE, open the signalfd. */
int cli_supervisor_init(struct cli_supervisor *sv);
/* Supervise the command and the measuring process until both are reaped.
 * Returns energymon's exit status: the command's when there is one. */
int cli_supervise(struct cli_supervisor *sv, const char *command_name);
void cli_supervisor_close(struct cli_supervisor *sv);

/* The perf-stat-like summary of a stopped monitor's result (summary.c). */
void cli_print_summary(FILE *out, const struct em_monitor *mon, const char *what, int status);
/* --list-plugins as a table (plugin_table.c). */
void cli_print_plugins(FILE *out, const json_t *list);
/* --list-plugins: print the table, or the reason it cannot; the exit status. */
int cli_list_plugins(FILE *out, const struct em_config *cfg);

#endif
