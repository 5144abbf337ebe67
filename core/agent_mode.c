/*
 * Who measures a monitor: energymond or this process's plugins (the key
 * energy_agent, else $ENERGYMON_AGENT, else "auto"), decided once at
 * em_monitor_create. Under the agent no plugin is loaded here: the
 * monitor's sources are stand-ins named as the strategy names them, start
 * opens a window and stop closes it (agent_result.c). Under "auto" an agent
 * that does not answer within EM_AGENT_HELLO_TIMEOUT_S leaves the
 * measurement to in-process plugins, and the result says why.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int em_agent_mode_of(const char *name)
{
	if (!name)
		return 0;
	return !strcmp(name, "auto") ? EM_AGENT_AUTO
	       : !strcmp(name, "off") ? EM_AGENT_OFF
	       : !strcmp(name, "required") ? EM_AGENT_REQUIRED
	                                   : 0;
}

int em_agent_settings(const struct em_config *cfg, enum em_agent_mode *mode, char *socket, size_t len,
                      struct em_error *err)
{
	*mode = (enum em_agent_mode)cfg->agent_mode;
	socket[0] = '\0';
	if (*mode == EM_AGENT_UNSET) {
		const char *env = getenv("ENERGYMON_AGENT");
		*mode = env && *env ? (enum em_agent_mode)em_agent_mode_of(env) : EM_AGENT_AUTO;
		if (!*mode)
			return em_fail(err, -EINVAL, "ENERGYMON_AGENT: '%.40s' is not a mode; expected auto, off or "
			               "required (the configuration's energy_agent overrides it)", env);
	}
	if (*mode == EM_AGENT_OFF)
		return 0;
	const char *path = getenv("ENERGYMON_SOCKET");
	if (!path || !*path)
		path = EM_AGENT_DEFAULT_SOCKET;
	if (path[0] != '/')
		return em_fail(err, -EINVAL, "ENERGYMON_SOCKET: '%.200s' is not an absolute path; energymond's socket "
		               "is named from / (default " EM_AGENT_DEFAULT_SOCKET ")", path);
	if (strlen(path) >= len)
		return em_fail(err, -ENAMETOOLONG, "ENERGYMON_SOCKET: '%.200s' is longer than a socket path may be "
		               "(%zu bytes)", path, len - 1);
	snprintf(socket, len, "%s", path);
	return 0;
}

static const struct em_agent_source *agent_source(const struct em_agent_conn *c, const char *id)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (!strcmp(c->sources[i].id, id))
			return &c->sources[i];
	return NULL;
}

/* "ipmi:rack1": plugin "ipmi", instance "rack1", files tagged "ipmi-rack1"
 * (as source.c names an in-process source). */
static void set_identity(struct em_source *src, const char *id)
{
	snprintf(src->name, sizeof(src->name), "%s", id);
	const char *colon = strchr(id, ':');
	snprintf(src->plugin, sizeof(src->plugin), "%.*s", colon ? (int)(colon - id) : (int)strlen(id), id);
	snprintf(src->instance_name, sizeof(src->instance_name), "%s", colon ? colon + 1 : "");
	snprintf(src->file_tag, sizeof(src->file_tag), "%s%s%s", src->plugin, colon ? "-" : "", src->instance_name);
}

static void list_ids(const struct em_agent_conn *c, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < c->nsources; i++) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", used ? ", " : "", c->sources[i].id);
	}
	if (!out[0])
		snprintf(out, len, "none");
}

/* One stand-in per source the strategy names ("auto": every source the
 * agent has), available as the agent says; an id the agent lacks is an
 * error naming it and the agent's sources, or under
 * energy_allow_unavailable a placeholder that says so. */
static int make_standins(struct em_monitor *mon, const struct em_agent_conn *c, struct em_error *err)
{
	const struct em_config *cfg = mon->cfg;
	size_t n = cfg->strategy_auto ? c->nsources : cfg->nstrategy;
	char theirs[400], missing[400] = "";
	list_ids(c, theirs, sizeof(theirs));
	if (n == 0)
		return em_fail(err, -ENODEV, "energymond at %s has no sources%s%s", c->path,
		               c->monitor_error[0] ? ": " : "", c->monitor_error);
	if (!(mon->sources = calloc(n, sizeof(*mon->sources))))
		return em_fail(err, -ENOMEM, "out of memory");
	size_t usable = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = cfg->strategy_auto ? c->sources[i].id : cfg->strategy[i];
		const struct em_agent_source *as = agent_source(c, id);
		struct em_source *src = em_source_new(mon);
		if (!src)
			return em_fail(err, -ENOMEM, "out of memory");
		mon->sources[mon->nsources++] = src;
		set_identity(src, id);
		src->available = as && as->available;
		usable += src->available;
		if (!as) {
			size_t used = strlen(missing);
			snprintf(missing + used, sizeof(missing) - used, "%s'%s'", used ? ", " : "", id);
			snprintf(src->reason, sizeof(src->reason), "energymond at %s has no source '%s' (its sources: %s)",
			         c->path, id, theirs);
		} else if (!as->available) {
			snprintf(src->reason, sizeof(src->reason), "energymond at %s: %s", c->path,
			         as->reason[0] ? as->reason : "the agent says it cannot run, without a reason");
			if (!cfg->strategy_auto && !cfg->allow_unavailable)
				return em_fail(err, -ENODEV, "source '%s' cannot run in %s", id, src->reason);
		}
	}
	if (missing[0] && !cfg->allow_unavailable)
		return em_fail(err, -ENOENT, "lithops.energy_strategy: energymond at %s has no source %s; its sources: "
		               "%s (name them, or 'auto' for all)", c->path, missing, theirs);
	int rc = em_check_file_tags(mon->sources, mon->nsources, err);
	if (!rc && !usable && !cfg->allow_unavailable)
		rc = em_fail(err, -ENODEV, "no energy source can run in energymond at %s: %s: %s", c->path,
		             mon->sources[0]->name, mon->sources[0]->reason);
	return rc;
}

int em_agent_create(struct em_monitor *mon, struct em_error *err)
{
	enum em_agent_mode mode;
	char path[sizeof(((struct em_agent_conn *)0)->path)];
	int rc = em_agent_settings(mon->cfg, &mode, path, sizeof(path), err);
	/* energymond's own monitors are continuous: they measure in-process */
	if (rc || mode == EM_AGENT_OFF || mon->continuous)
		return rc;
	struct em_agent_conn *c = em_agent_conn_new(path, &mon->abandon);
	if (!c)
		return em_fail(err, -ENOMEM, "out of memory");
	mon->agent = c; /* the monitor's from now: em_monitor_destroy frees it */
	struct em_error local = {0};
	if ((rc = em_agent_hello(c, EM_AGENT_HELLO_TIMEOUT_S, &local))) {
		if (mode == EM_AGENT_REQUIRED)
			return em_fail(err, rc, "energy_agent is \"required\": %s", local.message);
		if (rc == -ENOENT) { /* no agent on this machine: nothing to explain */
			em_agent_conn_free(c);
			mon->agent = NULL;
			return 0;
		}
		snprintf(c->not_used, sizeof(c->not_used), "%s; measured by in-process plugins instead", local.message);
		return 0;
	}
	if (!(mon->agent_socket = strdup(path)))
		return em_fail(err, -ENOMEM, "out of memory");
	rc = make_standins(mon, c, err);
	return rc ? rc : 1;
}

/* The sources the agent measures for this monitor: those it has. */
static size_t asked_ids(const struct em_monitor *mon, const char **ids)
{
	size_t n = 0;
	for (size_t i = 0; i < mon->nsources; i++)
		if (agent_source(mon->agent, mon->sources[i]->name))
			ids[n++] = mon->sources[i]->name;
	return n;
}

int em_agent_start(struct em_monitor *mon, struct em_error *err)
{
	mon->start_mono = em_now_ns(CLOCK_MONOTONIC);
	mon->start_wall = em_now_ns(CLOCK_REALTIME);
	const char **ids = calloc(mon->nsources + 1, sizeof(*ids));
	if (!ids)
		return em_fail(err, -ENOMEM, "out of memory");
	size_t n = asked_ids(mon, ids);
	struct em_error local = {0};
	int rc = n ? em_agent_begin(mon->agent, ids, n, mon->target_pid, &local) : 0;
	free(ids);
	if (rc) {
		em_agent_disconnect(mon->agent);
		if (!mon->cfg->allow_unavailable)
			return em_fail(err, rc, "%s", local.message);
		/* as a plugin that cannot start: a placeholder with the reason */
		char why[ENERGY_REASON_MAX];
		snprintf(why, sizeof(why), "%.400s: nothing was measured", local.message);
		em_agent_fail_sources(mon, why);
	}
	mon->started = true;
	return 0;
}
