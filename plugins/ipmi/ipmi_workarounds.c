/*
 * ipmi_workarounds.c — FreeIPMI's workaround flags by the names its tools
 * use (ipmi-sensors -W ...), so users can copy what works there. Each link
 * type has its own flag space: the same name may set different bits.
 */
#include "ipmi_workarounds.h"

#include <errno.h>
#include <freeipmi/freeipmi.h>
#include <stdio.h>
#include <strings.h>

struct name_flag {
	const char *name;
	unsigned int flag;
};

static const struct name_flag lanplus_workarounds[] = {
	{"authcap", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_AUTHENTICATION_CAPABILITIES},
	{"intel20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_INTEL_2_0_SESSION},
	{"supermicro20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUPERMICRO_2_0_SESSION},
	{"sun20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUN_2_0_SESSION},
	{"opensesspriv", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE},
	{"integritycheckvalue", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NON_EMPTY_INTEGRITY_CHECK_VALUE},
	{"nochecksumcheck", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NO_CHECKSUM_CHECK},
	{NULL, 0}
};

static const struct name_flag lan_workarounds[] = {
	{"authcap", IPMI_WORKAROUND_FLAGS_OUTOFBAND_AUTHENTICATION_CAPABILITIES},
	{"idzero", IPMI_WORKAROUND_FLAGS_OUTOFBAND_ACCEPT_SESSION_ID_ZERO},
	{"forcepermsg", IPMI_WORKAROUND_FLAGS_OUTOFBAND_FORCE_PERMSG_AUTHENTICATION},
	{"unexpectedauth", IPMI_WORKAROUND_FLAGS_OUTOFBAND_CHECK_UNEXPECTED_AUTHCODE},
	{"endianseq", IPMI_WORKAROUND_FLAGS_OUTOFBAND_BIG_ENDIAN_SEQUENCE_NUMBER},
	{"noauthcodecheck", IPMI_WORKAROUND_FLAGS_OUTOFBAND_NO_AUTH_CODE_CHECK},
	{"nochecksumcheck", IPMI_WORKAROUND_FLAGS_OUTOFBAND_NO_CHECKSUM_CHECK},
	{NULL, 0}
};

static const struct name_flag inband_workarounds[] = {
	{"assumeio", IPMI_WORKAROUND_FLAGS_INBAND_ASSUME_IO_BASE_ADDRESS},
	{"spinpoll", IPMI_WORKAROUND_FLAGS_INBAND_SPIN_POLL},
	{NULL, 0}
};

static int lookup_flag(const struct name_flag *table, const char *name, unsigned int *flags)
{
	for (; table->name; table++)
		if (strcasecmp(table->name, name) == 0) {
			*flags |= table->flag;
			return 1;
		}
	return 0;
}

int ipmi_workaround_add(struct ipmi_config *cfg, const char *name, char *why, size_t why_len)
{
	int known = lookup_flag(lanplus_workarounds, name, &cfg->workarounds_lanplus);
	known |= lookup_flag(lan_workarounds, name, &cfg->workarounds_lan);
	known |= lookup_flag(inband_workarounds, name, &cfg->workarounds_inband);
	if (known)
		return 0;
	snprintf(why, why_len, "ipmi_workarounds: unknown flag \"%s\" (known: authcap, intel20, supermicro20, sun20, "
		 "opensesspriv, integritycheckvalue, nochecksumcheck, idzero, forcepermsg, unexpectedauth, "
		 "endianseq, noauthcodecheck, assumeio, spinpoll)", name);
	return -EINVAL;
}
