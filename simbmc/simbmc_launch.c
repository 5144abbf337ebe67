/* simbmc_launch.c — the `simbmc.sh start` command line for a struct simbmc:
 * what simbmc_start() runs first and simbmc_restart() repeats. */
#include <stdio.h>
#include <unistd.h>

#include "simbmc_client.h"
#include "simbmc_run.h"

int simbmc_run_start(struct simbmc *s)
{
	char port[16], cpu[64], owner[16], refresh[32], window[32];
	const char *argv[40];
	int n = 0;

	snprintf(port, sizeof(port), "%d", s->port);
	snprintf(owner, sizeof(owner), "%ld", (long)getpid());
	argv[n++] = "start";
	argv[n++] = "--dir";
	argv[n++] = s->dir;
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--user";
	argv[n++] = s->user;
	argv[n++] = "--password-file";
	argv[n++] = s->password_file;
	/* The BMC goes when this process does, even if it never cleans up. */
	argv[n++] = "--owner-pid";
	argv[n++] = owner;
	if (s->no_realtime_)
		argv[n++] = "--no-realtime";
	if (s->no_sensor_poll_)
		argv[n++] = "--no-sensor-poll";
	if (s->quick_probe_) {
		argv[n++] = "--probe";
		argv[n++] = "port";
	}
	if (s->no_dcmi_) {
		argv[n++] = "--no-dcmi";
	} else {
		argv[n++] = "--module";
		argv[n++] = s->module_;
		if (s->cpu_model_) {
			snprintf(cpu, sizeof(cpu), "%g,%g", s->cpu_idle_w_, s->cpu_peak_w_);
			argv[n++] = "--cpu";
			argv[n++] = cpu;
		} else {
			argv[n++] = "--profile";
			argv[n++] = s->profile;
		}
	}
	/* Only what differs from the defaults, so that with the cpu model
	 * simbmc.sh refuses exactly what the model cannot do. %.3f: the
	 * launcher takes plain decimals, never %g's exponents. */
	if (s->refresh_ms_ != 0) {
		snprintf(refresh, sizeof(refresh), "%.3f", s->refresh_ms_);
		argv[n++] = "--refresh-ms";
		argv[n++] = refresh;
	}
	if (s->window_ms_ != 0) {
		snprintf(window, sizeof(window), "%.3f", s->window_ms_);
		argv[n++] = "--window-ms";
		argv[n++] = window;
	}
	if (s->no_quantise_) {
		argv[n++] = "--quantise";
		argv[n++] = "0";
	}
	if (s->stamp_[0]) {
		argv[n++] = "--stamp";
		argv[n++] = s->stamp_;
	}
	if (s->truth_log[0]) {
		argv[n++] = "--truth-log";
		argv[n++] = s->truth_log;
	}
	argv[n] = NULL;
	return simbmc_run(s->script_, argv, s->dir, s->error, sizeof(s->error));
}
