/*
 * Running the measured command. The child is forked first and held at a
 * pipe until the monitor knows its pid and has started, so that process-level
 * sources see the command from its first instruction. SIGINT/SIGTERM are
 * blocked in energymon and collected with sigwaitinfo (no handlers, no
 * globals), then forwarded to the child.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cli_block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	return pthread_sigmask(SIG_BLOCK, &set, old) == 0 ? 0 : -errno;
}

int cli_spawn_held(struct cli_child *c, char **argv, const sigset_t *old_mask)
{
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) != 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(gate[0]);
		close(gate[1]);
		return -e;
	}
	if (pid == 0) {
		close(gate[1]);
		char go;
		ssize_t n;
		do
			n = read(gate[0], &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(125); /* energymon gave up before the command started */
		sigprocmask(SIG_SETMASK, old_mask, NULL);
		execvp(argv[0], argv);
		int e = errno;
		fprintf(stderr, "energymon: cannot run '%s': %s\n", argv[0], strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	close(gate[0]);
	c->pid = pid;
	c->gate_fd = gate[1];
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

/* Exit status the shell would report for the child. */
static int shell_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int cli_wait_forwarding(struct cli_child *c, int *forwarded_signal)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		int status;
		pid_t r = waitpid(c->pid, &status, WNOHANG);
		if (r == c->pid)
			return shell_status(status);
		if (r < 0 && errno != EINTR)
			return 1;
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);
		if (sig == SIGINT || sig == SIGTERM) {
			*forwarded_signal = sig;
			kill(c->pid, sig);
		}
	}
}

int cli_wait_for_interrupt(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	siginfo_t info;
	int sig;
	do
		sig = sigwaitinfo(&set, &info);
	while (sig < 0 && errno == EINTR);
	return sig;
}
