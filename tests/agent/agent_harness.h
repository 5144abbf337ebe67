/* Running a real energymond from a test and talking to it over its socket. */
#ifndef AGENT_HARNESS_H
#define AGENT_HARNESS_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct agentd {
	pid_t pid;
	int status;            /* shell-style, after agentd_wait */
	char dir[PATH_MAX];    /* a fresh 0755 directory for this daemon */
	char socket[PATH_MAX]; /* dir/run/energymond.sock: run/ is made by energymond */
	char err_path[PATH_MAX];
};

/* argv[1] is the energymond binary. */
int agent_harness_init(int argc, char **argv);
const char *agent_binary(void);
/* A fresh dir and paths; nothing started. */
void agentd_prepare(struct agentd *d);
/* Start energymond --socket d->socket with extra args (NULL-terminated);
 * stderr to d->err_path. Returns true once the socket answers, false if it
 * exited first or did not answer within 20 s. */
bool agentd_start(struct agentd *d, const char *const *args);
/* Spawn only (for daemons meant to fail). */
void agentd_spawn(struct agentd *d, const char *const *args);
/* Wait up to `seconds` for it to exit; true and d->status when it did. */
bool agentd_wait(struct agentd *d, double seconds);
/* SIGTERM and wait (SIGKILL after 20 s). */
void agentd_stop(struct agentd *d);
/* The suites' shared energymond (testpower sampled every 50 ms), as CUnit
 * suite init and cleanup: 0 or -1. The cleanup fails unless it exited 0
 * (under ASan: without a leak). */
extern const char *const agentd_testpower[];
int agentd_suite_start(struct agentd *shared);
int agentd_suite_stop(struct agentd *shared);
/* Its stderr so far into buf. */
void agentd_log(const struct agentd *d, char *buf, size_t len);

/* A blocking client connection with 15 s receive/send timeouts; -1 on failure. */
int agent_connect(const char *socket_path);
int agent_send_frame(int fd, const void *body, size_t len);
int agent_send_text(int fd, const char *json_text);
/* The next answer, parsed; NULL on EOF, timeout or garbage. */
json_t *agent_read(int fd);
/* Send and read; NULL as above. */
json_t *agent_ask(int fd, const char *json_text);
/* answer.errno as a string, "" when ok or absent */
const char *agent_errno(const json_t *answer);
bool agent_ok(const json_t *answer);
/* True when the peer closed the connection (EOF) within `seconds`. */
bool agent_closed_within(int fd, double seconds);
double agent_mono_s(void);
void agent_sleep_s(double s);

#endif
