/*
 * When a thread of energymond crashes, say which plugin it was running
 * before dying, so that the log systemd keeps names the culprit (the
 * library names each sampling thread "em:<plugin>"). The handler only makes
 * async-signal-safe calls (open, read, write, sigaction, raise) on buffers
 * of its own, then dies of the same signal with its default action, so the
 * exit status and a core dump are what they would have been.
 * The main and worker threads get an alternate signal stack (a stack
 * overflow still logs); the library's sampling threads run the handler on
 * their own stack.
 */
#include "agent.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ALT_STACK_SIZE 65536

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGABRT: return "SIGABRT";
	default: return "?";
	}
}

/* strncmp is not on POSIX's list of async-signal-safe functions */
static bool starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

struct line {
	char text[256];
	size_t len;
};

static void put(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->text) - 1)
		l->text[l->len++] = *s++;
}

static void put_int(struct line *l, int v)
{
	char digits[16];
	size_t n = 0;
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
	do
		digits[n++] = (char)('0' + u % 10);
	while ((u /= 10) && n < sizeof(digits));
	if (v < 0)
		put(l, "-");
	while (n && l->len < sizeof(l->text) - 1)
		l->text[l->len++] = digits[--n];
}

/* The crashing thread's name, "" when unknown; printable bytes only. */
static void thread_name(char *out, size_t len)
{
	out[0] = '\0';
	int fd = open("/proc/thread-self/comm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		n = 0;
	out[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (out[i] == '\n')
			out[i] = '\0';
		else if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			out[i] = '?';
}

static void on_crash(int sig)
{
	char comm[32];
	thread_name(comm, sizeof(comm));
	struct line l = {.len = 0};
	put(&l, "energymond: ");
	if (starts_with(comm, "em:") && comm[3]) {
		put(&l, "plugin ");
		put(&l, comm + 3);
		put(&l, " crashed with signal ");
	} else if (starts_with(comm, "emab:")) {
		put(&l, "a plugin thread abandoned earlier (");
		put(&l, comm);
		put(&l, ") crashed with signal ");
	} else {
		put(&l, "energymond crashed with signal ");
	}
	put_int(&l, sig);
	put(&l, " (");
	put(&l, signal_name(sig));
	put(&l, ")");
	if (comm[0] && !starts_with(comm, "em")) {
		put(&l, " in thread ");
		put(&l, comm);
	}
	put(&l, "; exiting so that systemd restarts energymond\n");
	ssize_t w = write(STDERR_FILENO, l.text, l.len);
	(void)w;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig); /* delivered when the handler returns (or at once for a fault re-run) */
}

/* The main thread's and the workers': they live as long as the process. */
static char alt_stacks[1 + AGENT_WORKERS][ALT_STACK_SIZE];
static atomic_uint alt_stacks_used;

int agent_crash_log_thread_stack(void)
{
	unsigned i = atomic_fetch_add(&alt_stacks_used, 1);
	if (i >= sizeof(alt_stacks) / sizeof(alt_stacks[0]))
		return -1;
	stack_t ss = {.ss_sp = alt_stacks[i], .ss_size = ALT_STACK_SIZE, .ss_flags = 0};
	return sigaltstack(&ss, NULL);
}

/* Before a thread with one ends: the stack is ours, not for anyone (such
 * as a sanitizer's thread exit) to unmap. */
void agent_crash_log_thread_done(void)
{
	stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
	sigaltstack(&off, NULL);
}

int agent_crash_log_install(void)
{
	struct sigaction sa = {.sa_handler = on_crash, .sa_flags = SA_ONSTACK};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		if (sigaction(crash_signals[i], &sa, NULL) != 0)
			return -1;
	return agent_crash_log_thread_stack();
}
