/*
 * bmc_errors.c — FreeIPMI's error numbers turned into a negative errno and
 * a sentence a user can act on, naming the BMC. Kept in one table-like
 * function so every path that talks to the BMC explains failures the same way.
 */
#include "bmc_errors.h"

#include <errno.h>
#include <stdio.h>

int bmc_explain(const struct bmc_session *s, int errnum, const char *what, char *why, size_t why_len,
		int *session_lost)
{
	const struct ipmi_config *cfg = s->cfg;
	const char *t = s->target;
	const char *user = cfg->username[0] ? cfg->username : "(anonymous)";
	*session_lost = 0;
	switch (errnum) {
	case IPMI_ERR_USERNAME_INVALID:
		snprintf(why, why_len, "BMC %s: %s: user \"%s\" is not known to the BMC", t, what, user);
		return -EACCES;
	case IPMI_ERR_PASSWORD_INVALID:
		snprintf(why, why_len, "BMC %s: %s: wrong password for user \"%s\" (password from %s)", t, what,
			 user, cfg->password_origin);
		return -EACCES;
	case IPMI_ERR_K_G_INVALID:
		snprintf(why, why_len, "BMC %s: %s: the BMC requires a K_g key, which this plugin does not send", t,
			 what);
		return -EACCES;
	case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
		snprintf(why, why_len, "BMC %s: %s: user \"%s\" at %s privilege may not do this; raise "
			 "ipmi_privilege or the user's privilege on the BMC", t, what, user, cfg->privilege_name);
		return -EPERM;
	case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
		snprintf(why, why_len, "BMC %s: %s: user \"%s\" cannot get %s privilege (lower ipmi_privilege; "
			 "if the BMC does grant it, try ipmi_workarounds=opensesspriv)", t, what, user,
			 cfg->privilege_name);
		return -EPERM;
	case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
		snprintf(why, why_len, "BMC %s: %s: the BMC offers no authentication type this client accepts "
			 "for user \"%s\"", t, what, user);
		return -EPROTONOSUPPORT;
	case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
		snprintf(why, why_len, "BMC %s: %s: cipher suite %u is not supported by the BMC; set "
			 "ipmi_cipher_suite", t, what, (unsigned)cfg->cipher_suite);
		return -EPROTONOSUPPORT;
	case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
		snprintf(why, why_len, "BMC %s: %s: the BMC does not speak IPMI 2.0; set ipmi_interface=lan", t, what);
		return -EPROTONOSUPPORT;
	case IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT:
	case IPMI_ERR_CONNECTION_TIMEOUT:
	case IPMI_ERR_SESSION_TIMEOUT:
		*session_lost = 1;
		snprintf(why, why_len, "BMC %s: %s: no answer within %g s (BMC down or unreachable, wrong host or "
			 "port, or a firewall; see ipmi_timeout)", t, what, cfg->timeout_s);
		return -ETIMEDOUT;
	case IPMI_ERR_HOSTNAME_INVALID:
		snprintf(why, why_len, "BMC %s: %s: the host name cannot be resolved", t, what);
		return -EHOSTUNREACH;
	case IPMI_ERR_PERMISSION:
		snprintf(why, why_len, "BMC %s: %s: permission denied opening the IPMI device (run as root or "
			 "grant this user read/write on it)", t, what);
		return -EACCES;
	case IPMI_ERR_DEVICE_NOT_FOUND:
	case IPMI_ERR_DEVICE_NOT_SUPPORTED:
		snprintf(why, why_len, "BMC %s: %s: no such IPMI device or driver on this machine", t, what);
		return -ENODEV;
	case IPMI_ERR_DRIVER_TIMEOUT:
	case IPMI_ERR_MESSAGE_TIMEOUT:
		*session_lost = 1;
		snprintf(why, why_len, "BMC %s: %s: the request timed out", t, what);
		return -ETIMEDOUT;
	case IPMI_ERR_BMC_BUSY:
	case IPMI_ERR_DRIVER_BUSY:
		snprintf(why, why_len, "BMC %s: %s: the BMC is busy", t, what);
		return -EBUSY;
	case IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED:
	case IPMI_ERR_COMMAND_INVALID_FOR_SELECTED_INTERFACE:
		snprintf(why, why_len, "BMC %s: %s: the BMC does not support this command", t, what);
		return -EOPNOTSUPP;
	case IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE:
		/* the BMC answered session setup with an error status: not a
		 * network problem, and retrying soon will not change it */
		snprintf(why, why_len, "BMC %s: %s: the BMC refused the session setup (%s)", t, what,
			 s->ctx ? ipmi_ctx_errormsg(s->ctx) : ipmi_ctx_strerror(errnum));
		return -EPROTO;
	case IPMI_ERR_DEVICE_NOT_OPEN:
	case IPMI_ERR_SYSTEM_ERROR:
		*session_lost = 1;
		break;
	default:
		break;
	}
	snprintf(why, why_len, "BMC %s: %s: %s", t, what, s->ctx ? ipmi_ctx_errormsg(s->ctx) : ipmi_ctx_strerror(errnum));
	return -EIO;
}
