/*
 * simbmc_run.h — run simbmc.sh from C and turn its outcome into an errno.
 */
#ifndef SIMBMC_RUN_H
#define SIMBMC_RUN_H

#include <stddef.h>

/* Exit codes of simbmc.sh besides 0 (success), 1 (error) and 2 (usage). */
#define SIMBMC_EXIT_RANGE 3   /* sensor value not representable */
#define SIMBMC_EXIT_NO_SENSOR 4

/* Run `bash script args...` (args NULL-terminated) with stdout and stderr
 * captured in dir/simbmc.out. Returns 0 on exit status 0; otherwise the
 * captured text goes to err and the result is -ERANGE, -ENOENT (codes above)
 * or -EIO. */
int simbmc_run(const char *script, const char *const *args, const char *dir,
	       char *err, size_t err_len);

struct simbmc;

/* `simbmc.sh start` with s's dir, port and options (simbmc_launch.c);
 * 0 or as simbmc_run(), the reason in s->error. */
int simbmc_run_start(struct simbmc *s);

#endif
