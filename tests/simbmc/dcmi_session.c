#include "dcmi_session.h"

#include <stdio.h>
#include <string.h>

ipmi_ctx_t dcmi_session_open(const char *host, const char *user,
			     const char *password, uint8_t privilege,
			     char *why, size_t why_len)
{
	ipmi_ctx_t ctx = ipmi_ctx_create();

	if (!ctx) {
		snprintf(why, why_len, "ipmi_ctx_create failed");
		return NULL;
	}
	/* opensesspriv: ipmi_sim answers the RMCP+ open session request
	 * with a privilege FreeIPMI otherwise rejects. */
	if (ipmi_ctx_open_outofband_2_0(ctx, host, user, password, NULL, 0,
					privilege, 3, 2000, 250,
					IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE,
					0) < 0) {
		snprintf(why, why_len, "open %s as %s: %s", host, user,
			 ipmi_ctx_errormsg(ctx));
		ipmi_ctx_destroy(ctx);
		return NULL;
	}
	return ctx;
}

ipmi_ctx_t dcmi_session_open_lan15(const char *host, const char *user,
				   const char *password, uint8_t privilege,
				   char *why, size_t why_len)
{
	ipmi_ctx_t ctx = ipmi_ctx_create();

	if (!ctx) {
		snprintf(why, why_len, "ipmi_ctx_create failed");
		return NULL;
	}
	if (ipmi_ctx_open_outofband(ctx, host, user, password,
				    IPMI_AUTHENTICATION_TYPE_MD5, privilege,
				    2000, 250, 0, 0) < 0) {
		snprintf(why, why_len, "open %s (IPMI 1.5) as %s: %s", host, user,
			 ipmi_ctx_errormsg(ctx));
		ipmi_ctx_destroy(ctx);
		return NULL;
	}
	return ctx;
}

static unsigned get(fiid_obj_t obj, const char *field)
{
	uint64_t v = 0;

	fiid_obj_get(obj, field, &v);
	return (unsigned)v;
}

int dcmi_session_read(ipmi_ctx_t ctx, struct dcmi_power *p, int *comp_code)
{
	fiid_obj_t obj = fiid_obj_create(tmpl_cmd_dcmi_get_power_reading_rs);
	uint64_t cc;
	int rc = 0;

	*comp_code = -1;
	memset(p, 0, sizeof(*p));
	if (!obj)
		return IPMI_ERR_OUT_OF_MEMORY;
	if (ipmi_cmd_dcmi_get_power_reading(ctx,
			IPMI_DCMI_POWER_READING_MODE_SYSTEM_POWER_STATISTICS, 0, obj) < 0)
		rc = ipmi_ctx_errnum(ctx);
	if (fiid_obj_get(obj, "comp_code", &cc) == 1)
		*comp_code = (int)cc;
	if (rc == 0) {
		p->current_w = get(obj, "current_power");
		p->min_w = get(obj, "minimum_power_over_sampling_duration");
		p->max_w = get(obj, "maximum_power_over_sampling_duration");
		p->avg_w = get(obj, "average_power_over_sampling_duration");
		p->timestamp = get(obj, "time_stamp");
		p->period_ms = get(obj, "statistics_reporting_time_period");
		p->active = (int)get(obj, "power_reading_state.power_measurement");
	}
	fiid_obj_destroy(obj);
	return rc;
}

int dcmi_session_power_supported(ipmi_ctx_t ctx, int *supported)
{
	fiid_obj_t obj = fiid_obj_create(
		tmpl_cmd_dcmi_get_dcmi_capability_info_supported_dcmi_capabilities_rs);
	int rc = 0;

	if (!obj)
		return IPMI_ERR_OUT_OF_MEMORY;
	if (ipmi_cmd_dcmi_get_dcmi_capability_info_supported_dcmi_capabilities(ctx, obj) < 0)
		rc = ipmi_ctx_errnum(ctx);
	else
		*supported = (int)get(obj,
			"optional_platform_capabilities.power_management_monitoring_support");
	fiid_obj_destroy(obj);
	return rc;
}

void dcmi_session_close(ipmi_ctx_t ctx)
{
	if (ctx) {
		ipmi_ctx_close(ctx);
		ipmi_ctx_destroy(ctx);
	}
}
