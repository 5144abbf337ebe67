/*
 * The energymon process itself: a small single-threaded supervisor that
 * never runs plugin code. It holds the command at its gate until the
 * measuring process (measure.c) has started the plugins, forwards the signals
 * a user sends to energymon to the command, reaps the command and hands its
 * status to the measuring process, then waits for that process, with a
 * bound. If the measuring process dies (a plugin crashed, aborted or called
 * exit()), the command is unaffected, its status is still energymon's, and
 * one "energymon: error:" line says what was lost.
 *
 * Signals are read from a signalfd: no handlers, no globals.
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_SETUP 125
/* After the stop message: how long stop, get_data and writing may take
 * before the plugins are abandoned, then how long before the measuring
 * process is killed. The library bounds each plugin call (at most 10 s). */
#define FINISH_BOUND_S 60
#define ABANDONED_BOUND_S 10

static const char *signal_name(int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	return abbrev ? abbrev : "?";
}

static void handled_signals(sigset_t *set)
{
	sigemptyset(set);
	for (int s = 0, all[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD}; s < 7; s++)
		sigaddset(set, all[s]);
}

int cli_supervisor_init(struct cli_supervisor *sv)
{
	*sv = (struct cli_supervisor){.command = {.pid = 0, .gate_fd = -1, .exec_fd = -1}, .signal_fd = -1,
	                              .progress_fd = -1, .control_fd = -1};
	sigset_t set;
	handled_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, &sv->old_mask) != 0)
		return -errno;
	/* energymon's own writes to a closed stdout must fail with EPIPE, not kill it */
	signal(SIGPIPE, SIG_IGN);
	sv->signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
	return sv->signal_fd < 0 ? -errno : 0;
}

void cli_supervisor_close(struct cli_supervisor *sv)
{
	cli_release(&sv->command, false);
	int *fds[] = {&sv->signal_fd, &sv->progress_fd, &sv->control_fd, &sv->command.exec_fd};
	for (size_t i = 0; i < 4; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

struct run_state {
	int command_status;        /* shell-style, -1 until reaped */
	bool command_unrun;        /* its exec failed: nothing of it was measured */
	bool command_reaped, measurer_reaped;
	int measurer_wait_status;
	char progress;             /* the last enum cli_progress received, 0 before any */
	bool stop_sent, abandon_sent, measurer_killed;
	int interrupted;           /* signal that asked to stop (setup or no command) */
	int64_t deadline_ns;       /* 0: none */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void send_control(struct cli_supervisor *sv, const void *msg, size_t len)
{
	if (sv->control_fd >= 0 && write(sv->control_fd, msg, len) != (ssize_t)len) {
		/* the measuring process is gone; its death is reported when reaped */
	}
}

static void send_stop(struct cli_supervisor *sv, struct run_state *st)
{
	char msg[1 + sizeof(int)] = {st->command_unrun ? CLI_STOP_UNRUN : CLI_STOP};
	memcpy(msg + 1, &st->command_status, sizeof(int));
	send_control(sv, msg, sizeof(msg));
	st->stop_sent = true;
	st->deadline_ns = now_ns() + (int64_t)FINISH_BOUND_S * 1000000000;
}

static void abandon(struct cli_supervisor *sv, struct run_state *st, const char *why)
{
	if (st->abandon_sent)
		return;
	fprintf(stderr, "energymon: %s: abandoning the plugins still running\n", why);
	char msg = CLI_ABANDON;
	send_control(sv, &msg, 1);
	st->abandon_sent = true;
	st->deadline_ns = now_ns() + (int64_t)ABANDONED_BOUND_S * 1000000000;
}

static void reap(struct cli_supervisor *sv, struct run_state *st)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == sv->command.pid) {
			st->command_reaped = true;
			st->command_status = cli_shell_status(status);
			/* the child has exited: the report pipe holds an errno or is at EOF */
			int e;
			st->command_unrun = sv->command.exec_fd >= 0 &&
			                    read(sv->command.exec_fd, &e, sizeof(e)) == (ssize_t)sizeof(e);
		} else if (pid == sv->measurer) {
			st->measurer_reaped = true;
			st->measurer_wait_status = status;
		}
	}
}

static void on_signal(struct cli_supervisor *sv, struct run_state *st, int sig)
{
	if (sig == SIGCHLD) {
		reap(sv, st);
	} else if (st->progress == CLI_SETUP_FAILED) {
		/* the command is being turned away anyway */
	} else if (st->progress == 0) {
		/* still starting the plugins: the command never runs */
		if (!st->interrupted && !st->measurer_reaped)
			kill(sv->measurer, SIGKILL);
		st->interrupted = st->interrupted ? st->interrupted : sig;
		cli_release(&sv->command, false);
	} else if (sv->command.pid && !st->command_reaped) {
		kill(sv->command.pid, sig);
	} else if (!st->stop_sent) {
		st->interrupted = sig; /* no command: the user ends the measurement */
	} else if (sig == SIGINT || sig == SIGTERM) {
		char why[64];
		snprintf(why, sizeof(why), "SIG%s while stopping", signal_name(sig));
		abandon(sv, st, why);
	}
}

static void on_progress(struct cli_supervisor *sv, struct run_state *st)
{
	char c;
	ssize_t n = read(sv->progress_fd, &c, 1);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) { /* the measuring process ended or died */
		close(sv->progress_fd);
		sv->progress_fd = -1;
		cli_release(&sv->command, false);
		return;
	}
	st->progress = c;
	if (c == CLI_STARTED) {
		if (sv->command.pid)
			cli_release(&sv->command, true);
		else
			fprintf(stderr, "energymon: measuring the whole system; Ctrl-C to stop\n");
	} else if (c == CLI_SETUP_FAILED) {
		cli_release(&sv->command, false);
	} else if (c == CLI_DONE && sv->control_fd >= 0) {
		close(sv->control_fd); /* lets its abandon watcher end */
		sv->control_fd = -1;
	}
}

static void on_deadline(struct cli_supervisor *sv, struct run_state *st)
{
	if (st->measurer_reaped) {
		st->deadline_ns = 0;
	} else if (st->progress == CLI_DONE || st->abandon_sent) {
		kill(sv->measurer, SIGKILL);
		st->measurer_killed = true;
		st->deadline_ns = 0;
	} else {
		char why[64];
		snprintf(why, sizeof(why), "not finished %d s after the stop", FINISH_BOUND_S);
		abandon(sv, st, why);
	}
}

static void wait_for_event(struct cli_supervisor *sv, struct run_state *st)
{
	struct pollfd fds[2] = {{.fd = sv->signal_fd, .events = POLLIN}, {.fd = sv->progress_fd, .events = POLLIN}};
	int timeout_ms = -1;
	if (st->deadline_ns) {
		int64_t left = st->deadline_ns - now_ns();
		timeout_ms = left > 0 ? (int)(left / 1000000) + 1 : 0;
	}
	int n = poll(fds, sv->progress_fd >= 0 ? 2 : 1, timeout_ms);
	if (n == 0 && st->deadline_ns && now_ns() >= st->deadline_ns)
		on_deadline(sv, st);
	if (n > 0 && fds[0].revents) {
		struct signalfd_siginfo si;
		if (read(sv->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			on_signal(sv, st, (int)si.ssi_signo);
	}
	if (n > 0 && sv->progress_fd >= 0 && fds[1].revents)
		on_progress(sv, st);
}

/* What the measuring process's end cost, for the one error line. */
static void describe_loss(const struct run_state *st, char *out, size_t len)
{
	char how[128];
	int ws = st->measurer_wait_status;
	if (st->measurer_killed)
		snprintf(how, sizeof(how), "did not finish within %d s of the stop and was killed",
		         FINISH_BOUND_S + ABANDONED_BOUND_S);
	else if (WIFSIGNALED(ws))
		snprintf(how, sizeof(how), "was killed by signal %d (SIG%s)", WTERMSIG(ws), signal_name(WTERMSIG(ws)));
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(ws));
	const char *when = !st->stop_sent ? "while measuring" : "while stopping";
	if (st->progress == 0)
		snprintf(out, len, "the measuring process %s while starting the plugins", how);
	else if (st->progress == CLI_WRITTEN)
		snprintf(out, len, "the measuring process %s after writing the files; the summary is lost", how);
	else
		snprintf(out, len, "the measuring process %s %s (a plugin crashed?); no files or summary from this "
		         "run", how, when);
}

int cli_supervise(struct cli_supervisor *sv, const char *command_name)
{
	struct run_state st = {.command_status = -1, .command_reaped = sv->command.pid == 0};
	while (!st.command_reaped || !st.measurer_reaped) {
		bool started = st.progress == CLI_STARTED;
		if (started && !st.stop_sent && sv->progress_fd >= 0 &&
		    (sv->command.pid ? st.command_reaped : st.interrupted != 0))
			send_stop(sv, &st);
		wait_for_event(sv, &st);
	}
	bool ran = st.progress == CLI_STARTED || st.progress == CLI_WRITTEN || st.progress == CLI_DONE;
	bool done = st.progress == CLI_DONE;
	char loss[512];
	describe_loss(&st, loss, sizeof(loss));
	if (!ran) {
		if (st.interrupted)
			fprintf(stderr, "energymon: error: SIG%s while starting the plugins; '%s' was not run\n",
			        signal_name(st.interrupted), command_name);
		else if (st.progress != CLI_SETUP_FAILED)
			fprintf(stderr, "energymon: error: %s; '%s' was not run\n", loss, command_name);
		else if (WIFEXITED(st.measurer_wait_status) && WEXITSTATUS(st.measurer_wait_status) == CLI_EXIT_CONFIG)
			return CLI_EXIT_CONFIG;
		return EXIT_SETUP;
	}
	if (!done)
		fprintf(stderr, "energymon: error: %s%s\n", loss,
		        sv->command.pid ? "; the command ran on unaffected and this is its exit status" : "");
	if (sv->command.pid)
		return st.command_status;
	if (!done)
		return 1;
	return WIFEXITED(st.measurer_wait_status) ? WEXITSTATUS(st.measurer_wait_status) : 1;
}
