/*
 * dcmi_wire.h — byte layouts of the DCMI responses the simulated BMC sends.
 *
 * Pure encoding, no ipmi_sim types, so it is tested on its own. Every
 * response starts with the completion code and then the group extension
 * identification 0xDC (DCMI 1.5, section 6).
 */
#ifndef SIMBMC_DCMI_WIRE_H
#define SIMBMC_DCMI_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define DCMI_GROUP_EXTENSION 0xDC
#define DCMI_CMD_GET_CAPABILITY_INFO 0x01
#define DCMI_CMD_GET_POWER_READING 0x02

#define DCMI_MODE_SYSTEM_POWER_STATISTICS 0x01

#define DCMI_CC_REQUEST_DATA_LENGTH_INVALID 0xC7
#define DCMI_CC_PARAMETER_OUT_OF_RANGE 0xC9
#define DCMI_CC_INVALID_DATA_FIELD 0xCC
#define DCMI_CC_NOT_IN_PRESENT_STATE 0xD5

/* Bit 6 of the power reading state byte: "power measurement active". */
#define DCMI_POWER_MEASUREMENT_ACTIVE 0x40

struct dcmi_power_reading {
	double current_w, min_w, max_w, avg_w; /* rounded to integer watts */
	uint32_t timestamp;                    /* unix seconds */
	uint32_t period_ms;                    /* statistics period */
};

/* 0 when a Get Power Reading request (data after netfn/cmd, starting with
 * 0xDC) is one this BMC serves, else the completion code to answer with. */
uint8_t dcmi_check_power_reading_request(const uint8_t *data, size_t len);

/* Encode a Get Power Reading response into out (>= 19 bytes); with cc != 0
 * only the completion code and 0xDC are sent and r is not read.
 * Returns the length. */
unsigned dcmi_encode_power_reading(uint8_t cc, const struct dcmi_power_reading *r,
				   uint8_t *out);

/* Answer a Get DCMI Capability Info request (data starting with 0xDC, then
 * the parameter selector) into out (>= 16 bytes). Returns the length. */
unsigned dcmi_encode_capability_info(const uint8_t *data, size_t len,
				     uint8_t *out);

/* Integer watts as DCMI carries them: nearest, clamped to 0..65535. */
uint16_t dcmi_watts(double w);

#endif
