/*
 * sim_case.h — one uncertainty case in simulated time: a random power
 * profile and BMC behaviour from a seed, sampled through the simulated
 * BMC's response logic (simbmc/bmc_model.c), the ipmi plugin's cadence
 * detector (plugins/ipmi/dcmi_cadence.c) and the host's series and bound
 * code (core/), on a clock the test advances. No sleeping: the same code
 * a real run executes, minus the sockets.
 */
#ifndef SIM_CASE_H
#define SIM_CASE_H

#include <stddef.h>
#include <stdint.h>

#define SIM_PROFILE_MAX 8192

struct sim_case {
	uint64_t seed;
	/* the profile: t[i] (unix s), w[i] (W), a step profile (step_profile.h) */
	double t[SIM_PROFILE_MAX], w[SIM_PROFILE_MAX];
	size_t n;
	double start, duration;  /* the BMC starts at start; sampling covers duration */
	double refresh_s, window_s, interval_s;
	int average;             /* the plugin reads DCMI's average (window_s > 0) */
	double ceiling_w;        /* ipmi_max_power_w given to the plugin, 0: none */
	/* results */
	double first, last;      /* sample times of the first and last reading */
	double truth_j, estimate_j, low_j, high_j, half_j, burst_j, integration_j, resolution_j;
	uint64_t readings;
	double last_lag_s;       /* the last reading's lag_s */
	int lookahead;           /* emulate the plugin's wait at stop for one more refresh */
};

/* Fill the profile and behaviour from c->seed. */
void sim_case_generate(struct sim_case *c);

/* Sample it; fills the results. 0, or -1 on allocation failure. */
int sim_case_run(struct sim_case *c);

/* A small deterministic generator (splitmix64): the cases are the same on
 * every machine and every run. */
double sim_uniform(uint64_t *state, double lo, double hi);

#endif
