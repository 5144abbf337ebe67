/*
 * cpu_visit.c — make every CPU this process may run on switch tasks once.
 *
 * The switch handler learns who runs on a CPU only when that CPU switches.
 * A CPU-bound task of the tree alone on its CPU may not be switched out for
 * seconds, and its time would go uncounted until then. A helper thread that
 * moves to each CPU in turn and sleeps there forces a switch on each one,
 * right after the handler is attached. It is a thread of its own so the
 * host's threads keep their CPU affinity.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ebpf_internal.h"

struct visit {
	int err;
	int failed_cpu;
	int visited;
};

static void *visit_all(void *arg)
{
	struct visit *v = arg;
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
		v->err = -errno;
		return NULL;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		int rc = pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
		if (rc == EINVAL)
			continue; /* went offline meanwhile */
		if (rc != 0) {
			v->err = -rc;
			v->failed_cpu = cpu;
			return NULL;
		}
		/* Sleeping switches this CPU to another task (or idle), even
		 * when the thread was already running here. */
		struct timespec ts = { 0, 1000 };
		nanosleep(&ts, NULL);
		v->visited++;
	}
	return NULL;
}

int cpu_visit_all(char *why, size_t len)
{
	struct visit v = { 0, -1, 0 };
	pthread_t t;
	int rc = pthread_create(&t, NULL, visit_all, &v);
	if (rc != 0) {
		snprintf(why, len, "ebpf: cannot start the CPU visiting thread: %s", strerror(rc));
		return -rc;
	}
	pthread_join(t, NULL);
	if (v.err) {
		if (v.failed_cpu >= 0)
			snprintf(why, len, "ebpf: cannot move a thread to CPU %d: %s", v.failed_cpu,
				 strerror(-v.err));
		else
			snprintf(why, len, "ebpf: sched_getaffinity failed: %s", strerror(-v.err));
		return v.err;
	}
	if (v.visited == 0) {
		snprintf(why, len, "ebpf: no CPU could be visited");
		return -ENODEV;
	}
	return 0;
}
