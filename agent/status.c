/*
 * The status op's answer: how many connections, windows and process trees
 * the agent has now (counted on the loop's thread, which owns them), and
 * the sources' sampling counts (taken on a worker: see sources.c).
 */
#include "agent.h"

#include <stdlib.h>

static int by_pid(const void *x, const void *y)
{
	pid_t a = *(const pid_t *)x, b = *(const pid_t *)y;
	return (a > b) - (a < b);
}

/* connections, open windows and distinct roots followed, over the agent
 * (sorted, not compared pairwise: 65536 windows must not stall the loop) */
static json_t *counts(const struct agent *a)
{
	static pid_t roots[AGENT_CONNECTIONS_MAX * AGENT_WINDOWS_MAX]; /* the loop's thread only */
	size_t windows = 0, nroots = 0, distinct = 0;
	for (size_t i = 0; i < AGENT_CONNECTIONS_MAX; i++)
		for (size_t j = 0; a->conns[i].fd >= 0 && j < AGENT_WINDOWS_MAX; j++) {
			const struct agent_window *w = &a->conns[i].windows[j];
			windows += w->id != 0;
			if (w->id && w->root > 0)
				roots[nroots++] = w->root;
		}
	qsort(roots, nroots, sizeof(roots[0]), by_pid);
	for (size_t i = 0; i < nroots; i++)
		distinct += i == 0 || roots[i] != roots[i - 1];
	return json_pack("{s:I,s:I,s:I}", "connections", (json_int_t)a->nconns, "windows", (json_int_t)windows,
	                 "followed_roots", (json_int_t)distinct);
}

size_t agent_uid_connections(const struct agent *a, uid_t uid)
{
	size_t n = 0;
	for (size_t i = 0; i < AGENT_CONNECTIONS_MAX; i++)
		n += a->conns[i].fd >= 0 && a->conns[i].peer.uid == uid;
	return n;
}

size_t agent_uid_windows(const struct agent *a, uid_t uid)
{
	size_t n = 0;
	for (size_t i = 0; i < AGENT_CONNECTIONS_MAX; i++)
		if (a->conns[i].fd >= 0 && a->conns[i].peer.uid == uid)
			n += a->conns[i].nwindows;
	return n;
}

void agent_status_answer(struct agent *a, size_t ci, json_t *sources)
{
	json_t *o = counts(a);
	json_object_set_new(o, "sources", sources ? sources : json_array());
	agent_add_monitor_error(a, o);
	agent_answer(a, ci, o);
}
