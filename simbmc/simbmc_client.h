/*
 * simbmc_client.h — start, drive and stop the simulated BMC from C tests.
 *
 * The BMC is OpenIPMI's ipmi_sim on 127.0.0.1 (IPMI 1.5 and 2.0/lanplus),
 * with the DCMI module simbmc_dcmi.so serving Get Power Reading from a
 * step profile (or a CPU-load model), and nine SDR sensors (see README.md).
 * It is run through simbmc/simbmc.sh, found as
 *   $ENERGYMON_SOURCE_ROOT/simbmc/simbmc.sh   and the module as
 *   $ENERGYMON_BUILD_ROOT/simbmc/simbmc_dcmi.so
 * (both set by meson for tests).
 *
 * LIFECYCLE:
 *   struct simbmc bmc;
 *   simbmc_start(&bmc, &opts)   -> BMC answers on bmc.host, in bmc.dir
 *   simbmc_write_profile / simbmc_set_sensor ... (any time, BMC up or not)
 *   simbmc_kill / simbmc_stop / simbmc_restart (same dir, port, options)
 *   simbmc_cleanup(&bmc)        -> BMC stopped, dir removed; safe to repeat,
 *                                  and safe after a failed simbmc_start
 * If the process that started the BMC exits without cleaning up (a crash,
 * a test timeout), a watcher stops the BMC within ~0.5 s; its directory
 * stays behind in /tmp.
 *
 * CLIENT SIDE (what a test passes to FreeIPMI / libipmimonitoring):
 *   host "127.0.0.1:PORT" (bmc.host), user bmc.user at ADMIN privilege or
 *   "viewer" at USER privilege, password bmc.password, lanplus (IPMI 2.0)
 *   with workaround flag "opensesspriv"
 *   (IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE), or plain
 *   IPMI 1.5 LAN. ipmi_sim accepts DCMI (netfn 0x2C) only at ADMIN privilege;
 *   a USER session gets completion code 0xD4 (insufficient privilege).
 *
 * ERRORS: functions return 0 or a negative errno and then explain in
 * bmc.error (NUL-terminated). Not thread-safe; one struct per BMC.
 */
#ifndef SIMBMC_CLIENT_H
#define SIMBMC_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#define SIMBMC_VIEWER_USER "viewer" /* user 3, USER privilege, same password */

struct simbmc_options {
	int port;             /* 127.0.0.1 UDP port; 0 = pick a free one */
	int no_dcmi;          /* non-zero: no DCMI module (DCMI -> 0xC1) */
	/* Power source of the DCMI module, one of:
	 *  - cpu_model non-zero: cpu_idle_w + (cpu_peak_w - cpu_idle_w) x the
	 *    host's CPU busy fraction over the last ~0.5 s;
	 *  - profile: that file (absolute or relative path), kept as it is;
	 *  - neither: bmc.profile = DIR/profile, created holding a constant
	 *    100 W; replace it with simbmc_write_profile(). */
	const char *profile;
	int cpu_model;
	double cpu_idle_w, cpu_peak_w;
	const char *user;     /* NULL: "admin" (ADMIN privilege) */
	const char *password; /* NULL: a fixed test password; max 20 chars */
	/* Non-zero: leave ipmi_sim at normal priority. By default it runs at
	 * SCHED_FIFO 10 where permitted (root, CAP_SYS_NICE), so a test that
	 * loads the CPU measures energymon, not the simulator's starvation;
	 * benchmarks that run many simulators turn it off. */
	int no_realtime;
	/* Non-zero: the SDR sensors keep the values their files hold at start
	 * and are never polled (simbmc_set_sensor has no effect until a
	 * restart): a fleet of simulators costs no CPU while idle. */
	int no_sensor_poll;
	/* Non-zero: simbmc_start returns as soon as the port is bound, without
	 * the authenticated request (an ipmitool process) that proves the BMC
	 * answers; for starting many simulators, whose clients retry. */
	int quick_probe;
	/* How the BMC serves the profile (README.md, DCMI); with cpu_model
	 * anything but the defaults makes simbmc_start fail. Zero values keep the defaults: a fresh
	 * reading at every request, statistics since the start, integer watts,
	 * stamped with the request time. */
	double refresh_ms;    /* > 0: the reading changes only every refresh_ms */
	double window_ms;     /* > 0: average/min/max over the last window_ms */
	int no_quantise;      /* quantise=0: only in-process users see fractions;
	                         the wire always carries integer watts */
	const char *stamp;    /* NULL (request), "refresh", "request" or "frozen" */
	/* Non-zero: the module appends the profile it serves to bmc.truth_log
	 * (format in README.md), kept across restarts. */
	int truth_log;
};

struct simbmc {
	int port;
	char host[32];        /* "127.0.0.1:PORT" */
	char dir[64];         /* private 0700 directory under /tmp */
	char user[32];
	char password[32];
	char password_file[128]; /* DIR/password, mode 0600 */
	char profile[4096];   /* file the DCMI module reads ("" for cpu model) */
	char truth_log[128];  /* DIR/truth.log with options.truth_log, else "" */
	char error[1024];

	/* Private: what simbmc_restart() repeats. */
	char script_[4096];
	char module_[4096];
	int no_dcmi_;
	int cpu_model_;
	double cpu_idle_w_, cpu_peak_w_;
	int no_realtime_;
	int no_sensor_poll_;
	int quick_probe_;
	double refresh_ms_, window_ms_;
	int no_quantise_;
	char stamp_[16];
};

/* Make a private directory, write the password file, start the BMC and wait
 * (up to ~5 s) until it answers an authenticated IPMI request. With port 0 a
 * free port is chosen (and another one tried if it is taken meanwhile).
 * On failure everything made so far is removed. */
int simbmc_start(struct simbmc *s, const struct simbmc_options *o);

/* Stop the BMC (SIGTERM) and wait until its port is closed. Files stay. */
int simbmc_stop(struct simbmc *s);

/* Kill the BMC with SIGKILL, as a crash would, and wait until its port is
 * closed. Files stay. */
int simbmc_kill(struct simbmc *s);

/* Make the BMC hang, as a wedged BMC does: it stops answering (SIGSTOP;
 * requests queue in its socket, unanswered) but its port stays bound.
 * simbmc_resume() lets it go on (SIGCONT); it then answers what queued up. */
int simbmc_hang(struct simbmc *s);
int simbmc_resume(struct simbmc *s);

/* Start the BMC again on the same port, dir and options (stopping it first
 * if it is running). Profile and sensor values are kept. */
int simbmc_restart(struct simbmc *s);

/* Set an SDR sensor, by its ID string (e.g. "PSU1 Input Power"), to an
 * engineering value; the BMC shows it within one poll period (100 ms),
 * quantised to the sensor's resolution (README.md). -ERANGE if the value
 * cannot be represented, -ENOENT for an unknown name. */
int simbmc_set_sensor(struct simbmc *s, const char *name, double value);

/* Atomically (write + rename) replace the power profile with n >= 1 points
 * (unix seconds, watts; times non-decreasing), written with 17 significant
 * digits so the module serves these very doubles. The module picks it up
 * on the next request. -EINVAL in the cpu model or with bad points. */
int simbmc_write_profile(struct simbmc *s, const double *unix_times,
			 const double *watts, size_t n);

/* Exact energy in joules of the step profile (t, w, n) over
 * [from_unix, to_unix]: the truth a DCMI-integrating plugin should approach.
 * Same step semantics as the module: w[i] holds from t[i] to t[i+1], w[0]
 * before t[0], w[n-1] after t[n-1]. */
double simbmc_profile_energy_j(const double *t, const double *w, size_t n,
			       double from_unix, double to_unix);

/* Watts the profile (t, w, n) gives at unix time `at`, before rounding. */
double simbmc_profile_power_w(const double *t, const double *w, size_t n,
			      double at);

/* Stop the BMC and remove its directory. Safe on a zeroed, failed or
 * already cleaned-up struct. */
void simbmc_cleanup(struct simbmc *s);

/* 0 if a BMC can be started here (environment, ipmi_sim, ipmitool, the
 * built module); else -ENOENT with the reason in why — tests then skip
 * (exit 77) rather than fail. */
int simbmc_available(char *why, size_t why_len);

#endif
