#include "dcmi_wire.h"

#include <math.h>
#include <string.h>

uint16_t dcmi_watts(double w)
{
	if (!(w > 0.0)) /* also catches NaN */
		return 0;
	if (w >= 65535.0)
		return 65535;
	return (uint16_t)lround(w);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint8_t dcmi_check_power_reading_request(const uint8_t *data, size_t len)
{
	/* 0xDC, mode, mode attributes, reserved */
	if (len < 2)
		return DCMI_CC_REQUEST_DATA_LENGTH_INVALID;
	/* Enhanced (rolling average) statistics are not offered: capability
	 * parameter 5 lists no averaging periods. */
	if (data[1] != DCMI_MODE_SYSTEM_POWER_STATISTICS)
		return DCMI_CC_INVALID_DATA_FIELD;
	return 0;
}

unsigned dcmi_encode_power_reading(uint8_t cc, const struct dcmi_power_reading *r,
				   uint8_t *out)
{
	out[0] = cc;
	out[1] = DCMI_GROUP_EXTENSION;
	if (cc != 0)
		return 2;
	put16(out + 2, dcmi_watts(r->current_w));
	put16(out + 4, dcmi_watts(r->min_w));
	put16(out + 6, dcmi_watts(r->max_w));
	put16(out + 8, dcmi_watts(r->avg_w));
	put32(out + 10, r->timestamp);
	put32(out + 14, r->period_ms);
	out[18] = DCMI_POWER_MEASUREMENT_ACTIVE;
	return 19;
}

unsigned dcmi_encode_capability_info(const uint8_t *data, size_t len,
				     uint8_t *out)
{
	unsigned n;

	out[1] = DCMI_GROUP_EXTENSION;
	if (len < 2) {
		out[0] = DCMI_CC_REQUEST_DATA_LENGTH_INVALID;
		return 2;
	}
	out[0] = 0;
	out[2] = 1;    /* DCMI specification conformance 1.5 */
	out[3] = 5;
	out[4] = 2;    /* parameter revision */
	n = 5;
	switch (data[1]) {
	case 1: /* supported DCMI capabilities */
		/* Claim only what this BMC really does: power management,
		 * reached over the primary LAN channel. */
		out[n++] = 0x00;       /* mandatory platform capabilities */
		out[n++] = 0x01;       /* optional: power management */
		out[n++] = 0x08;       /* access: out-of-band primary LAN */
		break;
	case 2: /* mandatory platform attributes: no SEL, IDs, temperatures */
		memset(out + n, 0, 5);
		n += 5;
		break;
	case 3: /* optional platform attributes: power managed by the BMC */
		out[n++] = 0x20;       /* power management device slave address */
		out[n++] = 0x00;       /* channel 0, device revision 0 */
		break;
	case 4: /* manageability access attributes */
		out[n++] = 0x01;       /* primary LAN is channel 1 */
		out[n++] = 0xFF;       /* no secondary LAN */
		out[n++] = 0xFF;       /* no serial */
		break;
	case 5: /* enhanced system power statistics: no rolling averages */
		out[n++] = 0x00;
		break;
	default:
		out[0] = DCMI_CC_PARAMETER_OUT_OF_RANGE;
		return 2;
	}
	return n;
}
