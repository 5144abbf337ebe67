/*
 * ebpf_plugin.c — the ebpf plugin's vtable: CPU time of the monitored
 * process tree and of the whole machine, counted in the kernel at every
 * context switch, so that the composite can attribute system and
 * package energy to the tree. The BPF side is in cputime.bpf.c.
 */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf_internal.h"

#define ATTRIBUTION_RULE                                                              \
	"energy attributed to the process tree = measured energy x (tree CPU time / " \
	"machine busy CPU time) over the same interval"
/* ebpf_include_children decides whether roots can nest (roots.c) */
#define PER_TARGET_RULE                                                                   \
	"each root's own tree time: a task counts for its nearest followed root; with " \
	"ebpf_include_children a root nested in another root's tree (as /proc showed it " \
	"when the set was given) is added back to the outer root's time, so the union " \
	"counts each task once and each root its whole tree"

static const struct energy_config_key config_keys[] = {
	{ "ebpf_include_children", ENERGY_CONFIG_BOOL, 0, "true",
	  "count the target's descendants (present and future) with it; false: the target process only" },
	{ "ebpf_counters", ENERGY_CONFIG_STRING_LIST, 0, "cycles,instructions",
	  "perf counters to count per process tree, at most 2 of: cycles, instructions, cpu-clock" },
	{ NULL, 0, 0, NULL, NULL },
};

static int ebpf_probe(const struct energy_host *host, char *why, size_t len)
{
	(void)host;
	int rc = ebpf_check_privileges(why, len);
	if (rc == 0)
		rc = ebpf_check_btf(why, len);
	if (rc == 0)
		rc = ebpf_check_pid_namespace(why, len);
	return rc;
}

static int ebpf_create(const struct energy_host *host, void **instance, char *why, size_t len)
{
	int rc = ebpf_probe(host, why, len);
	if (rc != 0)
		return rc;
	int later = ebpf_targets_later(host);
	if (host->target_pid <= 0 && !later) {
		snprintf(why, len, "ebpf: no process tree to follow (target pid %lld): this plugin measures "
				   "a command or a worker process, not the whole system",
			 (long long)host->target_pid);
		/* not -EINVAL: nothing the user configured is wrong, so "auto" skips it */
		return -ESRCH;
	}
	if (host->target_pid > 0 && kill((pid_t)host->target_pid, 0) != 0 && errno == ESRCH) {
		snprintf(why, len, "ebpf: target process %lld does not exist", (long long)host->target_pid);
		return -ESRCH;
	}
	int follow = 1;
	struct energy_config_value v;
	if (host->config_get(host->ctx, "ebpf_include_children", &v) == 0)
		follow = v.boolean != 0;
	static const char *const default_counters[] = { "cycles", "instructions" };
	const char *const *names = default_counters;
	size_t nnames = 2;
	int counters_configured = host->config_get(host->ctx, "ebpf_counters", &v) == 0;
	if (counters_configured) {
		names = v.list;
		nnames = v.list_len;
		rc = counters_check_names(names, nnames, why, len);
		if (rc != 0)
			return rc;
	}

	struct ebpf_inst *in = calloc(1, sizeof(*in));
	if (!in) {
		snprintf(why, len, "ebpf: out of memory");
		return -ENOMEM;
	}
	in->host = host;
	in->target = (pid_t)(host->target_pid > 0 ? host->target_pid : 0);
	/* ENERGY_HOST_TARGETS_LATER: none until set_targets() names them */
	in->ntargets = in->target ? 1 : 0;
	ebpf_declare(in);
	/* without counters the plugin still runs; the result says why */
	if (counters_open_described(&in->counters, names, nnames, in->counters_status,
				    sizeof(in->counters_status)) != 0 && counters_configured)
		host->log(host->ctx, ENERGY_LOG_WARN, "ebpf: counters %s", in->counters_status);
	rc = monitor_open(&in->mon, host, follow, &in->counters, why, len);
	if (rc == 0)
		rc = monitor_set_roots(in->mon, &in->target, in->ntargets, why, len);
	if (rc != 0) {
		monitor_close(in->mon);
		counters_close(&in->counters);
		free(in);
		return rc;
	}
	*instance = in;
	return 0;
}

static int ebpf_sample(void *instance);

static int ebpf_start(void *instance)
{
	struct ebpf_inst *in = instance;
	char why[ENERGY_REASON_MAX];
	if (in->started) {
		in->host->set_error(in->host->ctx, "ebpf: start() called twice");
		return -EINVAL;
	}
	int rc = monitor_start(in->mon, why, sizeof(why));
	if (rc == 0 && in->ntargets > 0 && monitor_seeded_tasks(in->mon) == 0) {
		monitor_stop(in->mon);
		snprintf(why, sizeof(why), "ebpf: target process %d exited before the measurement started",
			 (int)in->target);
		rc = -ESRCH;
	}
	if (rc != 0) {
		in->host->set_error(in->host->ctx, "%s", why);
		return rc;
	}
	in->host->log(in->host->ctx, ENERGY_LOG_DEBUG, "ebpf: following %llu task(s) of %zu process tree(s)",
		      (unsigned long long)monitor_seeded_tasks(in->mon), in->ntargets);
	in->started = 1;
	/* The counters start at zero now: say so at once, so the host's totals
	 * (last reading minus first) include the time before its first sample(). */
	return ebpf_sample(in);
}

static int ebpf_sample(void *instance)
{
	struct ebpf_inst *in = instance;
	char why[ENERGY_REASON_MAX];
	if (!in->started || in->stopped) {
		in->host->set_error(in->host->ctx, "ebpf: sample() outside start()..stop()");
		return -EINVAL;
	}
	struct ebpf_totals t;
	int rc = monitor_read(in->mon, &t, why, sizeof(why));
	if (rc != 0) {
		in->host->set_error(in->host->ctx, "%s", why);
		return rc;
	}
	ebpf_emit(in, &t);
	return 0;
}

static int ebpf_stop(void *instance)
{
	struct ebpf_inst *in = instance;
	char why[ENERGY_REASON_MAX];
	if (!in->started || in->stopped) {
		in->host->set_error(in->host->ctx, "ebpf: stop() without a running measurement");
		return -EINVAL;
	}
	in->stopped = 1;
	/* Read before detaching: the flush charges the slices still running.
	 * The closing reading, so the host counts the run to its end. */
	int rc = monitor_read(in->mon, &in->final, why, sizeof(why));
	monitor_stop(in->mon);
	if (rc != 0) {
		in->host->set_error(in->host->ctx, "%s", why);
		return rc;
	}
	ebpf_emit(in, &in->final);
	in->have_final = 1;
	return 0;
}

static int ebpf_get_data(void *instance)
{
	struct ebpf_inst *in = instance;
	const struct energy_host *h = in->host;
	if (!in->have_final) {
		h->set_error(h->ctx, "ebpf: no final reading: the measurement was not stopped cleanly");
		return -ENODATA;
	}
	/* Only what the readings do not say: the totals are the host's. */
	const struct ebpf_totals *t = &in->final;
	h->note_string(h->ctx, "attribution_rule", ATTRIBUTION_RULE);
	if (in->per_target)
		h->note_string(h->ctx, "per_target_rule", PER_TARGET_RULE);
	h->note_string(h->ctx, "hardware_counters", in->counters_status);
	if (t->multiplexed)
		h->note_string(h->ctx, "counters_multiplexed",
			       "the PMU was shared: some counters ran part of the time, their counts are low");
	/* Switches the kernel did not deliver to the program: each one makes
	 * the slice before it uncertain, so the result shows how many. */
	h->note_number(h->ctx, "unseen_context_switches", (double)t->unseen, "");
	uint64_t missed = monitor_missed_forks(in->mon);
	if (missed > 0) {
		h->note_number(h->ctx, "untracked_forks", (double)missed, "");
		h->log(h->ctx, ENERGY_LOG_WARN,
		       "ebpf: %llu process(es) forked in the tree could not be followed; their CPU time is missing",
		       (unsigned long long)missed);
	}
	return 0;
}

/* ABI 1.1: follow exactly these trees from now on. The tree's CPU time
 * stays one cumulative series: the time of the trees followed so far, then
 * of the new set. (1.2) Each root's own time is a cumulative reading per
 * target, which starts again from zero for a root that leaves and comes
 * back. Only a new root must exist: one already followed may have exited,
 * and its total is still reported, exact, until it leaves the set. */
static int ebpf_set_targets(void *instance, const int64_t *pids, size_t npids)
{
	struct ebpf_inst *in = instance;
	const struct energy_host *h = in->host;
	char why[ENERGY_REASON_MAX];
	pid_t *roots = calloc(npids ? npids : 1, sizeof(*roots));
	if (!roots) {
		h->set_error(h->ctx, "ebpf: out of memory");
		return -ENOMEM;
	}
	const struct ebpf_roots *followed = monitor_roots(in->mon);
	for (size_t i = 0; i < npids; i++) {
		/* checked before anything changes, so the earlier targets stay.
		 * A root already followed may have exited: its tree's time stays
		 * reported (roots.c keeps its counter and seeds it no more). */
		if (pids[i] <= 0 || pids[i] > INT32_MAX ||
		    (roots_index(followed, (pid_t)pids[i]) < 0 && kill((pid_t)pids[i], 0) != 0 && errno == ESRCH)) {
			h->set_error(h->ctx, "ebpf: target process %lld does not exist; still following the "
				     "%zu earlier process tree(s)", (long long)pids[i], in->ntargets);
			free(roots);
			return -ESRCH;
		}
		roots[i] = (pid_t)pids[i];
	}
	/* after stop() nothing is counted any more: remember nothing */
	int rc = in->stopped ? 0 : monitor_set_roots(in->mon, roots, npids, why, sizeof(why));
	free(roots);
	if (rc != 0) {
		h->set_error(h->ctx, "%s", why);
		return rc;
	}
	in->ntargets = npids;
	h->log(h->ctx, ENERGY_LOG_DEBUG, "ebpf: following %zu process tree(s)%s", npids,
	       in->stopped ? " (after stop(): nothing more is counted)" : in->started ? "" : " from start()");
	return 0;
}

static void ebpf_destroy(void *instance)
{
	struct ebpf_inst *in = instance;
	if (!in)
		return;
	monitor_close(in->mon);
	counters_close(&in->counters);
	free(in);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_PROCESS) | ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
	.name = "ebpf",
	.version = "1.0.0",
	.description = "CPU time of the process tree and of the machine, per context switch (eBPF, tp_btf)",
	.min_interval_s = 0.01,
	.config_keys = config_keys,
	.probe = ebpf_probe,
	.create = ebpf_create,
	.start = ebpf_start,
	.sample = ebpf_sample,
	.stop = ebpf_stop,
	.get_data = ebpf_get_data,
	.destroy = ebpf_destroy,
	.set_targets = ebpf_set_targets,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
