#include "dead_counter.h"

#include "sysfs_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double machine_busy_s(const char *proc_stat_path)
{
	/* The "cpu" line comes first; 256 bytes hold it with room to spare. */
	char text[256];
	unsigned long long user, nice, system, idle, iowait, irq, softirq, steal = 0;
	long hz = sysconf(_SC_CLK_TCK);
	if (!proc_stat_path[0] || hz <= 0)
		return NAN;
	int rc = sysfs_read_text(proc_stat_path, text, sizeof(text));
	if (rc != 0 && rc != -EOVERFLOW)
		return NAN;
	int n = sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system,
		       &idle, &iowait, &irq, &softirq, &steal);
	if (n < 7)
		return NAN;
	return (double)(user + nice + system + irq + softirq + steal) / (double)hz;
}

void dead_watch_begin(struct rapl_set *set, const char *root)
{
	if (sysfs_path(set->proc_stat, sizeof(set->proc_stat), root, "proc/stat") != 0)
		set->proc_stat[0] = '\0';
	set->busy_base_s = machine_busy_s(set->proc_stat);
	set->base_ns = mono_ns();
}

static int judged(enum rapl_domain d)
{
	return d == RAPL_PKG || d == RAPL_PSYS;
}

int dead_counter_may_die(const struct rapl_set *set, const struct rapl_counter *c)
{
	return judged(c->domain) && !isnan(set->busy_base_s);
}

/* " did not advance in ...": why `first` was found dead, appended. */
static void evidence(const struct rapl_counter *first, char *why, size_t why_len)
{
	snprintf(why, why_len, " did not advance in %.3g s while the machine was busy "
		 "for %.3g s of CPU time: exposed but not counting (as on some VMs), so not a "
		 "measurement, and not reported as 0 J", first->dead_flat_s, first->dead_busy_s);
}

void dead_counter_reason(const struct rapl_set *set, int domain, char *why, size_t why_len)
{
	const struct rapl_counter *first = NULL;
	size_t used = 0;
	why[0] = '\0';
	for (size_t i = 0; i < set->n; i++) {
		const struct rapl_counter *c = &set->c[i];
		if (!c->dead || (domain >= 0 && (int)c->domain != domain))
			continue;
		if (!first)
			first = c;
		int n = snprintf(why + used, why_len - used, "%s%s (%s)", used ? ", " : "", c->sensor,
				 rapl_domain_info(c->domain)->perf_event);
		used = n > 0 && used + (size_t)n < why_len ? used + (size_t)n : why_len - 1;
	}
	if (!first)
		return;
	evidence(first, why + used, why_len - used);
}

void dead_counter_reason_of(const struct rapl_counter *c, char *why, size_t why_len)
{
	int n = snprintf(why, why_len, "%s (%s)", c->sensor, rapl_domain_info(c->domain)->perf_event);
	size_t used = n > 0 && (size_t)n < why_len ? (size_t)n : why_len - 1;
	evidence(c, why + used, why_len - used);
}

static size_t pending(const struct rapl_set *set)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		n += !set->c[i].dead && !set->c[i].moved && judged(set->c[i].domain);
	return n;
}

double dead_watch_busy(const struct rapl_set *set)
{
	/* Once every counter has moved (the usual case) nothing is read. */
	return pending(set) ? machine_busy_s(set->proc_stat) - set->busy_base_s : NAN;
}

size_t dead_watch_judge(const struct energy_host *host, struct rapl_set *set, double busy_s)
{
	double flat_s = (double)(mono_ns() - set->base_ns) / 1e9;
	size_t usable = 0, newly = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct rapl_counter *c = &set->c[i];
		if (!c->dead && !c->moved && judged(c->domain) && busy_s >= DEAD_COUNTER_BUSY_S) {
			c->dead = 1;
			c->dead_flat_s = flat_s;
			c->dead_busy_s = busy_s;
			newly++;
		}
		usable += !c->dead;
	}
	if (newly && host) {
		char why[ENERGY_REASON_MAX];
		dead_counter_reason(set, -1, why, sizeof(why));
		/* The verdict may be revised (perf_report.c revives a counter
		 * that starts counting), so the log says it is provisional. */
		host->log(host->ctx, ENERGY_LOG_WARN, "%s; still watched: measured from its last "
			  "flat reading if it starts counting", why);
	}
	return usable;
}

/* Read every counter; returns whether a package or psys counter is still
 * flat. */
static int read_for_probe(struct rapl_set *set)
{
	char read_why[ENERGY_REASON_MAX];
	int waiting = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct rapl_counter *c = &set->c[i];
		uint64_t raw, delta = 0;
		if (rapl_counter_read(set, c, &raw, read_why, sizeof(read_why)) == 0 &&
		    counter_track_update(&c->track, raw, &delta) == 0 && c->track.total > 0)
			c->moved = 1;
		waiting |= !c->moved && judged(c->domain);
	}
	return waiting;
}

int dead_watch_probe(struct rapl_set *set, const char *root, char *why, size_t why_len)
{
	const struct timespec poll = { 0, 10 * 1000 * 1000 };
	read_for_probe(set); /* the baseline, before the busy time's */
	dead_watch_begin(set, root);
	if (isnan(set->busy_base_s))
		return 0; /* no way to tell: the run decides */
	for (;;) {
		nanosleep(&poll, NULL);
		/* The busy time is read before the counters, so they had all
		 * of it to move. */
		double busy = dead_watch_busy(set);
		if (!read_for_probe(set))
			return 0;
		if (dead_watch_judge(NULL, set, busy) == 0) {
			dead_counter_reason(set, -1, why, why_len);
			return -ENODEV;
		}
		if ((double)(mono_ns() - set->base_ns) / 1e9 >= DEAD_PROBE_WINDOW_S)
			return 0;
	}
}
