/*
 * ipmi_workarounds.h — FreeIPMI workaround flags by name.
 */
#ifndef IPMI_WORKAROUNDS_H
#define IPMI_WORKAROUNDS_H

#include <stddef.h>

#include "ipmi_config.h"

/* Add the flag called `name` (e.g. "opensesspriv") to every link type's flag
 * set that has it. Returns 0, or -EINVAL with `why` listing the known names. */
int ipmi_workaround_add(struct ipmi_config *cfg, const char *name, char *why, size_t why_len);

#endif
