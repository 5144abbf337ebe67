#include "simbmc_client.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "simbmc_run.h"
#include "step_profile.h"

#define DEFAULT_PASSWORD "simbmc-Test-42"

static int fail(struct simbmc *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	return rc;
}

static int paths(char *script, size_t slen, char *module, size_t mlen,
		 char *why, size_t why_len)
{
	const char *src = getenv("ENERGYMON_SOURCE_ROOT");
	const char *build = getenv("ENERGYMON_BUILD_ROOT");

	if (!src || !build) {
		snprintf(why, why_len, "ENERGYMON_SOURCE_ROOT and ENERGYMON_BUILD_ROOT "
			 "must name the source and build trees (meson test sets them)");
		return -ENOENT;
	}
	if ((size_t)snprintf(script, slen, "%s/simbmc/simbmc.sh", src) >= slen ||
	    (size_t)snprintf(module, mlen, "%s/simbmc/simbmc_dcmi.so", build) >= mlen) {
		snprintf(why, why_len, "source or build path too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && n + strlen(prog) + 2 <= sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		path += n + (path[n] == ':');
	}
	return 0;
}

int simbmc_available(char *why, size_t why_len)
{
	char script[PATH_MAX], module[PATH_MAX];
	static const char *const progs[] = { "ipmi_sim", "sdrcomp", "ipmitool", "bash" };
	int rc = paths(script, sizeof(script), module, sizeof(module), why, why_len);

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (!on_path(progs[i])) {
			snprintf(why, why_len, "%s is not installed (Debian: openipmi, ipmitool)",
				 progs[i]);
			return -ENOENT;
		}
	}
	if (access(script, R_OK) != 0 || access(module, R_OK) != 0) {
		snprintf(why, why_len, "%s or %s is missing (module not built?)",
			 script, module);
		return -ENOENT;
	}
	return 0;
}

/* Ask the kernel for a free port: bind to port 0 and read back the choice.
 * The port is released before ipmi_sim binds it; start retries on a race. */
static int free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), port = -errno;

	if (fd < 0)
		return port;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	else
		port = -errno;
	close(fd);
	return port;
}

static int write_file(const char *path, mode_t mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -EIO;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int simbmc_start(struct simbmc *s, const struct simbmc_options *o)
{
	static const struct simbmc_options defaults = { 0 };
	int rc;

	memset(s, 0, sizeof(*s));
	if (!o)
		o = &defaults;
	rc = paths(s->script_, sizeof(s->script_), s->module_, sizeof(s->module_),
		   s->error, sizeof(s->error));
	if (rc)
		return rc;
	snprintf(s->user, sizeof(s->user), "%s", o->user ? o->user : "admin");
	if (snprintf(s->password, sizeof(s->password), "%s",
		     o->password ? o->password : DEFAULT_PASSWORD) > 20)
		return fail(s, -EINVAL, "IPMI passwords are at most 20 characters");
	s->no_dcmi_ = o->no_dcmi;
	s->cpu_model_ = o->cpu_model;
	s->cpu_idle_w_ = o->cpu_idle_w;
	s->cpu_peak_w_ = o->cpu_peak_w;
	s->no_realtime_ = o->no_realtime;
	s->no_sensor_poll_ = o->no_sensor_poll;
	s->quick_probe_ = o->quick_probe;
	s->refresh_ms_ = o->refresh_ms;
	s->window_ms_ = o->window_ms;
	s->no_quantise_ = o->no_quantise;
	if (snprintf(s->stamp_, sizeof(s->stamp_), "%s", o->stamp ? o->stamp : "") >=
	    (int)sizeof(s->stamp_))
		return fail(s, -EINVAL, "stamp must be refresh, request or frozen");

	strcpy(s->dir, "/tmp/simbmc-XXXXXX");
	if (!mkdtemp(s->dir)) {
		rc = -errno;
		s->dir[0] = '\0';
		return fail(s, rc, "mkdtemp /tmp/simbmc-XXXXXX: %s", strerror(-rc));
	}
	snprintf(s->password_file, sizeof(s->password_file), "%s/password", s->dir);
	if (o->truth_log)
		snprintf(s->truth_log, sizeof(s->truth_log), "%s/truth.log", s->dir);
	char line[40];
	snprintf(line, sizeof(line), "%s\n", s->password);
	rc = write_file(s->password_file, 0600, line);
	if (rc) {
		fail(s, rc, "writing %s: %s", s->password_file, strerror(-rc));
		goto out;
	}
	if (!o->cpu_model) {
		if (o->profile) {
			if (snprintf(s->profile, sizeof(s->profile), "%s", o->profile) >=
			    (int)sizeof(s->profile)) {
				rc = fail(s, -ENAMETOOLONG, "profile path too long");
				goto out;
			}
		} else {
			snprintf(s->profile, sizeof(s->profile), "%s/profile", s->dir);
			rc = write_file(s->profile, 0644, "0 100\n");
			if (rc) {
				fail(s, rc, "writing %s: %s", s->profile, strerror(-rc));
				goto out;
			}
		}
	}

	for (int attempt = 0; attempt < 3; attempt++) {
		s->port = o->port ? o->port : free_udp_port();
		if (s->port < 0) {
			rc = fail(s, s->port, "no free UDP port: %s", strerror(-s->port));
			goto out;
		}
		snprintf(s->host, sizeof(s->host), "127.0.0.1:%d", s->port);
		rc = simbmc_run_start(s);
		/* Only a port we picked ourselves may have been taken meanwhile. */
		if (rc == 0 || o->port || !strstr(s->error, "already in use"))
			break;
	}
out:
	if (rc)
		simbmc_cleanup(s);
	return rc;
}

int simbmc_restart(struct simbmc *s)
{
	if (!s->dir[0])
		return fail(s, -EINVAL, "simbmc_restart: BMC was never started");
	return simbmc_run_start(s);
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -errno;
}

void simbmc_cleanup(struct simbmc *s)
{
	char saved[sizeof(s->error)];

	if (!s->dir[0])
		return;
	/* Keep the first error: it explains why the test is cleaning up. */
	memcpy(saved, s->error, sizeof(saved));
	simbmc_stop(s);
	memcpy(s->error, saved, sizeof(saved));
	/* FTW_PHYS: never follow a link out of the directory being removed. */
	nftw(s->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	s->dir[0] = '\0';
}
