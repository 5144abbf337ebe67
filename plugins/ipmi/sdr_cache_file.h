/*
 * sdr_cache_file.h — locate and open a BMC's SDR cache, rebuilding it when stale.
 */
#ifndef SDR_CACHE_FILE_H
#define SDR_CACHE_FILE_H

#include <freeipmi/freeipmi.h>
#include <stddef.h>

#include "bmc_session.h"

/* The cache file for this BMC in `dir`, created 0700 if missing and refused
 * when others can write it. With dir "" a private temporary directory is
 * made and 1 returned: the caller removes the file and the directory after
 * use. Returns 0, 1, or a negative errno with `why`. */
int sdr_cache_path(char *out, size_t len, const char *dir, const struct bmc_session *s, char *why, size_t why_len);

/* Open `file` in `sdr`, validated against the BMC over the open session;
 * (re)build it from the BMC when missing, corrupt or out of date.
 * *from_cache says which happened. Returns 0 or a negative errno. */
int sdr_cache_open_fresh(ipmi_sdr_ctx_t sdr, struct bmc_session *s, const char *file, int *from_cache,
			 char *why, size_t why_len);

#endif
