/*
 * test_agent_clients.h — what test_agent_clients.c and test_agent_kill.c
 * share: the running parts (simulated BMC with its power profile, the
 * agent), the clients' description, and the readers of their results.
 */
#ifndef TEST_AGENT_CLIENTS_H
#define TEST_AGENT_CLIENTS_H

#include "integration_fixture.h"
#include "test_agent_fixture.h"

#include <stdbool.h>
#include <sys/types.h>

#define CLIENTS 16
#define VICTIM 15             /* the client SIGKILLed mid-window */
#define UID_A ((uid_t)65534)  /* nobody */
#define UID_B ((uid_t)65533)  /* another unprivileged uid, no passwd entry needed */
#define ENERGY_TOLERANCE 0.03 /* the window's system energy vs the profile's integral */
#define PROFILE_MAX 8192

/* The BMC's power: a triangle between 100 and 300 W in whole-watt steps
 * every 50 ms (what DCMI can report exactly), so every window sees the
 * power move and a wrong span shows. */
struct agent_test_env {
	struct simbmc bmc;
	char sdr_dir[128];
	struct agent agent;
	double profile_t[PROFILE_MAX], profile_w[PROFILE_MAX];
	size_t profile_n;
};
extern struct agent_test_env env;

struct client_spec {
	int index;
	uid_t uid;
	bool own_root;  /* the tree is the client itself (else a worker child it forks) */
	double burn_s;  /* CPU seconds the tree burns, split between two processes */
	bool victim;    /* burns until killed */
};

/* main()'s start: root, eBPF usable when `plugins` names it, the BMC up
 * with the profile, energymond serving `plugins` ("ipmi,ebpf") every 0.1 s.
 * 0, or main's exit status: 77 saying why, 1 on failure. */
int agent_test_setup(struct agent_test_env *e, const char *plugins);
void agent_test_teardown(struct agent_test_env *e);

/* The configuration a client loads: the agent required, `strategy` (JSON). */
void agent_client_config(char *buf, size_t len, const char *strategy);

/* In a forked child: be client `spec`, report on `report` ("R" once the
 * window is open or the client gave up, then one JSON document), start
 * burning when `go` reads EOF, end the window once its tree is done and
 * `may_end` reads EOF. Never returns. */
_Noreturn void client_main(const struct client_spec *spec, int report, int go, int may_end);

/* Burn `seconds` of this thread's CPU time. */
void burn_cpu(double seconds);
/* Read `go` until EOF (the parent closed it). */
void wait_go(int go);

/* The agent's status op: how many windows are open and how many distinct
 * trees it follows. 0, or -1 when the status cannot be read (printed). */
int agent_status(const struct agent *a, long *windows, long *roots);

/* The tree's CPU time in a result: the composite's cpu_time, else the
 * ebpf source's; NAN without either. */
double tree_cpu_time(const json_t *res);

void test_other_uids_pid_is_refused(void);
void test_hostile_requests(void);

#endif
