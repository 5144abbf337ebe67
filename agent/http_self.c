/* energymond's own CPU time and resident memory, for the self-metrics. */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

int agent_http_process(double *cpu_s, double *rss_bytes)
{
	/* getrusage: microseconds, every thread of the process (the sampling
	 * threads' CPU is the agent's cost, so it belongs in the figure) */
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -errno;
	*cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	         (double)ru.ru_stime.tv_usec / 1e6;
	/* the current RSS, not ru_maxrss (the peak): /proc/self/statm, in pages */
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unsigned long long size, resident;
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
		return -EPROTO;
	*rss_bytes = (double)resident * (double)sysconf(_SC_PAGESIZE);
	return 0;
}
