/*
 * Running the measured command. The child is forked first and held at a
 * pipe until the monitor knows its pid and has started, so that process-level
 * sources see the command from its first instruction. Before exec it gets
 * back what energymon changed for itself: the signal mask and SIGPIPE's
 * default action (energymon ignores it; a command started with it ignored
 * would not stop writing to a closed pipe). Secrets the plugins read from
 * the environment are removed from the command's.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child, between fork and exec: only async-signal-safe calls and
 * unsetenv (the parent is single-threaded, so no lock is held). */
static void become_command(char **argv, const struct cli_child_setup *setup, pid_t supervisor, int gate_fd,
                           int exec_fd)
{
	if (setup->kill_on_exit) {
		/* the supervisor may have died before prctl: then no signal comes */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != supervisor)
			_exit(125);
	}
	char go;
	ssize_t n;
	do
		n = read(gate_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125); /* energymon gave up before the command started */
	for (size_t i = 0; i < setup->nhide_env; i++)
		unsetenv(setup->hide_env[i]);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &setup->mask, NULL);
	execvp(argv[0], argv);
	int e = errno;
	/* tells the supervisor the command never ran (a 127 could be its own) */
	ssize_t reported = write(exec_fd, &e, sizeof(e));
	(void)reported; /* nothing better to do if even this fails */
	fprintf(stderr, "energymon: cannot run '%s': %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

int cli_spawn_held(struct cli_child *c, char **argv, const struct cli_child_setup *setup)
{
	int gate[2], exec_report[2];
	if (pipe2(gate, O_CLOEXEC) != 0)
		return -errno;
	if (pipe2(exec_report, O_CLOEXEC) != 0) {
		int e = errno;
		close(gate[0]);
		close(gate[1]);
		return -e;
	}
	pid_t supervisor = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		int fds[] = {gate[0], gate[1], exec_report[0], exec_report[1]};
		for (size_t i = 0; i < 4; i++)
			close(fds[i]);
		return -e;
	}
	if (pid == 0) {
		close(gate[1]);
		close(exec_report[0]);
		become_command(argv, setup, supervisor, gate[0], exec_report[1]);
	}
	close(gate[0]);
	close(exec_report[1]);
	c->pid = pid;
	c->gate_fd = gate[1];
	c->exec_fd = exec_report[0];
	return 0;
}

void cli_release(struct cli_child *c, bool run)
{
	if (c->gate_fd < 0)
		return;
	if (run) {
		ssize_t n;
		do
			n = write(c->gate_fd, "g", 1);
		while (n < 0 && errno == EINTR);
	}
	close(c->gate_fd);
	c->gate_fd = -1;
}

int cli_shell_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
