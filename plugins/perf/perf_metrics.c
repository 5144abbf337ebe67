/*
 * perf_metrics.c — perf reports its counters as declared metrics with an
 * empty key: energymon's own key for the domain (pkg, cores, uncore, dram,
 * psys), which the host files exactly as a 1.0 reading of it, so the Lithops
 * keys keep their names and units. The host unwraps and sums the readings;
 * perf keeps no totals of its own, so no joule is reported twice. A counter
 * that never counts is said so on its own metric (metric_reason), which the
 * result shows as null with that reason.
 */
#include "perf_metrics.h"

#include "dead_counter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A package's place in the order packages first appear in the set (the
 * backends list them in package order); psys, of no package, is 0. Each
 * package has at most one counter per domain, so (domain, index) is unique. */
static unsigned package_index(const struct rapl_set *set, const struct rapl_counter *c,
			      char *names, size_t len)
{
	unsigned index = 0;
	if (!c->package[0])
		return 0;
	for (const struct rapl_counter *o = set->c; o < c; o++) {
		int seen = 0;
		for (const struct rapl_counter *p = set->c; p < o && !seen; p++)
			seen = strcmp(p->package, o->package) == 0;
		if (!o->package[0] || seen)
			continue;
		if (strcmp(o->package, c->package) == 0)
			return index;
		index++;
	}
	/* first appearance: name it in the note */
	size_t used = strlen(names);
	snprintf(names + used, len - used, "%sindex %u: %s", used ? "; " : "", index, c->package);
	return index;
}

int perf_declare_metrics(const struct energy_host *host, struct rapl_set *set, char *why, size_t len)
{
	char names[1024] = "";
	if (host->abi_minor < 1 || !ENERGY_HAS_MEMBER(host, struct energy_host, metric_reason) ||
	    !host->declare_metric || !host->emit_metric || !host->metric_reason) {
		snprintf(why, len, "perf reports through declared metrics and needs a host of plugin ABI 1.1 "
			 "or later (this host is %u.%u)", host->abi_major, host->abi_minor);
		return -ENOTSUP;
	}
	for (size_t i = 0; i < set->n; i++) {
		struct rapl_counter *c = &set->c[i];
		const struct rapl_domain_info *info = rapl_domain_info(c->domain);
		struct energy_metric m;
		memset(&m, 0, sizeof(m));
		m.struct_size = sizeof(m);
		m.kind = ENERGY_KIND_COUNTER;
		m.unit = ENERGY_UNIT_JOULE;
		m.scope = info->scope;
		m.index = package_index(set, c, names, sizeof(names));
		/* RAPL measures whole devices the tree shares with the machine */
		m.flags = ENERGY_METRIC_ATTRIBUTABLE;
		m.counter_max = rapl_counter_range_j(c);
		/* 1.3: every reading is known to one energy unit; the host bounds
		 * each delta by twice it, plus once per wrap */
		m.resolution = c->unit_j;
		int id = host->declare_metric(host->ctx, &m);
		if (id < 0) {
			snprintf(why, len, "the host refused the metric of %s (%s, index %u): %s", c->sensor,
				 info->perf_event, m.index, strerror(-id));
			return id;
		}
		c->metric = id;
		c->reason_given = 0;
	}
	if (names[0])
		host->note_string(host->ctx, "package_index", names);
	return 0;
}

void perf_metrics_verdicts(const struct energy_host *host, struct rapl_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct rapl_counter *c = &set->c[i];
		if (c->dead && !c->reason_given) {
			char why[ENERGY_REASON_MAX];
			dead_counter_reason_of(c, why, sizeof(why));
			host->metric_reason(host->ctx, c->metric, "%s", why);
			c->reason_given = 1;
		} else if (!c->dead && c->reason_given) {
			host->metric_reason(host->ctx, c->metric, "%s", "");
			c->reason_given = 0;
		}
	}
}
