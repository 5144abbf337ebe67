#include "simbmc_run.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void read_capture(const char *path, char *err, size_t err_len,
			 const char *script, int status)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int n = snprintf(err, err_len, "%s exited with status %d: ", script, status);
	ssize_t got = 0;

	if (n < 0 || (size_t)n >= err_len)
		return;
	if (fd >= 0) {
		got = read(fd, err + n, err_len - (size_t)n - 1);
		close(fd);
	}
	err[n + (got > 0 ? got : 0)] = '\0';
	/* One line reads better in an assertion message. */
	for (char *p = err; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ' ' : '\0';
}

int simbmc_run(const char *script, const char *const *args, const char *dir,
	       char *err, size_t err_len)
{
	char capture[4200];
	const char *argv[32];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int n = 0, status, rc;

	argv[n++] = "bash";
	argv[n++] = script;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	snprintf(capture, sizeof(capture), "%s/simbmc.out", dir);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, capture,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/* The const casts are posix_spawn's historical prototype: it does not
	 * modify argv. */
	rc = posix_spawnp(&pid, "bash", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, err_len, "cannot run bash %s: %s", script, strerror(rc));
		return -rc;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			snprintf(err, err_len, "waitpid: %s", strerror(-rc));
			return rc;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	read_capture(capture, err, err_len, script,
		     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == SIMBMC_EXIT_RANGE)
		return -ERANGE;
	if (WIFEXITED(status) && WEXITSTATUS(status) == SIMBMC_EXIT_NO_SENSOR)
		return -ENOENT;
	return -EIO;
}
