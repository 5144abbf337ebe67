/* What a test does to a running simulated BMC: stop, kill, set values. */
#include "simbmc_client.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "simbmc_run.h"
#include "step_profile.h"

static int port_free(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

int simbmc_stop(struct simbmc *s)
{
	const char *args[] = { "stop", "--dir", s->dir, NULL };

	if (!s->dir[0])
		return 0;
	return simbmc_run(s->script_, args, s->dir, s->error, sizeof(s->error));
}

/* The running ipmi_sim's pid, from DIR/ipmi_sim.pid. */
static int bmc_pid(struct simbmc *s, pid_t *pid)
{
	char path[128];
	long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ipmi_sim.pid", s->dir);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%ld", &v) != 1 || v <= 1) {
		if (f)
			fclose(f);
		snprintf(s->error, sizeof(s->error), "no BMC pid in %s", path);
		return -ESRCH;
	}
	fclose(f);
	*pid = (pid_t)v;
	return 0;
}

static int signal_bmc(struct simbmc *s, int sig, pid_t *pid)
{
	int rc = bmc_pid(s, pid);

	if (rc)
		return rc;
	if (kill(*pid, sig) != 0) {
		rc = -errno;
		snprintf(s->error, sizeof(s->error), "kill -%d %ld: %s", sig, (long)*pid,
			 strerror(-rc));
	}
	return rc;
}

int simbmc_kill(struct simbmc *s)
{
	pid_t pid;
	const struct timespec step = { 0, 10 * 1000 * 1000 };
	int rc = signal_bmc(s, SIGKILL, &pid);

	if (rc)
		return rc;
	/* The BMC is not our child (simbmc.sh detached it), so there is no
	 * waitpid: its port closing is the sign that it is gone. */
	for (int i = 0; i < 500; i++) {
		if (port_free(s->port))
			return 0;
		nanosleep(&step, NULL);
	}
	snprintf(s->error, sizeof(s->error), "port %d still bound 5 s after SIGKILL",
		 s->port);
	return -ETIMEDOUT;
}

/* Through simbmc.sh, which checks the pid is this DIR's ipmi_sim, so the
 * script's hang/resume commands are tested with the client's. */
int simbmc_hang(struct simbmc *s)
{
	const char *args[] = { "hang", "--dir", s->dir, NULL };

	return simbmc_run(s->script_, args, s->dir, s->error, sizeof(s->error));
}

int simbmc_resume(struct simbmc *s)
{
	const char *args[] = { "resume", "--dir", s->dir, NULL };

	return simbmc_run(s->script_, args, s->dir, s->error, sizeof(s->error));
}

int simbmc_set_sensor(struct simbmc *s, const char *name, double value)
{
	char v[64];
	const char *args[] = { "set", "--dir", s->dir, "--sensor", name,
			       "--value", v, NULL };

	if (!isfinite(value)) {
		snprintf(s->error, sizeof(s->error), "sensor value must be finite");
		return -ERANGE;
	}
	snprintf(v, sizeof(v), "%.6f", value);
	return simbmc_run(s->script_, args, s->dir, s->error, sizeof(s->error));
}

int simbmc_write_profile(struct simbmc *s, const double *t, const double *w,
			 size_t n)
{
	char tmp[sizeof(s->profile) + 32];
	FILE *f;
	int rc = 0;

	if (!s->profile[0] || n == 0) {
		snprintf(s->error, sizeof(s->error),
			 n ? "this BMC uses the cpu model, not a profile"
			   : "a profile needs at least one point");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(t[i]) || !isfinite(w[i]) || (i && t[i] < t[i - 1])) {
			snprintf(s->error, sizeof(s->error),
				 "profile point %zu is not finite or goes back in time", i);
			return -EINVAL;
		}
	}
	/* Same directory as the target, so the rename is atomic. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", s->profile, (long)getpid());
	f = fopen(tmp, "we");
	if (!f) {
		rc = -errno;
		snprintf(s->error, sizeof(s->error), "%s: %s", tmp, strerror(-rc));
		return rc;
	}
	/* %.17g reads back to the very same doubles: the module serves
	 * exactly the profile the test integrates as its truth. */
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.17g %.17g\n", t[i], w[i]);
	if (fclose(f) != 0 || rename(tmp, s->profile) != 0) {
		rc = -errno;
		snprintf(s->error, sizeof(s->error), "writing %s: %s", s->profile,
			 strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

double simbmc_profile_energy_j(const double *t, const double *w, size_t n,
			       double from_unix, double to_unix)
{
	return n ? step_profile_energy_j(t, w, n, from_unix, to_unix) : 0.0;
}

double simbmc_profile_power_w(const double *t, const double *w, size_t n,
			      double at)
{
	return n ? step_profile_power_w(t, w, n, at) : NAN;
}
