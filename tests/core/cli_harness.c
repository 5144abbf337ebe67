/* See cli_harness.h. */
#include "cli_harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *energymon;
static char work[PATH_MAX], self[PATH_MAX];

/* Only a bound against hanging the whole suite when energymon misbehaves;
 * every wait returns as soon as its condition holds. */
#define WAIT_BOUND_MS 60000

int cli_harness_init(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	energymon = argv[1];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(work, sizeof(work), "/tmp/energymon-cli-XXXXXX");
	if (!mkdtemp(work) || chmod(work, 0755) != 0)
		return -1;
	return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : -1;
}

const char *cli_work_dir(void)
{
	return work;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

void cli_remove_work_dir(void)
{
	nftw(work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void cli_fresh_dir(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", work, name);
	mkdir(out, 0755);
}

void cli_slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

void cli_start(struct cli_run *r, const char *const *args)
{
	char out[PATH_MAX], err[PATH_MAX];
	snprintf(out, sizeof(out), "%s/stdout", work);
	snprintf(err, sizeof(err), "%s/stderr", work);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	int broken[2] = {-1, -1};
	if (r->stdout_to_closed_pipe && pipe(broken) == 0) {
		close(broken[0]);
		posix_spawn_file_actions_adddup2(&fa, broken[1], 1);
	} else {
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	}
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *argv[40];
	size_t n = 0;
	argv[n++] = (char *)energymon;
	for (; args[n - 1] && n < 39; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	r->status = -1;
	if (posix_spawn(&r->pid, energymon, &fa, NULL, argv, environ) != 0)
		r->pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	if (broken[1] >= 0)
		close(broken[1]);
}

bool cli_exited(const struct cli_run *r)
{
	siginfo_t info = {0};
	return waitid(P_PID, (id_t)r->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == r->pid;
}

void cli_finish(struct cli_run *r)
{
	int st;
	if (r->pid > 0 && waitpid(r->pid, &st, 0) == r->pid)
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/stdout", work);
	cli_slurp(path, r->out, sizeof(r->out));
	snprintf(path, sizeof(path), "%s/stderr", work);
	cli_slurp(path, r->err, sizeof(r->err));
}

void cli_child_args(const char **argv5, const char *dir, const char *status, const char *when)
{
	argv5[0] = self;
	argv5[1] = CLI_CHILD_MODE;
	argv5[2] = dir;
	argv5[3] = status;
	argv5[4] = when;
}

static volatile sig_atomic_t received;

static void note_signal(int sig)
{
	received = sig;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s/.%s", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
		rename(tmp, path); /* the test sees all of it or nothing */
	}
}

int cli_child_main(int argc, char **argv)
{
	if (argc < 5)
		return 99;
	const char *dir = argv[2];
	struct sigaction pipe_action;
	sigaction(SIGPIPE, NULL, &pipe_action);
	sigset_t inherited;
	sigprocmask(SIG_SETMASK, NULL, &inherited);
	int nblocked = 0;
	for (int s = 1; s < NSIG; s++)
		nblocked += sigismember(&inherited, s) == 1;
	static const int watched[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	sigset_t block, none;
	sigemptyset(&block);
	sigemptyset(&none);
	struct sigaction sa = {.sa_handler = note_signal};
	for (size_t i = 0; i < sizeof(watched) / sizeof(watched[0]); i++) {
		sigaction(watched[i], &sa, NULL);
		sigaddset(&block, watched[i]);
	}
	sigprocmask(SIG_SETMASK, &block, NULL); /* nothing lost between here and sigsuspend */
	char report[512];
	snprintf(report, sizeof(report), "pid %d\nsigpipe %s\nblocked %d\nsecret %s\n", (int)getpid(),
	         pipe_action.sa_handler == SIG_IGN ? "ignored" : "default", nblocked,
	         getenv("ENERGYMON_TEST_SECRET") ? "present" : "absent");
	write_file(dir, "started", report);
	if (strcmp(argv[4], "wait") == 0) {
		while (!received)
			sigsuspend(&none);
		char name[32];
		snprintf(name, sizeof(name), "SIG%s", sigabbrev_np(received));
		write_file(dir, "signal", name);
	}
	return atoi(argv[3]);
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

bool cli_wait_for_text(const struct cli_run *r, const char *path, const char *needle)
{
	static char buf[65536];
	for (int waited = 0; waited < WAIT_BOUND_MS; waited += 10, pause_ms(10)) {
		bool exited = cli_exited(r); /* before looking: what it wrote is complete */
		cli_slurp(path, buf, sizeof(buf));
		if (access(path, F_OK) == 0 && (!needle || strstr(buf, needle)))
			return true;
		if (exited)
			return false;
	}
	return false;
}

bool cli_wait_for_file(const struct cli_run *r, const char *path)
{
	return cli_wait_for_text(r, path, NULL);
}

void cli_signal_until(const struct cli_run *r, int sig, const char *needle)
{
	static char buf[16384];
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/stderr", work);
	for (int waited = 0; waited < WAIT_BOUND_MS && !cli_exited(r); waited += 10, pause_ms(10)) {
		cli_slurp(path, buf, sizeof(buf));
		if (strstr(buf, needle))
			return;
		kill(r->pid, sig);
	}
}

void cli_child_report(const char *dir, char *out, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/started", dir);
	cli_slurp(path, out, len);
}

pid_t cli_child_pid(const char *dir)
{
	char text[512];
	int pid = 0;
	cli_child_report(dir, text, sizeof(text));
	return sscanf(text, "pid %d", &pid) == 1 ? pid : 0;
}

bool cli_wait_reaped(pid_t pid, int *wait_status)
{
	for (int waited = 0; waited < WAIT_BOUND_MS; waited += 10, pause_ms(10)) {
		pid_t r = waitpid(pid, wait_status, WNOHANG);
		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
	return false;
}

/* Our children, found through /proc (living ones; zombies too). */
int cli_reap_orphans(void)
{
	int found = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], stat[512];
		int pid = atoi(e->d_name), ppid = 0;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		cli_slurp(path, stat, sizeof(stat));
		const char *close_paren = strrchr(stat, ')');
		if (!close_paren || sscanf(close_paren + 1, " %*c %d", &ppid) != 1 || ppid != (int)getpid())
			continue;
		found++;
		fprintf(stderr, "\n    left behind: %s\n", stat);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (d)
		closedir(d);
	return found;
}

int cli_count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}
