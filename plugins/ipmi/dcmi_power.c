/*
 * dcmi_power.c — DCMI Get Power Reading (DCMI 1.5 section 6.6.1) as one raw
 * request: no fiid objects to allocate per sample, which keeps a sample's
 * client cost near the cost of the round trip itself.
 */
#include "dcmi_power.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "ipmi_clock.h"

#define NETFN_DCMI 0x2C             /* group extension request */
#define DCMI_GROUP_ID 0xDC
#define CMD_GET_POWER_READING 0x02
#define MODE_SYSTEM_POWER_STATISTICS 0x01
#define STATE_MEASUREMENT_ACTIVE 0x40

/* Response bytes as FreeIPMI returns them: command, completion code, then data. */
enum {
	RS_CMD = 0,
	RS_COMP_CODE = 1,
	RS_GROUP_ID = 2,
	RS_CURRENT_W = 3, /* 16 bit, LSB first, as are the next three */
	RS_MIN_W = 5,
	RS_MAX_W = 7,
	RS_AVG_W = 9,
	RS_TIMESTAMP = 11, /* 32 bit, LSB first, as is the period */
	RS_PERIOD_MS = 15,
	RS_STATE = 19,
	RS_LEN = 20
};

static double le16(const uint8_t *p)
{
	return (double)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int dcmi_power_read(struct bmc_session *s, struct dcmi_answer *out, char *why, size_t why_len)
{
	const uint8_t rq[] = {CMD_GET_POWER_READING, DCMI_GROUP_ID, MODE_SYSTEM_POWER_STATISTICS, 0x00, 0x00};
	uint8_t rs[64];
	struct ipmi_stamp begin = ipmi_stamp_begin();
	int n = ipmi_cmd_raw(s->ctx, 0, NETFN_DCMI, rq, sizeof(rq), rs, sizeof(rs));
	struct ipmi_stamp when = ipmi_stamp_midpoint(begin);
	if (n < 0)
		return bmc_session_fail(s, "DCMI Get Power Reading", why, why_len);
	bmc_session_used(s);
	if (n < 2) {
		snprintf(why, why_len, "BMC %s: DCMI Get Power Reading: short response (%d bytes)", s->target, n);
		return -EPROTO;
	}
	uint8_t cc = rs[RS_COMP_CODE];
	if (cc == 0xC1 || cc == 0xC9 || cc == 0xCC || cc == 0xD5) {
		/* invalid command, parameter out of range, invalid data field,
		 * parameter not supported: this BMC has no DCMI power reading */
		snprintf(why, why_len, "BMC %s: no DCMI power reading (completion code 0x%02X)", s->target, cc);
		return -EOPNOTSUPP;
	}
	if (cc == 0xD4) {
		snprintf(why, why_len, "BMC %s: user \"%s\" at %s privilege may not read DCMI power (completion "
			 "code 0xD4, insufficient privilege); raise ipmi_privilege or the user's privilege on the BMC",
			 s->target, s->cfg->username[0] ? s->cfg->username : "(anonymous)", s->cfg->privilege_name);
		return -EPERM;
	}
	if (cc != 0) {
		snprintf(why, why_len, "BMC %s: DCMI Get Power Reading failed with completion code 0x%02X",
			 s->target, cc);
		return -EIO;
	}
	if (n < RS_LEN || rs[RS_GROUP_ID] != DCMI_GROUP_ID) {
		snprintf(why, why_len, "BMC %s: DCMI Get Power Reading: malformed response (%d bytes)", s->target, n);
		return -EPROTO;
	}
	if (!(rs[RS_STATE] & STATE_MEASUREMENT_ACTIVE)) {
		snprintf(why, why_len, "BMC %s: DCMI power measurement is not active on this BMC", s->target);
		return -ENODATA;
	}
	out->current_w = le16(rs + RS_CURRENT_W);
	out->min_w = le16(rs + RS_MIN_W);
	out->max_w = le16(rs + RS_MAX_W);
	out->avg_w = le16(rs + RS_AVG_W);
	out->timestamp = le32(rs + RS_TIMESTAMP);
	out->period_ms = le32(rs + RS_PERIOD_MS);
	out->mono_ns = when.mono_ns;
	out->wall_ns = when.wall_ns;
	return 0;
}
