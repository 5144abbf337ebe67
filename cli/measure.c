/*
 * The measuring process: the only energymon process that runs plugin code.
 * The supervisor (supervise.c) forks it, so a plugin that crashes, aborts or
 * calls exit() takes down only this process: the command keeps running under
 * the supervisor and its status stays energymon's.
 *
 * It starts the monitor, says so, waits for the supervisor's stop message
 * (the command's status), stops, writes the files and only then prints the
 * summary (from the typed result), so that the peak RSS it shows includes
 * writing.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void report(int progress_fd, enum cli_progress what)
{
	char c = (char)what;
	ssize_t n;
	do
		n = write(progress_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	/* a failed write means the supervisor is gone: nothing to tell */
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* The command's status, or -1 when there is none or the supervisor died
 * (then the measurement is still stopped and written). */
static int wait_for_stop(int control_fd, bool *unrun)
{
	char msg;
	int status;
	*unrun = false;
	if (read_full(control_fd, &msg, 1) != 0 || (msg != CLI_STOP && msg != CLI_STOP_UNRUN) ||
	    read_full(control_fd, &status, sizeof(status)))
		return -1;
	*unrun = msg == CLI_STOP_UNRUN;
	return status;
}

struct abandon_watch {
	struct em_monitor *mon;
	int control_fd;
};

/* Runs while the main thread stops and writes: a second interrupt reaches
 * the supervisor, which tells us here. Ends when the supervisor closes the
 * pipe (after CLI_DONE) or dies. */
static void *watch_for_abandon(void *arg)
{
	struct abandon_watch *w = arg;
	for (;;) {
		char c;
		ssize_t n = read(w->control_fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		if (c == CLI_ABANDON)
			em_monitor_abandon(w->mon);
	}
}

static int write_files(struct em_monitor *mon, const struct cli_measure_options *o)
{
	struct em_error err = {0};
	char call_id[64];
	if (!o->call_id)
		snprintf(call_id, sizeof(call_id), "%lld-%d", (long long)time(NULL), (int)getppid());
	if (em_monitor_write_files(mon, o->output_dir, o->job_key ? o->job_key : "energymon",
	                           o->call_id ? o->call_id : call_id, &err) == 0)
		return 0;
	fprintf(stderr, "energymon: error: %s; the whole measurement is in the summary%s\n", err.message,
	        o->json ? " and on stdout" : "");
	return 1;
}

static int finish(struct em_monitor *mon, const struct cli_measure_options *o, int status, bool unrun,
                  int progress_fd)
{
	struct em_error err = {0};
	if (unrun) {
		/* energy measured while no command ran is not the command's: no
		 * file may claim it (exec's own message is already on stderr) */
		report(progress_fd, CLI_WRITTEN);
		fprintf(stderr, "energymon: %s could not be run: nothing was measured for it and no files were "
		        "written\n", o->what);
		return 0;
	}
	if (em_monitor_stop(mon, &err) != 0) {
		fprintf(stderr, "energymon: error: %s; the measurement is lost\n", err.message);
		return 1;
	}
	char *text = o->json ? em_monitor_result_json(mon) : NULL;
	if (o->json && !text) {
		fprintf(stderr, "energymon: error: out of memory building the result; the measurement is lost\n");
		return 1;
	}
	int rc = o->no_files ? 0 : write_files(mon, o);
	report(progress_fd, CLI_WRITTEN);
	cli_print_summary(stderr, mon, o->what, status);
	if (o->json && (printf("%s\n", text) < 0 || fflush(stdout) != 0) && !rc) {
		fprintf(stderr, "energymon: error: --json: cannot write the result to stdout: %s%s\n", strerror(errno),
		        o->no_files ? "" : "; the files were written");
		rc = 1;
	}
	free(text);
	return rc;
}

int cli_measure(const struct cli_measure_options *o, const struct em_config *cfg, pid_t target_pid,
                int progress_fd, int control_fd)
{
	struct em_error err = {0};
	struct em_monitor *mon = NULL;
	if (em_monitor_create(cfg, target_pid, &mon, &err) != 0 || em_monitor_start(mon, &err) != 0) {
		fprintf(stderr, "energymon: %s\n", err.message);
		em_monitor_destroy(mon);
		report(progress_fd, CLI_SETUP_FAILED);
		/* a value a plugin refuses is a configuration error like any other */
		return err.code == -EINVAL ? CLI_EXIT_CONFIG : CLI_EXIT_SETUP;
	}
	report(progress_fd, CLI_STARTED);
	bool unrun;
	int status = wait_for_stop(control_fd, &unrun);
	struct abandon_watch watch = {.mon = mon, .control_fd = control_fd};
	pthread_t watcher;
	bool watching = pthread_create(&watcher, NULL, watch_for_abandon, &watch) == 0;
	int rc = finish(mon, o, status, unrun, progress_fd);
	report(progress_fd, CLI_DONE);
	if (watching)
		pthread_join(watcher, NULL);
	em_monitor_destroy(mon);
	return rc;
}
