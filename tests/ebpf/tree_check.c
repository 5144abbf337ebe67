#include "tree_check.h"

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
	const struct energy_reading *r = harness_last(h, "tree", ENERGY_Q_CPU_TIME_S);
	if (!r || !(r->flags & ENERGY_READING_FINAL) || r->scope != ENERGY_SCOPE_PROCESS)
		return -1;
	return r->value;
}
