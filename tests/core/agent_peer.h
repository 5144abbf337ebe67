/* A peer that plays energymond on a real Unix socket, faithfully or with
 * hostile answers, for the tests of the library as its client
 * (test_agent_client.c, test_agent_window.c). peer_start() names its
 * socket in ENERGYMON_SOCKET. */
#ifndef AGENT_PEER_H
#define AGENT_PEER_H

#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

enum behaviour {
	SILENT,         /* accepts, reads, never answers */
	HUGE_LENGTH,    /* answers hello with a 100 MB length prefix */
	GARBAGE,        /* answers hello with bytes that are not JSON */
	REFUSE,         /* answers hello ok:false with an errno */
	CLOSE_ON_BEGIN, /* a good hello, begin answered, then hangs up at once */
	CLOSE_ON_END,   /* a good hello and begin; reads end and hangs up */
	BAD_STATE,      /* answers end with a state document nobody can read */
	HANG_END,       /* a good hello and begin; never answers end */
	GOOD_HELLO,     /* a good hello, begin; end answered with a bad state */
	GOOD_STATE,     /* hello lists testpower; end answered with peer.state */
};

struct peer {
	enum behaviour how;
	char dir[64], path[108];
	int listen_fd, stop_pipe[2];
	pthread_t thread;
	json_t *begin; /* the begin request as received */
	json_t *state; /* GOOD_STATE: the document end answers with */
};

struct peer *peer_start(enum behaviour how);
void peer_stop(struct peer *p);

static inline double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* em_monitor_create with `config`, timed; the monitor in *out (or NULL). */
static inline int create(const char *config, pid_t pid, struct em_monitor **out, struct em_error *err, double *took)
{
	struct em_config *cfg = NULL;
	*out = NULL;
	int rc = em_config_load_string(config, &cfg, err);
	double t0 = now_s();
	if (!rc)
		rc = em_monitor_create(cfg, pid, out, err);
	if (took)
		*took = now_s() - t0;
	em_config_free(cfg);
	return rc;
}

static inline json_t *result_of(struct em_monitor *mon)
{
	char *text = em_monitor_result_json(mon);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return j;
}

static inline bool has(const char *text, const char *part)
{
	return text && strstr(text, part) != NULL;
}

#define AUTO_TESTPOWER "{\"energy_agent\": \"auto\", \"lithops\": {\"energy_strategy\": \"testpower\"}}"
#define REQUIRED_FAKE "{\"energy_agent\": \"required\", \"lithops\": {\"energy_strategy\": \"fake\"}}"

static inline void run_briefly(struct em_monitor *mon)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	sleep_s(0.1);
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
}

#endif
