/*
 * seed_ipmitool.c — the baseline: what the seed's monitor did every sampling
 * interval, one ipmitool process and a fresh lanplus session per reading.
 * The password goes by file (-f), never on the command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_ipmi.h"

extern char **environ;

static double children_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Run ipmitool once; 0 if it exited 0 and printed a power reading. */
static int one_reading(char *const argv[])
{
	int out[2];
	if (pipe(out) != 0)
		return -errno;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, "ipmitool", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (rc != 0) {
		close(out[0]);
		return -rc;
	}
	char buf[4096];
	size_t used = 0;
	ssize_t n;
	while ((n = read(out[0], buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
	close(out[0]);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !strstr(buf, "Instantaneous power reading"))
		return -EIO;
	return 0;
}

int bench_seed_ipmitool(const struct simbmc *bmc, size_t n, struct bench_result *out)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", bmc->port);
	char *const argv[] = {"ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", port,
			      "-U", (char *)bmc->user, "-f", (char *)bmc->password_file,
			      "dcmi", "power", "reading", NULL};
	double *lat = calloc(n, sizeof(*lat));
	if (!lat)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	out->label = "seed: ipmitool process per reading";
	double cpu0 = children_cpu_s(), wall0 = bench_mono_s();
	for (size_t i = 0; i < n; i++) {
		double t = bench_mono_s();
		int rc = one_reading(argv);
		if (rc == 0)
			lat[out->readings++] = (bench_mono_s() - t) * 1e6;
		else
			out->failures++;
	}
	out->wall_s = bench_mono_s() - wall0;
	out->cpu_s = children_cpu_s() - cpu0;
	bench_percentiles(lat, out->readings, out);
	free(lat);
	return out->readings ? 0 : -EIO;
}
