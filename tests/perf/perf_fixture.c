#include "perf_fixture.h"

#include <math.h>
#include <string.h>

int fixture_load(struct harness *h, const struct rapl_tree *t)
{
	int rc = harness_load(h, "perf");
	if (rc == 0)
		rc = harness_set(h, "perf_sysfs_root", t->root);
	return rc;
}

double fixture_host_energy(const struct harness *h, const char *sensor)
{
	double total = 0, prev = 0;
	int have_prev = 0;
	for (size_t i = 0; i < h->nreadings; i++) {
		const struct energy_reading *r = &h->readings[i];
		if (strcmp(r->sensor, sensor) != 0)
			continue;
		if (have_prev)
			total += r->value >= prev ? r->value - prev : r->value + r->counter_max - prev;
		prev = r->value;
		have_prev = 1;
	}
	return total;
}

double fixture_note_number(const struct harness *h, const char *key)
{
	const struct harness_note *n = harness_note(h, key);
	return n && n->is_number ? n->number : NAN;
}

const char *fixture_note_text(const struct harness *h, const char *key)
{
	const struct harness_note *n = harness_note(h, key);
	return n && !n->is_number ? n->text : "";
}

int fixture_probe_create(struct harness *h)
{
	int probe_rc = harness_probe(h);
	int create_rc = harness_create(h);
	return probe_rc == create_rc ? create_rc : -1000 + probe_rc;
}
