#include "module_options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Today's behaviour when no option says otherwise: a fresh reading at every
 * request, statistics since the start, integer watts, stamped with the
 * request time. Existing users and tests see no change. */
static const struct bmc_behaviour defaults = {
	.refresh_s = 0.0, .window_s = 0.0, .quantise = 1, .stamp = BMC_STAMP_REQUEST,
};

static int copy_path(char *dst, size_t cap, const char *src, size_t len)
{
	if (len == 0 || len >= cap)
		return len == 0 ? -EINVAL : -ENAMETOOLONG;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* One ",name=value" extra after the profile, of length len. */
static int extra(const char *opt, size_t len, struct module_options *o, char *why, size_t why_len)
{
	char one[128];
	int rc;

	if (len > 6 && strncmp(opt, "truth=", 6) == 0) {
		/* ipmi_sim's working directory is nobody's business: absolute only. */
		if (opt[6] != '/') {
			snprintf(why, why_len, "truth= needs an absolute path, got \"%.*s\"", (int)len, opt);
			return -EINVAL;
		}
		rc = copy_path(o->truth, sizeof(o->truth), opt + 6, len - 6);
		if (rc)
			snprintf(why, why_len, "truth= path too long");
		return rc;
	}
	if (len >= sizeof(one) || (memcpy(one, opt, len), one[len] = '\0',
				   bmc_behaviour_option(&o->behaviour, one) != 0)) {
		snprintf(why, why_len, "unknown or bad option \"%.*s\" (known: refresh_ms=MS, "
			 "window_ms=MS, quantise=0|1, stamp=refresh|request|frozen, truth=/abs/path)",
			 (int)len, opt);
		return -EINVAL;
	}
	return 0;
}

int module_options_parse(const char *s, struct module_options *o, char *why, size_t why_len)
{
	const char *p, *comma;
	char tail;
	int rc;

	memset(o, 0, sizeof(*o));
	o->behaviour = defaults;
	if (sscanf(s, "cpu=%lf,%lf%c", &o->idle_w, &o->peak_w, &tail) == 2) {
		if (!(o->idle_w >= 0 && o->peak_w >= o->idle_w)) {
			snprintf(why, why_len, "cpu=IDLE_W,PEAK_W needs 0 <= IDLE <= PEAK, got \"%s\"", s);
			return -EINVAL;
		}
		o->source = MODULE_SOURCE_CPU;
		return 0;
	}
	if (strncmp(s, "cpu=", 4) == 0) {
		snprintf(why, why_len, "cpu=IDLE_W,PEAK_W takes nothing else: the behaviour and "
			 "truth options need a profile, got \"%s\"", s);
		return -EINVAL;
	}
	if (strncmp(s, "profile=", 8) != 0) {
		snprintf(why, why_len, "options must start with \"profile=PATH\" or be "
			 "\"cpu=IDLE_W,PEAK_W\" (0 <= IDLE <= PEAK), got \"%s\"", s);
		return -EINVAL;
	}
	o->source = MODULE_SOURCE_PROFILE;
	/* A path cannot hold a comma here: simbmc.sh refuses such paths. */
	p = s + 8;
	comma = strchr(p, ',');
	rc = copy_path(o->profile, sizeof(o->profile), p, comma ? (size_t)(comma - p) : strlen(p));
	if (rc) {
		snprintf(why, why_len, "profile= path empty or too long");
		return rc;
	}
	while (comma) {
		p = comma + 1;
		comma = strchr(p, ',');
		rc = extra(p, comma ? (size_t)(comma - p) : strlen(p), o, why, why_len);
		if (rc)
			return rc;
	}
	return 0;
}
