/*
 * What a worker's finished job becomes: the answer to the connection that
 * asked, when it is still there; otherwise the window it made is freed (a
 * client that went away while its begin ran leaves nothing behind).
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct agent_conn *asker(struct agent *a, const struct agent_job *job)
{
	struct agent_conn *c = &a->conns[job->conn];
	return c->fd >= 0 && c->gen == job->gen ? c : NULL;
}

static struct agent_window *pending_slot(struct agent_conn *c, uint64_t id)
{
	for (size_t i = 0; i < AGENT_WINDOWS_MAX; i++)
		if (c->windows[i].id == id && c->windows[i].pending)
			return &c->windows[i];
	return NULL;
}

static void began(struct agent *a, struct agent_conn *c, struct agent_job *job)
{
	struct agent_window *slot = pending_slot(c, job->window_id);
	if (job->rc || !slot) {
		if (slot) {
			*slot = (struct agent_window){0};
			c->nwindows--;
		}
		agent_send(a, job->conn, agent_error_text(job->rc ? job->rc : -EIO, "%s", job->error));
		return;
	}
	slot->w = job->window;
	slot->pending = false;
	job->window = NULL;
	agent_log("window %llu opened for pid %d uid %u (tree %d)", (unsigned long long)slot->id, (int)c->peer.pid,
	          (unsigned)c->peer.uid, (int)slot->root);
	json_t *o = json_pack("{s:i,s:b,s:I}", "v", 1, "ok", 1, "window", (json_int_t)slot->id);
	agent_send(a, job->conn, o ? json_dumps(o, AGENT_JSON_FLAGS) : NULL);
	json_decref(o);
}

/* The state document goes out as it came from the library, not re-parsed:
 * it can be megabytes. */
static void ended(struct agent *a, struct agent_job *job)
{
	agent_log("window %llu closed (tree %d)%s%s", (unsigned long long)job->window_id, (int)job->root,
	          job->rc ? ": " : "", job->rc ? job->error : "");
	if (job->rc) {
		agent_send(a, job->conn, agent_error_text(job->rc, "%s", job->error));
		return;
	}
	static const char head[] = "{\"v\":1,\"ok\":true,\"window\":";
	size_t len = strlen(job->text) + sizeof(head) + 40;
	if (len > AGENT_RESPONSE_MAX) {
		agent_send(a, job->conn, agent_error_text(E2BIG, "window %llu's state is %zu bytes, more than an answer "
		                                          "may be (%u)", (unsigned long long)job->window_id,
		                                          strlen(job->text), AGENT_RESPONSE_MAX));
		return;
	}
	char *text = malloc(len);
	if (!text) {
		agent_send(a, job->conn, agent_error_text(ENOMEM, "out of memory for window %llu's answer",
		                                          (unsigned long long)job->window_id));
		return;
	}
	snprintf(text, len, "%s%llu,\"state\":%s}", head, (unsigned long long)job->window_id, job->text);
	agent_send(a, job->conn, text);
}

void agent_request_done(struct agent *a, struct agent_job *job)
{
	struct agent_conn *c = asker(a, job);
	if (!c || job->kind == AGENT_JOB_FREE) {
		if (job->kind == AGENT_JOB_BEGIN && job->window) { /* its client is gone */
			job->kind = AGENT_JOB_FREE;
			agent_workers_submit(a->workers, job);
			return;
		}
		agent_job_free(job);
		return;
	}
	c->busy = false;
	switch (job->kind) {
	case AGENT_JOB_BEGIN: began(a, c, job); break;
	case AGENT_JOB_END: ended(a, job); break;
	case AGENT_JOB_STATUS: {
		json_t *sources = job->rc ? NULL : json_loads(job->text, 0, NULL);
		agent_status_answer(a, job->conn, sources);
		break;
	}
	case AGENT_JOB_FREE: break;
	}
	agent_job_free(job);
}

void agent_free_windows(struct agent *a, struct agent_conn *c)
{
	for (size_t i = 0; i < AGENT_WINDOWS_MAX; i++) {
		struct agent_window *w = &c->windows[i];
		if (w->id && !w->pending && w->w) {
			struct agent_job *job = calloc(1, sizeof(*job));
			if (job) {
				job->kind = AGENT_JOB_FREE;
				job->uid = c->peer.uid;
				job->window = w->w;
				job->window_id = w->id;
				agent_workers_submit(a->workers, job);
			} else {
				em_window_free(a->mon, w->w); /* out of memory: here, then */
			}
		}
		/* a pending one is freed when its begin comes back (agent_request_done) */
		*w = (struct agent_window){0};
	}
	c->nwindows = 0;
}
