/*
 * The process trees a continuous monitor follows: the union of its open
 * windows' roots, counted per root, so two windows of one tree share it
 * and it is followed until the last of them ends. Whenever the union
 * changes, every source whose plugin has set_targets is told the new
 * union (em_monitor_set_targets hands it to each running thread). Guarded
 * by mon->windows_lock, held across that call so that the plugins always
 * follow the union as it last was. A root that exits stays in the union
 * until its last window ends: its tree's total must last to that end.
 */
#include "window_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct em_window_root {
	pid_t pid;
	unsigned long long started; /* its start time when first followed (0: unknown) */
	size_t count; /* open windows with this root */
};

struct em_window_roots {
	struct em_window_root *e;
	size_t n, alloc;
};

int em_window_roots_init(struct em_monitor *mon)
{
	int rc = pthread_mutex_init(&mon->windows_lock, NULL);
	if (rc)
		return -rc;
	mon->windows_lock_ready = true;
	return 0;
}

void em_window_roots_fini(struct em_monitor *mon)
{
	if (mon->roots)
		free(mon->roots->e);
	free(mon->roots);
	mon->roots = NULL;
	if (mon->windows_lock_ready)
		pthread_mutex_destroy(&mon->windows_lock);
	mon->windows_lock_ready = false;
}

static bool gone(pid_t pid)
{
	return kill(pid, 0) != 0 && errno == ESRCH;
}

/* The start time of `pid` (/proc/PID/stat field 22, clock ticks since
 * boot), or 0 when it cannot be read. With the pid, it names one process:
 * a pid the kernel gave again to a new process has another start time
 * (unless within the same clock tick, 10 ms: far quicker than pids wrap). */
static unsigned long long started_at(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and ')': fields from the last ')' */
	const char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	unsigned long long t = 0;
	return p && sscanf(p + 1, "%llu", &t) == 1 ? t : 0;
}

/* Tell the plugins the union, with `extra` (0: none) added. Every root
 * with an open window is in it, alive or not: a plugin keeps reporting the
 * total of a tree it already follows whose root has exited (the ABI's
 * set_targets contract), so that the window still gets that tree's CPU
 * time at its end; only a new pid must exist, and em_window_root_add
 * checks that before. A plugin written to the older wording refuses any
 * dead pid (-ESRCH): then the union is told once more without the exited
 * roots, which lose their per-tree values, rather than failing every other
 * client's window. No source able to follow trees is no error: the
 * windows are then measured without per-tree values. */
static int tell_plugins(struct em_monitor *mon, pid_t extra, struct em_error *err)
{
	size_t n = mon->roots ? mon->roots->n : 0;
	pid_t *pids = malloc((n + 1) * sizeof(*pids));
	if (!pids)
		return em_fail(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (int live_only = 0; live_only < 2; live_only++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!live_only || !gone(mon->roots->e[i].pid))
				pids[k++] = mon->roots->e[i].pid;
		if (extra > 0)
			pids[k++] = extra;
		rc = em_monitor_set_targets(mon, pids, k, err);
		if (rc == -EOPNOTSUPP)
			rc = 0;
		if (rc != -ESRCH || (extra > 0 && gone(extra)))
			break;
	}
	free(pids);
	return rc;
}

static struct em_window_root *find(struct em_window_roots *r, pid_t pid)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->e[i].pid == pid)
			return &r->e[i];
	return NULL;
}

int em_window_root_add(struct em_monitor *mon, pid_t root, struct em_error *err)
{
	pthread_mutex_lock(&mon->windows_lock);
	int rc = 0;
	/* a new window's root must exist, even when an earlier window of the
	 * same pid still keeps it (the process that has exited) in the union */
	if (gone(root)) {
		rc = em_fail(err, -ESRCH, "window root: process %ld does not exist", (long)root);
		goto out;
	}
	unsigned long long started = started_at(root);
	struct em_window_root *have = find(mon->roots, root);
	if (have && started && have->started && started != have->started) {
		/* the union holds one tree per pid, and this one is followed
		 * for another process's windows, so it cannot be told apart */
		rc = em_fail(err, -EBUSY, "window root: pid %ld now names a new process, while a window of the "
		             "earlier process %ld (exited) is still open; retry when that window has ended",
		             (long)root, (long)root);
		goto out;
	}
	if (have) {
		have->count++;
		goto out;
	}
	if (!mon->roots && !(mon->roots = calloc(1, sizeof(*mon->roots)))) {
		rc = em_fail(err, -ENOMEM, "out of memory");
		goto out;
	}
	struct em_window_roots *r = mon->roots;
	if (r->n == r->alloc) {
		size_t want = r->alloc ? 2 * r->alloc : 8;
		struct em_window_root *grown = realloc(r->e, want * sizeof(*grown));
		if (!grown) {
			rc = em_fail(err, -ENOMEM, "out of memory");
			goto out;
		}
		r->e = grown;
		r->alloc = want;
	}
	/* the plugins first: on failure the union stays as it was */
	if ((rc = tell_plugins(mon, root, err)))
		goto out;
	r->e[r->n++] = (struct em_window_root){.pid = root, .started = started, .count = 1};
out:
	pthread_mutex_unlock(&mon->windows_lock);
	return rc;
}

void em_window_root_drop(struct em_monitor *mon, pid_t root)
{
	pthread_mutex_lock(&mon->windows_lock);
	struct em_window_root *have = find(mon->roots, root);
	if (have && --have->count == 0) {
		*have = mon->roots->e[--mon->roots->n];
		/* a plugin that refuses keeps following the tree for nothing:
		 * no window reads it any more, so there is no one to tell */
		tell_plugins(mon, 0, NULL);
	}
	pthread_mutex_unlock(&mon->windows_lock);
}
