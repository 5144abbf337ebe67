/*
 * The names of sampling threads, which the process's own task list shows
 * (/proc/self/task/N/comm): a running one is "em:<plugin>", so a crash
 * handler reading /proc/thread-self/comm can say which plugin crashed;
 * an abandoned one is renamed so that the abandoned ones can be counted.
 */
/* pthread_setname_np needs _GNU_SOURCE, which the build defines */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void em_sampler_name_self(const char *plugin)
{
	char name[16]; /* the kernel keeps 15 bytes: a long name is cut */
	snprintf(name, sizeof(name), "em:%s", plugin);
	pthread_setname_np(pthread_self(), name);
}

/* An abandoned thread is named "emab:" + the first 10 of the 16 hex digits
 * of the 64-bit FNV-1a hash of the full plugin name, so the process's own
 * task list counts them per plugin: the library keeps no global counter.
 * A hash, not the name: the kernel keeps 15 bytes, and two plugins whose
 * names share their first 10 characters must not share one cap. */
#define ABANDONED_PREFIX "emab:"

void em_abandoned_thread_name(const char *plugin, char out[16])
{
	uint64_t h = 0xcbf29ce484222325u;
	for (const unsigned char *p = (const unsigned char *)plugin; *p; p++)
		h = (h ^ *p) * 0x100000001b3u;
	snprintf(out, 16, ABANDONED_PREFIX "%010llx", (unsigned long long)(h >> 24));
}

int em_abandoned_threads(const char *plugin)
{
	char want[16], path[64], comm[32];
	em_abandoned_thread_name(plugin, want);
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* the thread just ended */
		ssize_t got = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (got <= 0)
			continue;
		comm[got] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		n += strcmp(comm, want) == 0;
	}
	closedir(d);
	return n;
}
