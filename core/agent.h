/*
 * The library's side of energymond (docs/agent-protocol.md): the client
 * (agent_client.c) that speaks the protocol, and the monitor hooks
 * (agent_mode.c) that decide whether the agent or in-process plugins
 * measure, and turn a window's answer into the monitor's result.
 */
#ifndef ENERGYMON_AGENT_H
#define ENERGYMON_AGENT_H

#include "internal.h"

#include <stdatomic.h>
#include <sys/un.h>

/* energy_agent: how em_monitor_create chooses (struct em_config.agent_mode) */
enum em_agent_mode {
	EM_AGENT_UNSET = 0, /* not in the document: ENERGYMON_AGENT, else auto */
	EM_AGENT_AUTO,
	EM_AGENT_OFF,
	EM_AGENT_REQUIRED,
};

#define EM_AGENT_DEFAULT_SOCKET "/run/energymon/energymond.sock"
#define EM_AGENT_PROTOCOL_VERSION 1
#define EM_AGENT_REQUEST_MAX 65536
#define EM_AGENT_RESPONSE_MAX (64 * 1024 * 1024)
/* connect + hello: auto falls back to in-process plugins after this */
#define EM_AGENT_HELLO_TIMEOUT_S 1.0
#define EM_AGENT_BEGIN_TIMEOUT_S 10.0
/* the agent waits up to EM_WINDOW_SAMPLE_WAIT_S per source's sample */
#define EM_AGENT_END_TIMEOUT_S 30.0
/* more sources than any agent has: a longer list is hostile. An agent
 * watching a fleet holds ~1000 BMCs (issue 12); the same cap as a state
 * document's sources. */
#define EM_AGENT_SOURCES_MAX 4096

/* One source as hello lists it. */
struct em_agent_source {
	char id[ENERGY_NAME_MAX];
	char plugin[ENERGY_NAME_MAX];
	char instance[ENERGY_NAME_MAX];
	bool available;
	char reason[ENERGY_REASON_MAX];
};

/* One connection to the agent and what its hello said. It lives as long as
 * the monitor (mon->agent): after the socket is closed it still says which
 * agent measured, or why none was used. */
struct em_agent_conn {
	pthread_mutex_t lock; /* guards fd against close while abandon shuts it down */
	int fd;               /* -1 once closed */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char version[64];     /* hello's "version" */
	double interval_s;    /* hello's "interval_s", NAN when absent */
	struct em_agent_source *sources;
	size_t nsources;
	bool window_open;
	int64_t window;
	const _Atomic bool *give_up; /* the monitor's abandon flag */
	char not_used[ENERGY_REASON_MAX]; /* auto: why the agent was not used, "" when none */
	char monitor_error[300]; /* hello's "monitor_error": why the agent measures nothing, "" when none */
};

/* ---- agent_client.c: the socket and its frames ---- */
EM_INTERNAL struct em_agent_conn *em_agent_conn_new(const char *path, const _Atomic bool *give_up);
EM_INTERNAL void em_agent_conn_free(struct em_agent_conn *c);
/* Close the socket (the agent frees the window); safe from another thread. */
EM_INTERNAL void em_agent_disconnect(struct em_agent_conn *c);
/* em_monitor_abandon: shut the connection down at once (a call waiting on
 * it returns -ECANCELED); safe from any thread while the monitor lives. */
EM_INTERNAL void em_agent_shutdown(struct em_agent_conn *c);
/* Connect within timeout_s: 0, or -ENOENT, -ECONNREFUSED, -ETIMEDOUT, ...
 * with err naming the socket. */
EM_INTERNAL int em_agent_connect(struct em_agent_conn *c, double timeout_s, struct em_error *err);
/* One request and its answer (an object with "v":1 and a boolean "ok";
 * ok:false becomes its errno and error text), within timeout_s. */
EM_INTERNAL int em_agent_call(struct em_agent_conn *c, const char *op, json_t *request, double timeout_s,
                              json_t **answer, struct em_error *err);

/* ---- agent_requests.c: hello, begin, end ---- */
/* Connect and say hello within timeout_s: 0, or -ENOENT (no socket),
 * -ECONNREFUSED (nobody listens), -ETIMEDOUT, -EPROTO (an answer that is
 * not the protocol), ...; err names the socket. */
EM_INTERNAL int em_agent_hello(struct em_agent_conn *c, double timeout_s, struct em_error *err);
/* Open a window over ids (n of them) for the tree of pid (0: none). */
EM_INTERNAL int em_agent_begin(struct em_agent_conn *c, const char *const *ids, size_t n, pid_t pid,
                               struct em_error *err);
/* Close the window: *state is the answer's state document (caller frees). */
EM_INTERNAL int em_agent_end(struct em_agent_conn *c, char **state, struct em_error *err);
/* The errno a symbolic name ("EPERM") stands for, or 0. */
EM_INTERNAL int em_agent_errno_of(const char *name);

/* ---- agent_mode.c: the monitor's hooks ---- */
/* "auto", "off", "required" (NULL: none of them) as enum em_agent_mode, or 0. */
EM_INTERNAL int em_agent_mode_of(const char *name);
/* The mode and socket the configuration and environment give: 0, or
 * -EINVAL naming the key or variable at fault. */
EM_INTERNAL int em_agent_settings(const struct em_config *cfg, enum em_agent_mode *mode, char *socket,
                                  size_t len, struct em_error *err);
/* At em_monitor_create: 1 when the agent measures (mon->sources are its
 * stand-ins), 0 for in-process, or a negative errno. */
EM_INTERNAL int em_agent_create(struct em_monitor *mon, struct em_error *err);
EM_INTERNAL int em_agent_start(struct em_monitor *mon, struct em_error *err);

/* ---- agent_result.c ---- */
/* Close the window; the result is the agent's, or placeholders saying why. */
EM_INTERNAL int em_agent_stop(struct em_monitor *mon, struct em_error *err);
/* Every source the agent was asked for becomes a placeholder with `why`. */
EM_INTERNAL void em_agent_fail_sources(struct em_monitor *mon, const char *why);

#endif
