/*
 * The three requests a client makes (docs/agent-protocol.md): hello, begin
 * and end, and the checks on what the agent answers to each: members of
 * the right type, strings of bounded length, lists of bounded size.
 */
#include "agent.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *name;
	int code;
} errno_names[] = {
	{"EPERM", EPERM}, {"ENOENT", ENOENT}, {"ESRCH", ESRCH}, {"EIO", EIO}, {"E2BIG", E2BIG},
	{"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM}, {"EACCES", EACCES}, {"EBUSY", EBUSY}, {"EEXIST", EEXIST},
	{"ENODEV", ENODEV}, {"EINVAL", EINVAL}, {"EMFILE", EMFILE}, {"ENOSPC", ENOSPC}, {"ENOSYS", ENOSYS},
	{"EPROTO", EPROTO}, {"EOPNOTSUPP", EOPNOTSUPP}, {"EPROTONOSUPPORT", EPROTONOSUPPORT},
	{"ETIMEDOUT", ETIMEDOUT}, {"ECANCELED", ECANCELED}, {"ECONNREFUSED", ECONNREFUSED},
	{"ECHILD", ECHILD}, {"EMSGSIZE", EMSGSIZE}, {"ENOTSUP", ENOTSUP},
};

int em_agent_errno_of(const char *name)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (!strcmp(errno_names[i].name, name))
			return errno_names[i].code;
	return 0;
}

/* A string member of at most len - 1 bytes, no control characters, into
 * out: 0, or -EPROTO. NULL/absent is allowed when `optional`. */
static int copy_string(const json_t *v, bool optional, char *out, size_t len)
{
	out[0] = '\0';
	if (optional && (!v || json_is_null(v)))
		return 0;
	const char *s = json_string_value(v);
	if (!s || json_string_length(v) >= len)
		return -EPROTO;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EPROTO;
	memcpy(out, s, json_string_length(v) + 1);
	return 0;
}

/* A source id as a strategy names it: plugin[:instance], each part of the
 * characters a name may have. */
static bool id_valid(const char *id)
{
	size_t n = strlen(id);
	const char *colon = strchr(id, ':');
	size_t plen = colon ? (size_t)(colon - id) : n;
	if (plen == 0 || !em_instance_name_valid(id, plen))
		return false;
	return !colon || em_instance_name_valid(colon + 1, n - plen - 1);
}

static int read_source(const json_t *o, struct em_agent_source *s)
{
	const json_t *avail = json_object_get(o, "available");
	if (!json_is_object(o) || copy_string(json_object_get(o, "id"), false, s->id, sizeof(s->id)) ||
	    !id_valid(s->id) || !json_is_boolean(avail) ||
	    copy_string(json_object_get(o, "plugin"), true, s->plugin, sizeof(s->plugin)) ||
	    copy_string(json_object_get(o, "instance"), true, s->instance, sizeof(s->instance)))
		return -EPROTO;
	if (copy_string(json_object_get(o, "reason"), true, s->reason, sizeof(s->reason)))
		snprintf(s->reason, sizeof(s->reason), "(the agent's reason was not a printable string)");
	em_utf8_sanitize(s->reason);
	s->available = json_is_true(avail);
	/* plugin and instance are what the id says; the agent's words are not
	 * trusted to differ (file names come from them) */
	const char *colon = strchr(s->id, ':');
	snprintf(s->plugin, sizeof(s->plugin), "%.*s", colon ? (int)(colon - s->id) : (int)strlen(s->id), s->id);
	snprintf(s->instance, sizeof(s->instance), "%s", colon ? colon + 1 : "");
	return 0;
}

static int read_hello(struct em_agent_conn *c, const json_t *a, struct em_error *err)
{
	const json_t *list = json_object_get(a, "sources"), *iv = json_object_get(a, "interval_s");
	if (copy_string(json_object_get(a, "version"), false, c->version, sizeof(c->version)))
		return em_fail(err, -EPROTO, "energymond at %s: hello's \"version\" is not a string of at most %zu "
		               "printable characters", c->path, sizeof(c->version) - 1);
	em_utf8_sanitize(c->version);
	if (!json_is_array(list) || json_array_size(list) > EM_AGENT_SOURCES_MAX)
		return em_fail(err, -EPROTO, "energymond at %s: hello's \"sources\" is not a list of at most %d "
		               "sources", c->path, EM_AGENT_SOURCES_MAX);
	/* the agent's own words, cut to size and made printable */
	const char *why = json_string_value(json_object_get(a, "monitor_error"));
	snprintf(c->monitor_error, sizeof(c->monitor_error), "%s", why ? why : "");
	for (char *p = c->monitor_error; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	em_utf8_sanitize(c->monitor_error);
	c->interval_s = json_is_number(iv) && json_number_value(iv) > 0 ? json_number_value(iv) : NAN;
	free(c->sources);
	c->nsources = 0;
	if (!(c->sources = calloc(json_array_size(list) + 1, sizeof(*c->sources))))
		return em_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(list); i++) {
		struct em_agent_source *s = &c->sources[c->nsources];
		if (read_source(json_array_get(list, i), s))
			return em_fail(err, -EPROTO, "energymond at %s: hello's source %zu is not {\"id\": a source id, "
			               "\"available\": a boolean, \"reason\": ...}", c->path, i);
		for (size_t j = 0; j < c->nsources; j++)
			if (!strcmp(c->sources[j].id, s->id))
				return em_fail(err, -EPROTO, "energymond at %s: hello lists source '%s' twice", c->path,
				               s->id);
		c->nsources++;
	}
	return 0;
}

int em_agent_hello(struct em_agent_conn *c, double timeout_s, struct em_error *err)
{
	int64_t t0 = em_now_ns(CLOCK_MONOTONIC);
	int rc = em_agent_connect(c, timeout_s, err);
	if (rc)
		return rc;
	double left = timeout_s - (double)(em_now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	json_t *req = json_pack("{s:i,s:s}", "v", EM_AGENT_PROTOCOL_VERSION, "op", "hello"), *a = NULL;
	if (!req)
		rc = em_fail(err, -ENOMEM, "out of memory");
	else
		rc = em_agent_call(c, "hello", req, left > 0.001 ? left : 0.001, &a, err);
	if (!rc)
		rc = read_hello(c, a, err);
	json_decref(req);
	json_decref(a);
	if (rc)
		em_agent_disconnect(c);
	return rc;
}

int em_agent_begin(struct em_agent_conn *c, const char *const *ids, size_t n, pid_t pid, struct em_error *err)
{
	json_t *list = json_array(), *a = NULL;
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, json_string(ids[i]));
	json_t *req = list ? json_pack("{s:i,s:s,s:o,s:I}", "v", EM_AGENT_PROTOCOL_VERSION, "op", "begin",
	                               "sources", list, "pid", (json_int_t)pid)
	                   : NULL;
	if (!req)
		return em_fail(err, -ENOMEM, "out of memory");
	int rc = em_agent_call(c, "begin", req, EM_AGENT_BEGIN_TIMEOUT_S, &a, err);
	json_decref(req);
	if (rc)
		return rc;
	const json_t *w = json_object_get(a, "window");
	if (!json_is_integer(w) || json_integer_value(w) < 0)
		rc = em_fail(err, -EPROTO, "energymond at %s: answered 'begin' without a \"window\" number", c->path);
	else {
		c->window = json_integer_value(w);
		c->window_open = true;
	}
	json_decref(a);
	return rc;
}

int em_agent_end(struct em_agent_conn *c, char **state, struct em_error *err)
{
	*state = NULL;
	json_t *req = json_pack("{s:i,s:s,s:I}", "v", EM_AGENT_PROTOCOL_VERSION, "op", "end", "window",
	                        (json_int_t)c->window), *a = NULL;
	if (!req)
		return em_fail(err, -ENOMEM, "out of memory");
	int rc = em_agent_call(c, "end", req, EM_AGENT_END_TIMEOUT_S, &a, err);
	json_decref(req);
	if (rc)
		return rc;
	c->window_open = false;
	const json_t *doc = json_object_get(a, "state");
	if (!json_is_object(doc))
		rc = em_fail(err, -EPROTO, "energymond at %s: answered 'end' without a \"state\" object", c->path);
	else if (!(*state = json_dumps(doc, JSON_COMPACT))) /* 17 digits: doubles exact */
		rc = em_fail(err, -ENOMEM, "out of memory");
	json_decref(a);
	return rc;
}
