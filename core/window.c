/* Continuous monitors and windows (stub: issue 11 fills it in). */
#include "internal.h"

#include <errno.h>

int em_monitor_create_continuous(const struct em_config *cfg, struct em_monitor **out, struct em_error *err)
{
	(void)cfg;
	*out = NULL;
	return em_fail(err, -ENOSYS, "continuous monitors are not built yet");
}

int em_window_begin(struct em_monitor *mon, pid_t root, const char *const *ids, size_t nids,
                    struct em_window **out, struct em_error *err)
{
	(void)mon, (void)root, (void)ids, (void)nids;
	*out = NULL;
	return em_fail(err, -ENOSYS, "windows are not built yet");
}

int em_window_end(struct em_monitor *mon, struct em_window *w, struct em_monitor **result, struct em_error *err)
{
	(void)mon, (void)w;
	*result = NULL;
	return em_fail(err, -ENOSYS, "windows are not built yet");
}

void em_window_free(struct em_monitor *mon, struct em_window *w)
{
	(void)mon, (void)w;
}
