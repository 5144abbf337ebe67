/*
 * The process trees a continuous monitor follows: the union of its open
 * windows' roots, counted per root, so two windows of one tree share it
 * and it is followed until the last of them ends. Whenever the union
 * changes, every source whose plugin has set_targets is told the new
 * union (em_monitor_set_targets hands it to each running thread). Guarded
 * by mon->windows_lock, held across that call so that the plugins always
 * follow the union as it last was.
 */
#include "window_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct em_window_root {
	pid_t pid;
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

/* Tell the plugins the union, with `extra` (0: none) added. A root that
 * has exited while its window is still open is left out: a plugin refuses
 * the whole list for one dead pid (-ESRCH), and that must not fail other
 * clients' windows. No source able to follow trees is no error: the
 * windows are then measured without per-tree values. */
static int tell_plugins(struct em_monitor *mon, pid_t extra, struct em_error *err)
{
	size_t n = mon->roots ? mon->roots->n : 0;
	pid_t *pids = malloc((n + 1) * sizeof(*pids));
	if (!pids)
		return em_fail(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!gone(mon->roots->e[i].pid))
				pids[k++] = mon->roots->e[i].pid;
		if (extra > 0)
			pids[k++] = extra;
		rc = em_monitor_set_targets(mon, pids, k, err);
		if (rc == -EOPNOTSUPP)
			rc = 0;
		/* another root may have exited since it was checked: once more */
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
	struct em_window_root *have = find(mon->roots, root);
	if (have) {
		have->count++;
		goto out;
	}
	if (gone(root)) {
		rc = em_fail(err, -ESRCH, "window root: process %ld does not exist", (long)root);
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
	r->e[r->n++] = (struct em_window_root){.pid = root, .count = 1};
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
