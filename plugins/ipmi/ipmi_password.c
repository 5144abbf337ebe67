/*
 * ipmi_password.c — where the BMC password comes from: a file, an
 * environment variable, or (for compatibility with the seed's configs) the
 * configuration itself. Exactly one source may be given, so that nobody
 * wonders which one won. The value never leaves this struct except into
 * FreeIPMI's session setup. It is read here, in probe() and create(), and
 * never again (reconnects use the copy): the measured command starts later
 * and need not, and should not, inherit ipmi_password_env's variable.
 */
#include "ipmi_password.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void strip_line_end(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static int from_file(const char *path, char *out, size_t out_len, char *warning, size_t warning_len,
		     char *why, size_t why_len)
{
	/* O_NONBLOCK: a FIFO planted as the file must not hang the open */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int err = errno;
		snprintf(why, why_len, "ipmi_password_file %s: cannot open: %s", path, strerror(err));
		/* the key names a file that is not there (or not ours to read):
		 * a configuration error, reported before anything runs */
		return err == ENOENT || err == ENOTDIR || err == EACCES || err == ELOOP ? -EINVAL : -err;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, why_len, "ipmi_password_file %s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		snprintf(warning, warning_len, "ipmi_password_file %s is readable by other users (mode %03o); "
			 "chmod 600 it", path, (unsigned)(st.st_mode & 0777));
	/* Read one byte more than fits so an over-long password is refused, not cut. */
	char buf[IPMI_PASSWORD_MAX + 2] = {0};
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0) {
		snprintf(why, why_len, "ipmi_password_file %s: cannot read: %s", path, strerror(err));
		return -err;
	}
	buf[n] = '\0';
	strip_line_end(buf);
	int rc = 0;
	if (!buf[0]) {
		/* an empty file is a mistake far more often than a BMC without a
		 * password, which is said by giving no password key at all */
		snprintf(why, why_len, "ipmi_password_file %s is empty; for a BMC user without a password, "
			 "leave out every ipmi_password key", path);
		rc = -EINVAL;
	} else if (strlen(buf) >= out_len) {
		snprintf(why, why_len, "ipmi_password_file %s: the password is longer than IPMI allows (%zu bytes)",
			 path, out_len - 1);
		rc = -EINVAL;
	} else {
		memcpy(out, buf, strlen(buf) + 1);
	}
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int from_env(const char *name, char *out, size_t out_len, char *why, size_t why_len)
{
	const char *value = getenv(name);
	if (!value) {
		snprintf(why, why_len, "ipmi_password_env: environment variable %s is not set", name);
		return -EINVAL; /* a configuration error, like a missing password file */
	}
	if (strlen(value) >= out_len) {
		snprintf(why, why_len, "ipmi_password_env: the password in %s is longer than IPMI allows (%zu bytes)",
			 name, out_len - 1);
		return -EINVAL;
	}
	memcpy(out, value, strlen(value) + 1);
	return 0;
}

int ipmi_password_load(const struct energy_host *host, char *out, size_t out_len,
		       char *origin, size_t origin_len, char *warning, size_t warning_len,
		       char *why, size_t why_len)
{
	warning[0] = '\0';
	out[0] = '\0';
	const char *inline_pw, *file, *env;
	int rc = ipmi_config_get_string(host, "ipmi_password", NULL, &inline_pw, why, why_len);
	if (!rc)
		rc = ipmi_config_get_string(host, "ipmi_password_file", NULL, &file, why, why_len);
	if (!rc)
		rc = ipmi_config_get_string(host, "ipmi_password_env", NULL, &env, why, why_len);
	if (rc)
		return rc;
	int given = !!inline_pw + !!file + !!env;
	snprintf(origin, origin_len, "no password");
	if (given > 1) {
		snprintf(why, why_len, "give the BMC password in only one of ipmi_password_file, "
			 "ipmi_password_env and ipmi_password");
		return -EINVAL;
	}
	if (file) {
		snprintf(origin, origin_len, "ipmi_password_file %s", file);
		return from_file(file, out, out_len, warning, warning_len, why, why_len);
	}
	if (env) {
		snprintf(origin, origin_len, "ipmi_password_env %s", env);
		return from_env(env, out, out_len, why, why_len);
	}
	if (inline_pw) {
		snprintf(origin, origin_len, "ipmi_password");
		if (strlen(inline_pw) >= out_len) {
			snprintf(why, why_len, "ipmi_password is longer than IPMI allows (%zu bytes)", out_len - 1);
			return -EINVAL;
		}
		memcpy(out, inline_pw, strlen(inline_pw) + 1);
	}
	return 0;
}
