/*
 * What a fleet of simulated BMCs needs: sensors without polling (values
 * fixed at start), a start that returns once the port is bound, and a BMC
 * that can be made to hang and resume.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "dcmi_session.h"
#include "sensor_reader.h"
#include "simbmc_client.h"

static void test_no_sensor_poll_quick_probe(void)
{
	struct simbmc b;
	struct simbmc_options o = { .no_sensor_poll = 1, .quick_probe = 1, .no_realtime = 1 };
	struct sensor_reader r;
	const struct timespec half = { 0, 500 * 1000 * 1000 };
	char why[256];

	CHECK_OK(simbmc_start(&b, &o), b.error);
	/* quick probe: the port is bound, answering may take a moment longer */
	ipmi_ctx_t ctx = NULL;
	for (int i = 0; i < 20 && !ctx; i++)
		ctx = dcmi_session_open(b.host, b.user, b.password, IPMI_PRIVILEGE_LEVEL_ADMIN, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	struct dcmi_power p;
	int cc = -1;
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 100);
	dcmi_session_close(ctx);

	CHECK_OK(sensor_reader_open(&r), r.error);
	/* the start values are there at once: no poll period to wait for */
	CHECK_OK(sensor_reader_read(&r, b.host, SIMBMC_VIEWER_USER, b.password), r.error);
	const struct sensor_value *t = sensor_reader_find(&r, "System Temp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CHECK_NEAR(t->value, 30.0, 0.01);
	const struct sensor_value *v = sensor_reader_find(&r, "12V Rail");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CHECK_NEAR(v->value, 12.0, 0.06);
	/* never polled: a new file value is not seen */
	CHECK_OK(simbmc_set_sensor(&b, "System Temp", 55.0), b.error);
	nanosleep(&half, NULL); /* five poll periods of a polling BMC */
	CHECK_OK(sensor_reader_read(&r, b.host, SIMBMC_VIEWER_USER, b.password), r.error);
	t = sensor_reader_find(&r, "System Temp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CHECK_NEAR(t->value, 30.0, 0.01);
	sensor_reader_close(&r);
	simbmc_cleanup(&b);
}

static void test_hang_and_resume(void)
{
	struct simbmc b;
	struct dcmi_power p;
	int cc = -1;
	char why[256];

	CHECK_OK(simbmc_start(&b, NULL), b.error);
	ipmi_ctx_t ctx = dcmi_session_open(b.host, b.user, b.password, IPMI_PRIVILEGE_LEVEL_ADMIN, why,
					   sizeof(why));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_OK(simbmc_hang(&b), b.error);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, IPMI_ERR_SESSION_TIMEOUT);
	dcmi_session_close(ctx);
	ipmi_ctx_t hung = dcmi_session_open(b.host, b.user, b.password, IPMI_PRIVILEGE_LEVEL_ADMIN, why,
					    sizeof(why));
	CU_ASSERT_PTR_NULL(hung);
	if (hung)
		dcmi_session_close(hung);
	CHECK_OK(simbmc_resume(&b), b.error);
	ctx = dcmi_session_open(b.host, b.user, b.password, IPMI_PRIVILEGE_LEVEL_ADMIN, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
	CHECK_INT(p.current_w, ==, 100);
	dcmi_session_close(ctx);
	/* a hung BMC stops too (stop sends SIGCONT after SIGTERM) */
	CHECK_OK(simbmc_hang(&b), b.error);
	CHECK_OK(simbmc_stop(&b), b.error);
	simbmc_cleanup(&b);
}

int main(void)
{
	require_simbmc();
	CU_TestInfo tests[] = {
		{"no sensor poll, quick probe", test_no_sensor_poll_quick_probe},
		{"hang and resume", test_hang_and_resume},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("simbmc fleet", NULL, NULL, tests);
}
