#include "tree_check.h"

#include <string.h>

int start_monitor(struct harness *h, pid_t target, const char *follow)
{
	if (harness_load(h, "ebpf") != 0) {
		printf("\n  load: %s\n", h->error);
		return -1;
	}
	if (follow)
		harness_set(h, "ebpf_include_children", follow);
	harness_set_target(h, target, 0.1);
	int rc = harness_create(h);
	if (rc == 0)
		rc = h->plugin->start(h->instance);
	if (rc != 0)
		printf("\n  create/start: %d %s\n", rc, h->error);
	return rc;
}

double finish(struct harness *h)
{
	int rc = h->plugin->stop(h->instance);
	if (rc == 0)
		rc = h->plugin->get_data(h->instance);
	if (rc != 0) {
		printf("\n  stop/get_data: %d %s\n", rc, h->error);
		return -1;
	}
	return host_total(h, TREE_SENSOR, ENERGY_Q_CPU_TIME_S);
}

double host_total(const struct harness *h, const char *sensor, unsigned quantity)
{
	const struct energy_reading *first = NULL, *last = NULL;
	for (size_t i = 0; i < h->nreadings; i++) {
		const struct energy_reading *r = &h->readings[i];
		if (strcmp(r->sensor, sensor) != 0 || r->quantity != quantity)
			continue;
		if (r->flags & ENERGY_READING_FINAL)
			return -1; /* the plugin repeats its totals: it must not */
		first = first ? first : r;
		last = r;
	}
	return first && last != first ? last->value - first->value : -1;
}
