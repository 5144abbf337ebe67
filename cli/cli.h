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

struct cli_child {
	pid_t pid;
	int gate_fd;
};

/* Block SIGINT, SIGTERM, SIGCHLD in this thread (and threads it creates). */
int cli_block_signals(sigset_t *old);
/* Fork argv held at a gate; the child restores old_mask before exec. */
int cli_spawn_held(struct cli_child *c, char **argv, const sigset_t *old_mask);
/* Open the gate (run = true) or close it so the child exits 125 unrun. */
void cli_release(struct cli_child *c, bool run);
/* Wait for the child, forwarding SIGINT/SIGTERM; returns its shell-style status. */
int cli_wait_forwarding(struct cli_child *c, int *forwarded_signal);
/* Without a command: wait for SIGINT/SIGTERM; returns the signal. */
int cli_wait_for_interrupt(void);

/* The perf-stat-like summary of a composite result. */
void cli_print_summary(FILE *out, const json_t *result, const char *what, int status);
/* --list-plugins as a table (plugin_table.c). */
void cli_print_plugins(FILE *out, const json_t *list);
/* --list-plugins: print the table, or the reason it cannot; the exit status. */
int cli_list_plugins(FILE *out, const struct em_config *cfg);

#endif
