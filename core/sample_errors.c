/* Failed samples sorted by why they failed, for per-target error counters. */
#include "energymon.h"

#include <errno.h>
#include <stddef.h>

const char *em_sample_error_kind_name(int kind)
{
	static const char *const names[EM_SAMPLE_ERROR_KINDS] = {
		"timeout", "auth", "connection", "protocol", "unsupported", "other",
	};
	if (kind < 0 || kind >= EM_SAMPLE_ERROR_KINDS)
		return NULL;
	return names[kind];
}

int em_sample_error_kind_of(int rc)
{
	switch (-rc) {
	case ETIMEDOUT: case EAGAIN: case EINPROGRESS:
		return EM_SAMPLE_ERROR_TIMEOUT;
	case EACCES: case EPERM: case EKEYREJECTED:
		return EM_SAMPLE_ERROR_AUTH;
	case ECONNREFUSED: case EHOSTUNREACH: case ENETUNREACH: case ECONNRESET:
	case ENOTCONN: case EPIPE: case EIO:
		return EM_SAMPLE_ERROR_CONNECTION;
	case EPROTO: case EBADMSG: case ERANGE:
		return EM_SAMPLE_ERROR_PROTOCOL;
	case EOPNOTSUPP: case ENOSYS: case ENODEV: case ENOENT:
		return EM_SAMPLE_ERROR_UNSUPPORTED;
	default:
		return EM_SAMPLE_ERROR_OTHER;
	}
}
