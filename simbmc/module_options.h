/*
 * module_options.h — the option string ipmi_sim hands the DCMI module, from
 * lan.conf:  loadlib "/abs/simbmc_dcmi.so" "OPTIONS"
 *
 *   profile=PATH[,refresh_ms=P][,window_ms=W][,quantise=0|1]
 *               [,stamp=refresh|request|frozen][,truth=/abs/path]
 *   cpu=IDLE_W,PEAK_W
 *
 * Parsed apart from the module (no ipmi_sim types) so a test checks every
 * error without starting a BMC. The CPU model takes no extras: it has no
 * recorded timeline to refresh, window or log (README.md, DCMI).
 */
#ifndef SIMBMC_MODULE_OPTIONS_H
#define SIMBMC_MODULE_OPTIONS_H

#include <stddef.h>

#include "bmc_model.h"

enum module_source { MODULE_SOURCE_PROFILE, MODULE_SOURCE_CPU };

struct module_options {
	enum module_source source;
	char profile[4096];             /* profile source: the file */
	double idle_w, peak_w;          /* cpu source */
	struct bmc_behaviour behaviour; /* defaults: what the module always did */
	char truth[4096];               /* "" or the absolute path of the truth log */
};

/* Fill o from s. Returns 0, or -EINVAL / -ENAMETOOLONG with the reason
 * (naming the offending option) in why. */
int module_options_parse(const char *s, struct module_options *o, char *why, size_t why_len);

#endif
