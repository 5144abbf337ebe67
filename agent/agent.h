/* What energymond's files share (docs/agent-protocol.md is the contract). */
#ifndef ENERGYMOND_AGENT_H
#define ENERGYMOND_AGENT_H

#include "energymon.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define AGENT_REQUEST_MAX 65536u              /* EM_AGENT_REQUEST_MAX */
#define AGENT_RESPONSE_MAX (64u * 1024 * 1024) /* EM_AGENT_RESPONSE_MAX */
#define AGENT_CONNECTIONS_MAX 1024
#define AGENT_WINDOWS_MAX 64                  /* per connection */
/* per uid but root's: one user must not take every connection (or, with
 * many trees, the ebpf roots map) from the others */
#define AGENT_CONNECTIONS_PER_UID 256
#define AGENT_WINDOWS_PER_UID 256
#define AGENT_REQUEST_TIME_NS (5 * 1000000000LL)
#define AGENT_WRITE_TIME_NS (10 * 1000000000LL)
#define AGENT_WORKERS 4
#define AGENT_DEFAULT_SOCKET "/run/energymon/energymond.sock"
#define AGENT_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(16))

/* log.c: one line to stderr, "energymond: " first, control bytes as '?' */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t agent_now_ns(void); /* CLOCK_MONOTONIC */

/* crash_log.c: name the crashing plugin thread on stderr, then die of the signal */
int agent_crash_log_install(void);
int agent_crash_log_thread_stack(void); /* an alternate signal stack for the calling thread */
void agent_crash_log_thread_done(void);  /* ... given up before the thread ends */

/* listen_socket.c */
struct agent_socket {
	int fd;              /* listening, non-blocking, close-on-exec */
	int dir_fd;          /* the socket's directory, opened without following a symlink */
	char name[108];      /* the socket's name in it */
	char path[PATH_MAX]; /* as given, for messages */
	dev_t dev;
	ino_t ino;           /* the file bound, so that only it is unlinked */
};
int agent_socket_open(const char *path, struct agent_socket *s, char *why, size_t len);
void agent_socket_close(struct agent_socket *s); /* close; unlink it if it is still ours */

/* peer.c: who is at the other end, and may it name that pid */
struct agent_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool member;  /* in energymond's --group at connect (gid or supplementary) */
};
/* The peer as the kernel saw it at connect: credentials, and its groups
 * (SO_PEERGROUPS) against `group` when group_set. */
int agent_peer_of(int fd, bool group_set, gid_t group, struct agent_peer *p);
/* 0 when `peer` may have the tree of `pid` followed; -EPERM or -ESRCH with
 * the reason in why. Members of --group (peer->member) may name any pid. */
/* pidfd_open(pid): the fd, -ESRCH, or another -errno (ENOENT, EINVAL)
 * when pid is a thread's id, not a process's (a window's root is a process) */
int agent_pidfd_open(pid_t pid);
bool agent_pidfd_exited(int pidfd); /* the process it holds has exited */
int agent_peer_may_follow(const struct agent_peer *peer, pid_t pid, char *why,
                          size_t len);

/* sources.c: the monitor's sources as clients see them (hello, status) */
struct agent_sources;
/* Learns the sources with one window over all of them; mon NULL: none,
 * `why` says why (kept). Never fails but for memory (NULL). */
struct agent_sources *agent_sources_new(struct em_monitor *mon, int code, const char *why);
json_t *agent_sources_hello(const struct agent_sources *s); /* array, new reference */
double agent_sources_interval(const struct agent_sources *s); /* seconds, NAN when unknown */
const char *agent_sources_monitor_error(const struct agent_sources *s); /* NULL when running */
int agent_sources_monitor_errno(const struct agent_sources *s); /* its negative errno; 0 when running */
/* Per-source sampling counts (blocks while the sources sample: workers only). */
json_t *agent_sources_status(struct agent_sources *s);
void agent_sources_free(struct agent_sources *s); /* before the monitor is destroyed */

/* One client's open window. */
struct agent_window {
	uint64_t id;        /* 0: a free slot */
	pid_t root;         /* 0: no tree */
	struct em_window *w;
	bool pending;       /* its begin is still running on a worker */
};

/* One connection (server.c owns it; requests.c reads its peer and windows). */
struct agent_conn {
	int fd;             /* -1: a free slot */
	uint64_t gen;       /* which use of the slot; a job names it */
	struct agent_peer peer;
	unsigned char *in;
	size_t in_len, in_cap;
	int64_t request_since; /* first byte of the request being read; 0: none */
	char *out;
	size_t out_len, out_off;
	int64_t write_since;   /* an answer waits to be read since; 0: none */
	bool busy;             /* a request of it runs on a worker */
	bool close_after_write;
	bool broken;           /* a send failed: closed once the event is handled */
	bool eof;              /* the client shut its side: answer what it asked, then close */
	uint32_t events;       /* what epoll watches for it now */
	struct agent_window windows[AGENT_WINDOWS_MAX];
	size_t nwindows;
};

/* workers.c: library calls that may wait for samples, off the loop */
enum agent_job_kind { AGENT_JOB_BEGIN, AGENT_JOB_END, AGENT_JOB_FREE, AGENT_JOB_STATUS };
struct agent_job {
	struct agent_job *next;
	enum agent_job_kind kind;
	size_t conn;         /* slot and generation of the connection that asked */
	uint64_t gen;
	uid_t uid;           /* its client's: workers are shared fairly between uids */
	uint64_t window_id;
	pid_t root;
	bool has_pidfd;      /* begin of a tree: pidfd holds the root, as checked */
	int pidfd;
	char **ids;          /* begin's sources; NULL: all */
	size_t nids;
	struct em_window *window; /* begin: made; end, free: consumed */
	int rc;              /* 0 or a negative errno */
	char error[1024];
	char *text;          /* end: the state document; status: the sources' JSON */
	int64_t started;
};
struct agent_workers;
struct agent_workers *agent_workers_start(size_t n, struct em_monitor *mon, struct agent_sources *sources);
int agent_workers_fd(const struct agent_workers *w); /* readable when jobs are done */
void agent_workers_submit(struct agent_workers *w, struct agent_job *job);
struct agent_job *agent_workers_done(struct agent_workers *w); /* the finished jobs, as a list */
void agent_workers_stop(struct agent_workers *w); /* runs what is queued, then joins */
void agent_job_free(struct agent_job *job);

/* requests.c */
struct agent {
	struct em_monitor *mon;          /* NULL: the library could not make one (see sources) */
	struct agent_sources *sources;
	struct agent_workers *workers;
	struct agent_conn conns[AGENT_CONNECTIONS_MAX];
	size_t nconns;
	uint64_t next_window_id;
	bool group_set;
	gid_t group;
};
/* One whole request frame: answer it (agent_send) or hand it to a worker. */
void agent_request(struct agent *a, size_t ci, const char *body, size_t len);
/* A worker's job is done: answer its connection, or clean up after it. */
void agent_request_done(struct agent *a, struct agent_job *job);
/* The text of an error answer: {"v":1,"ok":false,"errno":...,"error":...} */
char *agent_error_text(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* {"v":1,"ok":true} added to o, sent, o released */
void agent_answer(struct agent *a, size_t ci, json_t *o);
/* "monitor_error" and "monitor_errno" when energymond measures nothing */
void agent_add_monitor_error(const struct agent *a, json_t *o);
/* status.c: status's answer: the counts now and the sources' (taken; NULL: none) */
void agent_status_answer(struct agent *a, size_t ci, json_t *sources);
/* The connections, and the windows open (or opening) on them, of one uid. */
size_t agent_uid_connections(const struct agent *a, uid_t uid);
size_t agent_uid_windows(const struct agent *a, uid_t uid);
/* The windows of a connection that goes away, freed on a worker. */
void agent_free_windows(struct agent *a, struct agent_conn *c);

/* connection.c */
#define AGENT_IN_CAP (4 + AGENT_REQUEST_MAX) /* a connection's read buffer */
void agent_conn_input(struct agent *a, size_t ci);  /* answer the whole requests buffered */
void agent_conn_flush(struct agent *a, size_t ci);  /* write what it can; c->broken on error */
/* Close it and free its windows (on workers); `why` logged when not NULL. */
void agent_conn_close(struct agent *a, size_t ci, const char *why);
void agent_send(struct agent *a, size_t ci, char *text); /* frames and queues text, takes it */
void agent_send_and_close(struct agent *a, size_t ci, char *text);
/* server.c: the loop until SIGTERM/SIGINT; 0, or -errno when it could not run. */
int agent_serve(struct agent *a, struct agent_socket *sock, int signal_fd);

#endif
