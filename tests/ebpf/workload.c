#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugin_harness.h"

static double cpu_now_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void burn(clockid_t clock, double cpu_s)
{
	double end = cpu_now_s(clock) + cpu_s;
	volatile unsigned long x = 0;
	while (cpu_now_s(clock) < end)
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
}

void burn_cpu(double cpu_s)
{
	burn(CLOCK_PROCESS_CPUTIME_ID, cpu_s);
}

void burn_cpu_thread(double cpu_s)
{
	burn(CLOCK_THREAD_CPUTIME_ID, cpu_s);
}

int spawn_waiting(struct waiting_child *c, void (*fn)(void *), void *arg)
{
	int p[2];
	if (pipe(p) != 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		close(p[1]);
		char b;
		if (read(p[0], &b, 1) != 1)
			_exit(2);
		close(p[0]);
		fn(arg);
		_exit(0);
	}
	close(p[0]);
	c->pid = pid;
	c->go_fd = p[1];
	return 0;
}

void release(struct waiting_child *c)
{
	if (c->go_fd >= 0) {
		if (write(c->go_fd, "g", 1) != 1)
			perror("release");
		close(c->go_fd);
	}
	c->go_fd = -1;
}

double reap_cpu_s(pid_t pid)
{
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double schedstat_cpu_s(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	unsigned long long ns;
	int ok = fscanf(f, "%llu", &ns) == 1;
	fclose(f);
	return ok ? (double)ns / 1e9 : -1;
}

static void nap_10ms(void)
{
	struct timespec ts = {0, 10000000};
	nanosleep(&ts, NULL);
}

int wait_for_cpu_s(pid_t pid, double cpu_s)
{
	double last = -1;
	int still = 0;
	for (;;) {
		double used = schedstat_cpu_s(pid);
		if (used < 0)
			return -1;
		if (used >= cpu_s)
			return 0;
		still = used > last ? 0 : still + 1;
		if (still > 1000)
			return -1;
		last = used;
		nap_10ms();
	}
}

int wait_until_asleep(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "re");
		if (!f)
			return -1;
		char state = '?';
		/* "PID (COMM) STATE ...": COMM may hold spaces, so skip to the last ')' */
		char line[512];
		if (fgets(line, sizeof(line), f)) {
			char *paren = strrchr(line, ')');
			if (paren && paren[1] == ' ')
				state = paren[2];
		}
		fclose(f);
		if (state == 'S')
			return 0;
		nap_10ms();
	}
	return -1;
}

void skip_unless_bpf_allowed(void)
{
	struct harness h;
	if (harness_load(&h, "ebpf") != 0) {
		fprintf(stderr, "cannot load ebpf.so: %s\n", h.error);
		exit(1);
	}
	int rc = harness_probe(&h);
	if (rc == -EPERM || rc == -EACCES || rc == -ENODEV || rc == -EOPNOTSUPP) {
		printf("SKIP: %s\n", h.error);
		harness_close(&h);
		exit(77);
	}
	harness_close(&h);
}
