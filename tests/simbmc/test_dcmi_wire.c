/* Byte layouts of the DCMI answers, against DCMI 1.5 / FreeIPMI's templates. */
#include <math.h>
#include <string.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "dcmi_wire.h"

static void test_power_reading_layout(void)
{
	struct dcmi_power_reading r = { 0x1234, 99.5, 300.49, 0.4, 0x01020304, 0xA0B0C0D0 };
	uint8_t out[32];
	const uint8_t want[] = { 0x00, 0xDC, 0x34, 0x12, 100, 0, 0x2C, 0x01, 0, 0,
				 0x04, 0x03, 0x02, 0x01, 0xD0, 0xC0, 0xB0, 0xA0, 0x40 };

	CHECK_INT(dcmi_encode_power_reading(0, &r, out), ==, sizeof(want));
	for (size_t i = 0; i < sizeof(want); i++)
		CHECK_INT(out[i], ==, want[i]);
	CHECK_INT(dcmi_encode_power_reading(0xD5, &r, out), ==, 2);
	CHECK_INT(out[0], ==, 0xD5);
	CHECK_INT(out[1], ==, 0xDC);
}

static void test_watts_rounding_and_clamping(void)
{
	CHECK_INT(dcmi_watts(-3), ==, 0);
	CHECK_INT(dcmi_watts(NAN), ==, 0);
	CHECK_INT(dcmi_watts(0.49), ==, 0);
	CHECK_INT(dcmi_watts(1e9), ==, 65535);
	CHECK_INT(dcmi_watts(211.6), ==, 212);
}

static void test_requests(void)
{
	const uint8_t stats[] = { 0xDC, 0x01, 0x00, 0x00 };
	const uint8_t rolling[] = { 0xDC, 0x02, 0x00, 0x00 };

	CHECK_INT(dcmi_check_power_reading_request(stats, 4), ==, 0);
	CHECK_INT(dcmi_check_power_reading_request(rolling, 4), ==, DCMI_CC_INVALID_DATA_FIELD);
	CHECK_INT(dcmi_check_power_reading_request(stats, 1), ==,
		  DCMI_CC_REQUEST_DATA_LENGTH_INVALID);
}

static void test_capability_info(void)
{
	uint8_t out[32];
	const uint8_t caps[] = { 0xDC, 0x01 }, bad[] = { 0xDC, 0x09 };

	CHECK_INT(dcmi_encode_capability_info(caps, 2, out), ==, 8);
	CHECK_INT(out[0], ==, 0);
	CHECK_INT(out[1], ==, 0xDC);
	CHECK_INT(out[6], ==, 0x01); /* power management */
	CHECK_INT(dcmi_encode_capability_info(bad, 2, out), ==, 2);
	CHECK_INT(out[0], ==, DCMI_CC_PARAMETER_OUT_OF_RANGE);
	CHECK_INT(dcmi_encode_capability_info(caps, 1, out), ==, 2);
	CHECK_INT(out[0], ==, DCMI_CC_REQUEST_DATA_LENGTH_INVALID);
	for (uint8_t p = 1; p <= 5; p++) {
		const uint8_t rq[] = { 0xDC, p };
		CHECK_INT(out[0] = 0xFF, ==, 0xFF);
		CU_ASSERT(dcmi_encode_capability_info(rq, 2, out) > 5);
		CHECK_INT(out[0], ==, 0);
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"power reading layout", test_power_reading_layout},
		{"watts rounding and clamping", test_watts_rounding_and_clamping},
		{"request checks", test_requests},
		{"capability info", test_capability_info},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("dcmi_wire", NULL, NULL, tests);
}
