/*
 * ipmi_password.h — read the BMC password from its one configured source.
 */
#ifndef IPMI_PASSWORD_H
#define IPMI_PASSWORD_H

#include <stddef.h>

#include "energy_plugin.h"
#include "ipmi_config.h"

/* Fill `out` (NUL-terminated, at most out_len - 1 bytes) from ipmi_password_file,
 * ipmi_password_env or ipmi_password, whichever one is set; an empty string
 * when none is. `origin` says which source was used, for messages. Returns 0,
 * or -EINVAL (several sources, too long), -ENOENT / -EACCES (file or variable
 * missing) with `why` naming the source but never the value. `warning` gets
 * what the user should fix but need not (a file others can read), or "":
 * the caller logs it, as the password is read twice (probe() and create())
 * and the user should be told once. */
int ipmi_password_load(const struct energy_host *host, char *out, size_t out_len,
		       char *origin, size_t origin_len, char *warning, size_t warning_len,
		       char *why, size_t why_len);

#endif
