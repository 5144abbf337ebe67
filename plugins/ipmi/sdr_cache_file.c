/*
 * sdr_cache_file.c — where a BMC's SDR cache lives, and opening it so that a
 * stale one is never used. Reading a real BMC's SDR takes seconds to tens of
 * seconds, so it is cached across runs; FreeIPMI stamps each cache with the
 * BMC's "most recent addition/erase" SDR repository timestamps, and opening
 * it with the live session compares them, so a BMC whose sensors changed (or
 * a different BMC now answering on the same host:port with different SDRs)
 * gets a fresh read.
 */
#include "sdr_cache_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmc_errors.h"

static int mkdir_private(const char *path)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A cache others can write could feed the plugin a crafted SDR. */
static int check_private(const char *dir, char *why, size_t why_len)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, why_len, "ipmi_sdr_cache_dir %s: not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, why_len, "ipmi_sdr_cache_dir %s is writable by other users or owned by another "
			 "user (mode %03o); use a private directory (mode 700)", dir, (unsigned)(st.st_mode & 0777));
		return -EACCES;
	}
	return 0;
}

int sdr_cache_path(char *out, size_t len, const char *dir, const struct bmc_session *s, char *why, size_t why_len)
{
	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(out, len, "%s/energymon-sdr-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
		if (!mkdtemp(out)) {
			int err = errno;
			snprintf(why, why_len, "cannot create a temporary SDR cache directory %s: %s", out, strerror(err));
			return -err;
		}
		strncat(out, "/sdr", len - strlen(out) - 1);
		return 1;
	}
	int rc = mkdir_private(dir);
	if (rc) {
		snprintf(why, why_len, "ipmi_sdr_cache_dir %s: cannot create it: %s", dir, strerror(-rc));
		return rc;
	}
	rc = check_private(dir, why, why_len);
	if (rc)
		return rc;
	char key[IPMI_HOST_MAX];
	const char *host = ipmi_link_is_remote(s->cfg->link) ? s->cfg->host : "localhost-inband";
	size_t i = 0;
	for (; host[i] && i < sizeof(key) - 1; i++)
		key[i] = (isalnum((unsigned char)host[i]) || host[i] == '.' || host[i] == '-') ? host[i] : '_';
	key[i] = '\0';
	snprintf(out, len, "%s/%s.sdr", dir, key);
	return 0;
}

static int sdr_fail(ipmi_sdr_ctx_t sdr, struct bmc_session *s, const char *what, const char *file,
		    char *why, size_t why_len)
{
	int err = ipmi_sdr_ctx_errnum(sdr);
	if (err == IPMI_SDR_ERR_IPMI_ERROR)
		return bmc_session_fail(s, what, why, why_len);
	snprintf(why, why_len, "BMC %s: %s (cache %s): %s", s->target, what, file, ipmi_sdr_ctx_errormsg(sdr));
	if (err == IPMI_SDR_ERR_PERMISSION)
		return -EACCES;
	return -EIO;
}

int sdr_cache_open_fresh(ipmi_sdr_ctx_t sdr, struct bmc_session *s, const char *file, int *from_cache,
			 char *why, size_t why_len)
{
	*from_cache = 1;
	if (ipmi_sdr_cache_open(sdr, s->ctx, file) == 0)
		return 0;
	int err = ipmi_sdr_ctx_errnum(sdr);
	if (err != IPMI_SDR_ERR_CACHE_READ_CACHE_DOES_NOT_EXIST && err != IPMI_SDR_ERR_CACHE_INVALID &&
	    err != IPMI_SDR_ERR_CACHE_OUT_OF_DATE)
		return sdr_fail(sdr, s, "checking the SDR cache", file, why, why_len);
	*from_cache = 0;
	ipmi_sdr_cache_close(sdr);
	if (ipmi_sdr_cache_create(sdr, s->ctx, file, IPMI_SDR_CACHE_CREATE_FLAGS_OVERWRITE, NULL, NULL) < 0)
		return sdr_fail(sdr, s, "reading the SDR repository", file, why, why_len);
	if (ipmi_sdr_cache_open(sdr, s->ctx, file) < 0)
		return sdr_fail(sdr, s, "opening the new SDR cache", file, why, why_len);
	return 0;
}
