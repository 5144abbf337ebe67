/* em_monitor_live(): a started monitor's latest readings (stub until the
 * snapshot lands; callers see -EOPNOTSUPP and say so). */
#include "energymon.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

int em_monitor_live(struct em_monitor *mon, struct em_live **out, struct em_error *err)
{
	(void)mon;
	if (out)
		*out = NULL;
	if (err) {
		err->code = -EOPNOTSUPP;
		snprintf(err->message, sizeof(err->message), "live readings are not implemented yet");
	}
	return -EOPNOTSUPP;
}

void em_live_free(struct em_live *live) { (void)live; }
double em_live_taken(const struct em_live *live) { (void)live; return NAN; }
int em_live_source(const struct em_live *live, size_t source, struct em_live_source *out)
{
	(void)live; (void)source; (void)out;
	return -ENOENT;
}
int em_live_series(const struct em_live *live, size_t source, size_t i, struct em_live_series *out)
{
	(void)live; (void)source; (void)i; (void)out;
	return -ENOENT;
}
