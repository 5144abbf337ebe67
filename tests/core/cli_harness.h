/* Running the energymon binary from a test and watching what it did to the
 * command. The test program doubles as the measured command: run with
 * CLI_CHILD_MODE it records what it inherited and which signal reached it. */
#ifndef CLI_HARNESS_H
#define CLI_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define CLI_CHILD_MODE "--be-the-command"

struct cli_run {
	bool stdout_to_closed_pipe; /* set before cli_start: stdout is a pipe no one reads */
	pid_t pid;
	int status; /* shell-style */
	char out[1 << 20], err[65536]; /* --json at 1 ms for seconds is hundreds of KB */
};

/* argv[1] is the energymon binary; makes the work dir and turns this
 * process into a subreaper, so a command energymon orphans becomes ours. */
int cli_harness_init(int argc, char **argv);
const char *cli_work_dir(void);
/* Remove the work dir and all in it (at the end of a test program). */
void cli_remove_work_dir(void);
/* A fresh empty directory under the work dir, for one test. */
void cli_fresh_dir(char *out, size_t len, const char *name);

/* Whether it has exited (without reaping it). */
bool cli_exited(const struct cli_run *r);
/* Start energymon with args (NULL-terminated); stdout/stderr go to files. */
void cli_start(struct cli_run *r, const char *const *args);
/* Wait for it and read what it printed. */
void cli_finish(struct cli_run *r);
/* Both; false when energymon could not be started or was not reaped. */
static inline bool cli_run_to_end(struct cli_run *r, const char *const *args)
{
	cli_start(r, args);
	cli_finish(r);
	return r->pid > 0 && r->status >= 0;
}

/* The argv prefix that makes this program the measured command: it writes
 * DIR/started (its pid, SIGPIPE action, blocked signals, whether
 * ENERGYMON_TEST_SECRET is set), then with "wait" waits for one signal,
 * writes its name to DIR/signal and exits with STATUS; with "now" exits at once. */
void cli_child_args(const char **argv5, const char *dir, const char *status, const char *when);
int cli_child_main(int argc, char **argv);

/* Wait (polling, with a generous bound against hanging the suite) until
 * path exists / the file contains needle. False when the bound passed or
 * energymon (r) exited first. */
bool cli_wait_for_file(const struct cli_run *r, const char *path);
bool cli_wait_for_text(const struct cli_run *r, const char *path, const char *needle);
/* Send sig to energymon every few ms until its stderr contains needle or it
 * exits (bounded as above): for a signal that must arrive in a later phase. */
void cli_signal_until(const struct cli_run *r, int sig, const char *needle);
/* The child's DIR/started as text ("" if absent), and its pid. */
void cli_child_report(const char *dir, char *out, size_t len);
pid_t cli_child_pid(const char *dir);
/* Wait (bounded, as above) until child pid is reaped; its wait() status. */
bool cli_wait_reaped(pid_t pid, int *wait_status);
/* Children of this process left once energymon exited (orphans). Reaps
 * (killing first) each one, naming it on stderr; returns how many. */
int cli_reap_orphans(void);
/* How many times needle occurs in text. */
int cli_count(const char *text, const char *needle);
void cli_slurp(const char *path, char *buf, size_t len);

#endif
