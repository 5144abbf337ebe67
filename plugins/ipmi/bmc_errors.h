/*
 * bmc_errors.h — explain a FreeIPMI failure as a negative errno plus words.
 */
#ifndef BMC_ERRORS_H
#define BMC_ERRORS_H

#include <stddef.h>

#include "bmc_session.h"

/* Map ipmi_ctx_errnum() value `errnum` for the request described by `what`
 * (e.g. "opening a session") to a negative errno and a message in `why`
 * naming the BMC. *session_lost is set when the session cannot be used
 * again and must be reopened. */
int bmc_explain(const struct bmc_session *s, int errnum, const char *what, char *why, size_t why_len,
		int *session_lost);

#endif
