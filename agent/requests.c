/*
 * Requests (docs/agent-protocol.md): each frame is checked member by member
 * before anything acts on it, and answered with a result or an error that
 * names the member, pid, window or limit at fault. hello and status (with
 * no monitor) answer at once; begin, end and status run on a worker and
 * are answered from agent_request_done().
 */
#include "agent.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOURCE_ID_MAX 64

/* Bytes that are not UTF-8 (a name cut mid-character, a plugin's odd
 * text) become '?': JSON strings must be UTF-8, and an error must go out. */
static void utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		size_t ok = n && (n == 1 || *p >= 0xc2) ? 1 : 0;
		while (ok && ok < n && (p[ok] & 0xc0) == 0x80)
			ok++;
		if (!n || ok < n) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

char *agent_error_text(int code, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_clean(msg);
	const char *name = strerrorname_np(code < 0 ? -code : code);
	json_t *o = json_pack("{s:i,s:b,s:s,s:s}", "v", 1, "ok", 0, "errno", name ? name : "EIO", "error", msg);
	if (o && (code == EPROTONOSUPPORT || code == -EPROTONOSUPPORT))
		json_object_set_new(o, "versions", json_pack("[i]", 1));
	char *text = o ? json_dumps(o, AGENT_JSON_FLAGS) : NULL;
	json_decref(o);
	return text;
}

void agent_answer(struct agent *a, size_t ci, json_t *o)
{
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "ok", json_true());
	agent_send(a, ci, json_dumps(o, AGENT_JSON_FLAGS));
	json_decref(o);
}

/* Unknown members are refused: a client that means something we do not do
 * must hear so rather than have it ignored. */
static int check_members(struct agent *a, size_t ci, const json_t *req, const char *op, const char *const *allowed)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)req, key, v) {
		bool ok = !strcmp(key, "v") || !strcmp(key, "op");
		for (const char *const *k = allowed; !ok && *k; k++)
			ok = !strcmp(key, *k);
		if (!ok) {
			agent_send(a, ci, agent_error_text(EINVAL, "unknown member \"%.64s\" in a %s request", key, op));
			return -1;
		}
	}
	return 0;
}

/* Why energymond measures nothing, when it does not: "monitor_error" and its errno name. */
void agent_add_monitor_error(const struct agent *a, json_t *o)
{
	const char *why = agent_sources_monitor_error(a->sources);
	if (why) {
		const char *name = strerrorname_np(-agent_sources_monitor_errno(a->sources));
		json_object_set_new(o, "monitor_error", json_string(why));
		json_object_set_new(o, "monitor_errno", json_string(name ? name : "EIO"));
	}
}

static void hello(struct agent *a, size_t ci)
{
	const struct agent_conn *c = &a->conns[ci];
	double interval = agent_sources_interval(a->sources);
	json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:{s:i,s:I}}", "agent", "energymond", "version", ENERGYMON_VERSION,
	                      "interval_s", isnan(interval) ? json_null() : json_real(interval), "sources",
	                      agent_sources_hello(a->sources), "peer", "pid", (int)c->peer.pid, "uid",
	                      (json_int_t)c->peer.uid);
	agent_add_monitor_error(a, o);
	agent_answer(a, ci, o);
}

static struct agent_job *new_job(struct agent *a, size_t ci, enum agent_job_kind kind)
{
	struct agent_job *job = calloc(1, sizeof(*job));
	if (!job) {
		agent_send(a, ci, agent_error_text(ENOMEM, "out of memory"));
		return NULL;
	}
	job->kind = kind;
	job->conn = ci;
	job->gen = a->conns[ci].gen;
	job->uid = a->conns[ci].peer.uid;
	return job;
}

/* begin's "sources": 1 to 64 distinct non-empty ids of at most 64 bytes */
static int read_sources(struct agent *a, size_t ci, const json_t *list, struct agent_job *job)
{
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 64) {
		agent_send(a, ci, agent_error_text(EINVAL, "\"sources\" must be an array of 1 to 64 source ids"));
		return -1;
	}
	job->ids = calloc(json_array_size(list), sizeof(char *));
	size_t i;
	const json_t *id;
	json_array_foreach(list, i, id) {
		const char *s = json_string_value(id);
		if (!s || !*s || strlen(s) > SOURCE_ID_MAX || strlen(s) != json_string_length(id)) {
			agent_send(a, ci, agent_error_text(EINVAL, "\"sources\"[%zu] must be a source id (a string of 1 to "
			                                   "%d bytes)", i, SOURCE_ID_MAX));
			return -1;
		}
		for (size_t j = 0; j < job->nids; j++)
			if (!strcmp(job->ids[j], s)) {
				agent_send(a, ci, agent_error_text(EINVAL, "\"sources\" names \"%s\" twice", s));
				return -1;
			}
		if (!job->ids || !(job->ids[job->nids] = strdup(s))) {
			agent_send(a, ci, agent_error_text(ENOMEM, "out of memory"));
			return -1;
		}
		job->nids++;
	}
	return 0;
}

/* The tree's root: the peer itself unless the request names a pid it may
 * have; held by a pidfd from before the check, so that the worker can tell
 * whether the process checked is still the one the number names. */
static int read_root(struct agent *a, size_t ci, const json_t *pid, struct agent_job *job)
{
	pid_t *root = &job->root;
	const struct agent_conn *c = &a->conns[ci];
	if (!pid && c->peer.pid <= 0) { /* the kernel could not say: another pid namespace */
		agent_send(a, ci, agent_error_text(ESRCH, "the client's pid is not visible to energymond (another pid "
		                                   "namespace?); name \"pid\": 0 for the system's energy alone"));
		return -1;
	}
	if (pid && (!json_is_integer(pid) || json_integer_value(pid) < 0 || json_integer_value(pid) > 4194304)) {
		agent_send(a, ci, agent_error_text(EINVAL, "\"pid\" must be an integer from 0 (no tree) to 4194304"));
		return -1;
	}
	/* the peer's own pid is checked too: it is the number of the process
	 * that connected, which may have exited (a child kept the connection)
	 * and the number gone to another user's process since */
	*root = pid ? (pid_t)json_integer_value(pid) : c->peer.pid;
	char why[256];
	int rc = 0;
	if (*root) {
		int fd = agent_pidfd_open(*root);
		if (fd >= 0) {
			job->pidfd = fd;
			job->has_pidfd = true;
		}
		if (fd < 0 && fd != -ESRCH) { /* ENOENT or EINVAL, as kernels differ */
			snprintf(why, sizeof(why), "pid %d is not a process (a thread's id?); name its process",
			         (int)*root);
			rc = -EINVAL;
		} else
			rc = agent_peer_may_follow(&c->peer, *root, why, sizeof(why));
		if (!rc && (fd < 0 || agent_pidfd_exited(fd))) { /* the status read may have been another's */
			snprintf(why, sizeof(why), "pid %d does not exist", (int)*root);
			rc = -ESRCH;
		}
	}
	if (rc) {
		agent_log("refused a window to pid %d uid %u: %s", (int)c->peer.pid, (unsigned)c->peer.uid, why);
		agent_send(a, ci, agent_error_text(rc, "%s", why));
		return -1;
	}
	return 0;
}

static void begin(struct agent *a, size_t ci, const json_t *req)
{
	static const char *const allowed[] = {"sources", "pid", NULL};
	struct agent_conn *c = &a->conns[ci];
	if (check_members(a, ci, req, "begin", allowed))
		return;
	struct agent_job *job = new_job(a, ci, AGENT_JOB_BEGIN);
	const json_t *list = json_object_get(req, "sources");
	if (!job || (list && read_sources(a, ci, list, job)) || read_root(a, ci, json_object_get(req, "pid"), job))
		goto refused;
	if (c->nwindows >= AGENT_WINDOWS_MAX) {
		agent_send(a, ci, agent_error_text(EMFILE, "this connection has %d windows open, the most one connection "
		                                   "may have", AGENT_WINDOWS_MAX));
		goto refused;
	}
	if (c->peer.uid != 0 && agent_uid_windows(a, c->peer.uid) >= AGENT_WINDOWS_PER_UID) {
		agent_send(a, ci, agent_error_text(EMFILE, "uid %u has %d windows open, the most one uid may have",
		                                   (unsigned)c->peer.uid, AGENT_WINDOWS_PER_UID));
		goto refused;
	}
	if (!a->mon) {
		agent_send(a, ci, agent_error_text(ENOSYS, "energymond measures nothing: %s",
		                                   agent_sources_monitor_error(a->sources)));
		goto refused;
	}
	struct agent_window *slot = c->windows;
	while (slot->id)
		slot++;
	*slot = (struct agent_window){.id = ++a->next_window_id, .root = job->root, .pending = true};
	c->nwindows++;
	job->window_id = slot->id;
	c->busy = true;
	agent_workers_submit(a->workers, job);
	return;
refused:
	agent_job_free(job);
}

static void end(struct agent *a, size_t ci, const json_t *req)
{
	static const char *const allowed[] = {"window", NULL};
	struct agent_conn *c = &a->conns[ci];
	if (check_members(a, ci, req, "end", allowed))
		return;
	const json_t *id = json_object_get(req, "window");
	if (!json_is_integer(id) || json_integer_value(id) < 1) {
		agent_send(a, ci, agent_error_text(EINVAL, "\"window\" must be the positive integer begin answered"));
		return;
	}
	struct agent_window *slot = NULL;
	for (size_t i = 0; i < AGENT_WINDOWS_MAX && !slot; i++)
		if (c->windows[i].id == (uint64_t)json_integer_value(id) && !c->windows[i].pending)
			slot = &c->windows[i];
	if (!slot) { /* another connection's windows are not this one's to see */
		agent_send(a, ci, agent_error_text(ENOENT, "no window %lld is open on this connection",
		                                   (long long)json_integer_value(id)));
		return;
	}
	struct agent_job *job = new_job(a, ci, AGENT_JOB_END);
	if (!job)
		return;
	job->window = slot->w;
	job->window_id = slot->id;
	job->root = slot->root;
	*slot = (struct agent_window){0};
	c->nwindows--;
	c->busy = true;
	agent_workers_submit(a->workers, job);
}

static void status(struct agent *a, size_t ci, const json_t *req)
{
	static const char *const allowed[] = {NULL};
	if (check_members(a, ci, req, "status", allowed))
		return;
	if (!a->mon) {
		agent_status_answer(a, ci, NULL);
		return;
	}
	struct agent_job *job = new_job(a, ci, AGENT_JOB_STATUS);
	if (job) {
		a->conns[ci].busy = true;
		agent_workers_submit(a->workers, job);
	}
}

void agent_request(struct agent *a, size_t ci, const char *body, size_t len)
{
	json_error_t je;
	json_t *req = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	const json_t *v = json_object_get(req, "v"), *op = json_object_get(req, "op");
	const char *name = json_string_value(op);
	if (!req)
		agent_send(a, ci, agent_error_text(EINVAL, "the request is not JSON: %s (byte %d)", je.text, je.position));
	else if (!json_is_object(req))
		agent_send(a, ci, agent_error_text(EINVAL, "the request is not a JSON object"));
	else if (!v)
		agent_send(a, ci, agent_error_text(EINVAL, "the request has no member \"v\" (the protocol version, 1)"));
	else if (!json_is_integer(v))
		agent_send(a, ci, agent_error_text(EINVAL, "\"v\" must be an integer (the protocol version, 1)"));
	else if (json_integer_value(v) != 1)
		agent_send(a, ci, agent_error_text(EPROTONOSUPPORT, "protocol version %lld is not spoken here; "
		                                   "energymond speaks version 1", (long long)json_integer_value(v)));
	else if (!op)
		agent_send(a, ci, agent_error_text(EINVAL, "the request has no member \"op\""));
	else if (!name)
		agent_send(a, ci, agent_error_text(EINVAL, "\"op\" must be a string: hello, begin, end or status"));
	else if (!strcmp(name, "hello") && !check_members(a, ci, req, "hello", (const char *const[]){NULL}))
		hello(a, ci);
	else if (!strcmp(name, "begin"))
		begin(a, ci, req);
	else if (!strcmp(name, "end"))
		end(a, ci, req);
	else if (!strcmp(name, "status"))
		status(a, ci, req);
	else if (strcmp(name, "hello"))
		agent_send(a, ci, agent_error_text(EINVAL, "unknown op \"%.64s\"; energymond knows hello, begin, end "
		                                   "and status", name));
	json_decref(req);
}
