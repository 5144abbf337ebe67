/*
 * dcmi_module.c — an ipmi_sim module that makes the simulated BMC answer
 * DCMI (IPMI group extension 0xDC) power requests with a known truth.
 *
 * Loaded from lan.conf:  loadlib "/abs/simbmc_dcmi.so" "profile=/abs/file[,...]"
 *                    or  loadlib "/abs/simbmc_dcmi.so" "cpu=IDLE_W,PEAK_W"
 * (the options are in module_options.h). A profile is served the way a real
 * BMC would (bmc_model.h: refresh period, statistics window, integer watts,
 * time stamps) and, with truth=, logged as served (truth_log.h).
 *
 * ipmi_sim runs every handler and timer on one thread, so the state below
 * needs no locking. It lives in one allocation whose pointer is registered
 * with ipmi_sim as the handler's data: nothing here is global.
 */
#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <OpenIPMI/serv.h>
#include <OpenIPMI/mcserv.h>

#include "bmc_model.h"
#include "cpu_load.h"
#include "dcmi_wire.h"
#include "module_options.h"
#include "profile_file.h"
#include "truth_log.h"

#define SIMBMC_EXPORT __attribute__((visibility("default")))

struct dcmi_sim {
	sys_data_t *sys;
	struct module_options opt;
	double start_unix;          /* statistics begin when the BMC starts */
	struct profile_file profile;
	char last_error[512];       /* logged once, not at every request */
	int truth_fd;               /* -1: no truth log */
	unsigned long truth_generation; /* profile version last logged */
	int truth_failed;           /* a write failed: said once, not per request */
	/* cpu model */
	struct cpu_load cpu;
	double fraction;            /* last known busy fraction */
	ipmi_timer_t *timer;
	double cpu_min_w, cpu_max_w, cpu_sum_w;
	unsigned long cpu_samples;
};

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_power_w(struct dcmi_sim *d)
{
	double f;

	if (cpu_load_fraction(&d->cpu, 0.5, &f) == 0)
		d->fraction = f;
	return d->opt.idle_w + (d->opt.peak_w - d->opt.idle_w) * d->fraction;
}

static const struct timeval cpu_tick = { 0, 100000 };

/* Every 100 ms: one /proc/stat sample for the window, one point for the
 * min/max/average statistics (so they do not depend on how often clients
 * ask). */
static void cpu_timer(void *cb_data)
{
	struct dcmi_sim *d = cb_data;
	struct timeval tv = cpu_tick;

	if (cpu_load_tick(&d->cpu) == 0) {
		double w = cpu_power_w(d);
		if (d->cpu_samples == 0 || w < d->cpu_min_w)
			d->cpu_min_w = w;
		if (d->cpu_samples == 0 || w > d->cpu_max_w)
			d->cpu_max_w = w;
		d->cpu_sum_w += w;
		d->cpu_samples++;
	}
	d->sys->start_timer(d->timer, &tv);
}

/* A new profile version goes to the truth log before any answer is served
 * from it. */
static void log_truth(struct dcmi_sim *d, double now)
{
	struct profile_file *p = &d->profile;
	int rc;

	if (d->truth_fd < 0 || p->n == 0 || p->generation == d->truth_generation)
		return;
	d->truth_generation = p->generation;
	rc = truth_log_profile(d->truth_fd, now, p->t, p->w, p->n);
	if (rc && !d->truth_failed)
		d->sys->log(d->sys, OS_ERROR, NULL, "simbmc_dcmi: writing the truth log %s: %s",
			    d->opt.truth, strerror(-rc));
	d->truth_failed = rc != 0;
}

/* Fill the reading for now; returns 0, or an IPMI completion code. */
static uint8_t current_reading(struct dcmi_sim *d, struct dcmi_power_reading *r)
{
	double now = now_unix();

	r->timestamp = (uint32_t)now;
	r->period_ms = (uint32_t)fmin((now - d->start_unix) * 1000.0,
				      (double)UINT32_MAX);
	if (d->opt.source == MODULE_SOURCE_PROFILE) {
		char why[512];
		struct profile_file *p = &d->profile;
		struct bmc_answer a;

		if (profile_file_refresh(p, why, sizeof(why)) == 0) {
			d->last_error[0] = '\0';
		} else if (strcmp(why, d->last_error) != 0) {
			d->sys->log(d->sys, OS_ERROR, NULL, "simbmc_dcmi: %s%s", why,
				    p->n ? " (serving the previous version)" : "");
			snprintf(d->last_error, sizeof(d->last_error), "%s", why);
		}
		if (p->n == 0)
			return DCMI_CC_NOT_IN_PRESENT_STATE;
		log_truth(d, now);
		bmc_model_answer(&d->opt.behaviour, p->t, p->w, p->n, d->start_unix, now, &a);
		r->current_w = a.current_w;
		r->min_w = a.min_w;
		r->max_w = a.max_w;
		r->avg_w = a.avg_w;
		r->timestamp = a.timestamp;
		r->period_ms = a.period_ms;
	} else {
		r->current_w = cpu_power_w(d);
		/* The reading itself belongs to the period too. */
		r->min_w = d->cpu_samples ? fmin(d->cpu_min_w, r->current_w) : r->current_w;
		r->max_w = d->cpu_samples ? fmax(d->cpu_max_w, r->current_w) : r->current_w;
		r->avg_w = d->cpu_samples ? d->cpu_sum_w / (double)d->cpu_samples
					  : r->current_w;
	}
	return 0;
}

static void handle_dcmi(lmc_data_t *mc, msg_t *msg, unsigned char *rdata,
			unsigned int *rdata_len, void *cb_data)
{
	struct dcmi_sim *d = cb_data;
	struct dcmi_power_reading r = { 0 };
	uint8_t cc;

	switch (msg->cmd) {
	case DCMI_CMD_GET_CAPABILITY_INFO:
		*rdata_len = dcmi_encode_capability_info(msg->data, msg->len, rdata);
		return;
	case DCMI_CMD_GET_POWER_READING:
		cc = dcmi_check_power_reading_request(msg->data, msg->len);
		if (cc == 0)
			cc = current_reading(d, &r);
		*rdata_len = dcmi_encode_power_reading(cc, &r, rdata);
		return;
	default:
		handle_invalid_cmd(mc, rdata, rdata_len);
		return;
	}
}

/* The profile source's set-up: the truth log opened and headed, and the
 * profile read once, so the log holds the truth even before any request.
 * A profile that is not there yet is no error: requests get 0xD5 until it
 * is (and say why then). */
static int setup_profile(struct dcmi_sim *d)
{
	char why[512];
	int rc = profile_file_init(&d->profile, d->opt.profile);

	if (rc)
		return rc;
	if (d->opt.truth[0]) {
		d->truth_fd = truth_log_open(d->opt.truth);
		if (d->truth_fd < 0) {
			rc = d->truth_fd;
			d->sys->log(d->sys, SETUP_ERROR, NULL, "simbmc_dcmi: cannot open the truth log %s: %s",
				    d->opt.truth, strerror(-rc));
			return rc;
		}
		rc = truth_log_header(d->truth_fd, d->start_unix, &d->opt.behaviour);
		if (rc) {
			d->sys->log(d->sys, SETUP_ERROR, NULL, "simbmc_dcmi: writing the truth log %s: %s",
				    d->opt.truth, strerror(-rc));
			close(d->truth_fd);
			return rc;
		}
	}
	if (profile_file_refresh(&d->profile, why, sizeof(why)) == 0)
		log_truth(d, d->start_unix);
	return 0;
}

SIMBMC_EXPORT int ipmi_sim_module_print_version(sys_data_t *sys, char *initstr)
{
	(void)sys;
	(void)initstr;
	printf("energymon simulated BMC DCMI module (simbmc_dcmi)\n");
	return 0;
}

SIMBMC_EXPORT int ipmi_sim_module_init(sys_data_t *sys, const char *options)
{
	struct dcmi_sim *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return ENOMEM;
	d->sys = sys;
	d->start_unix = now_unix();
	d->truth_fd = -1;
	char why[1024];
	rc = module_options_parse(options ? options : "", &d->opt, why, sizeof(why));
	if (rc) {
		sys->log(sys, SETUP_ERROR, NULL, "simbmc_dcmi: %s", why);
		free(d);
		return -rc;
	}
	if (d->opt.source == MODULE_SOURCE_PROFILE) {
		rc = setup_profile(d);
		if (rc) {
			free(d);
			return -rc;
		}
	} else {
		struct timeval tv = cpu_tick;

		cpu_load_init(&d->cpu, NULL);
		rc = sys->alloc_timer(sys, cpu_timer, d, &d->timer);
		if (rc) {
			free(d);
			return rc;
		}
		rc = cpu_load_tick(&d->cpu);
		if (rc)
			sys->log(sys, OS_ERROR, NULL,
				 "simbmc_dcmi: cannot read /proc/stat (%s): the cpu "
				 "model will report idle power", strerror(-rc));
		sys->start_timer(d->timer, &tv);
	}
	/* The state must outlive the module's registration, i.e. the process:
	 * ipmi_sim has no module unload hook. */
	ipmi_emu_register_group_extension_handler(DCMI_GROUP_EXTENSION,
						  handle_dcmi, d);
	return 0;
}
