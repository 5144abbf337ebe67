/* A stopped monitor's measurement as a JSON document and back (stub: issue 11 fills it in). */
#include "internal.h"

#include <errno.h>

char *em_monitor_state_json(const struct em_monitor *mon)
{
	(void)mon;
	return NULL;
}

int em_monitor_from_state(const char *json, size_t len, const struct em_config *cfg, struct em_monitor **out,
                          struct em_error *err)
{
	(void)json, (void)len, (void)cfg;
	*out = NULL;
	return em_fail(err, -ENOSYS, "monitor state documents are not built yet");
}
