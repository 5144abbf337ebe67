/* Planting files as another user, for tests of output written into a
 * directory others can write to. */
#ifndef TEST_PLANT_H
#define TEST_PLANT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

enum { NOBODY = 65534 };

/* Run plant(path, arg) as uid 65534 in a child; true when it succeeded. */
static inline bool plant_as_nobody(int (*plant)(const char *path, const char *arg), const char *path,
                                   const char *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
			_exit(2);
		_exit(plant(path, arg) == 0 ? 0 : 1);
	}
	int st;
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static inline int plant_symlink(const char *path, const char *target)
{
	return symlink(target, path);
}

static inline int plant_fifo(const char *path, const char *unused)
{
	(void)unused;
	return mkfifo(path, 0666);
}

#endif
