/*
 * Test plugin for ABI 1.1 declared metrics, with a known truth. Declares:
 *   gpu0_energy  accelerator joule counter at NAME_gpu_watts (default 200 W),
 *                wrapping at NAME_counter_max J (0: never);
 *   gpu_temp     accelerator gauge, 61.5 degC;
 *   load         "other" gauge counted in "load", 2.0;
 *   (empty key)  CPU-package joule counter at NAME_pkg_watts (default 30 W):
 *                must be filed as "pkg" exactly like a 1.0 reading;
 *   gpu1_energy  accelerator counter given a metric_reason, never emitted.
 * Every declaration that must be refused is tried, and each return code is
 * kept as a note "rc_<case>" (unit "errno"), for the host's tests to check.
 * set_targets records the pids (note "targets") and fails -ESRCH for a new
 * pid that does not exist (one already among the targets may have exited:
 * the ABI's set_targets contract); it notes "overlap" if it ever ran during sample().
 * Built under several names (NAME): two plugins declaring the same keys.
 */
#include "energy_plugin.h"
#include "test_plugin_util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef NAME
#define NAME "metricsplug"
#endif

struct mp {
	const struct energy_host *host;
	double gpu_watts, pkg_watts, counter_max;
	int gpu0, temp, load, pkg, gpu1;
	int64_t t0;
	atomic_int in_sample;
	int target_calls;
	atomic_bool sampled;
	pthread_t sample_thread; /* the thread sample() runs on, once sampled */
	int64_t targets[64];     /* the last accepted set (its first 64) */
	size_t ntargets;
};

static bool among_targets(const struct mp *t, int64_t pid)
{
	for (size_t i = 0; i < t->ntargets; i++)
		if (t->targets[i] == pid)
			return true;
	return false;
}

static const struct energy_config_key keys[] = {
	{NAME "_gpu_watts", ENERGY_CONFIG_NUMBER, 0, "200", "gpu0_energy rate, W"},
	{NAME "_pkg_watts", ENERGY_CONFIG_NUMBER, 0, "30", "package counter rate, W"},
	{NAME "_counter_max", ENERGY_CONFIG_NUMBER, 0, "0", "wrap point of gpu0_energy, J (0: none)"},
	{NULL, 0, 0, NULL, NULL},
};

static int declare(const struct energy_host *h, const char *key, uint32_t kind, uint32_t unit, uint32_t scope,
                   uint32_t index, const char *unit_name, double counter_max)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = kind, .unit = unit, .scope = scope,
	                          .index = index, .counter_max = counter_max};
	snprintf(m.key, sizeof(m.key), "%s", key);
	snprintf(m.unit_name, sizeof(m.unit_name), "%s", unit_name);
	return h->declare_metric(h->ctx, &m);
}

static void note_rc(const struct energy_host *h, const char *what, int rc)
{
	char key[64];
	snprintf(key, sizeof(key), "rc_%s", what);
	h->note_number(h->ctx, key, rc, "errno");
}

/* Each must be refused; the code says why. */
static void bad_declarations(const struct energy_host *h)
{
	note_rc(h, "reserved_pkg", declare(h, "pkg", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE,
	                                   ENERGY_SCOPE_ACCELERATOR, 0, "", 0));
	note_rc(h, "energy_prefix", declare(h, "energy_x", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE,
	                                    ENERGY_SCOPE_ACCELERATOR, 0, "", 0));
	note_rc(h, "bad_chars", declare(h, "GPU-energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE,
	                                ENERGY_SCOPE_ACCELERATOR, 0, "", 0));
	/* 64 characters: the whole array, no NUL */
	struct energy_metric long_key = {.struct_size = sizeof(long_key), .kind = ENERGY_KIND_COUNTER,
	                                 .unit = ENERGY_UNIT_JOULE, .scope = ENERGY_SCOPE_ACCELERATOR};
	memset(long_key.key, 'k', sizeof(long_key.key));
	note_rc(h, "too_long", h->declare_metric(h->ctx, &long_key));
	note_rc(h, "seconds_in_watts", declare(h, "busy_watts", ENERGY_KIND_SECONDS, ENERGY_UNIT_WATT,
	                                       ENERGY_SCOPE_ACCELERATOR, 0, "", 0));
	note_rc(h, "counter_in_celsius", declare(h, "heat", ENERGY_KIND_COUNTER, ENERGY_UNIT_CELSIUS,
	                                         ENERGY_SCOPE_ACCELERATOR, 0, "", 0));
	note_rc(h, "twice", declare(h, "gpu0_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE,
	                            ENERGY_SCOPE_ACCELERATOR, 0, "", 0));
	note_rc(h, "keyless_gauge_celsius", declare(h, "", ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS,
	                                            ENERGY_SCOPE_ACCELERATOR, 0, "", 0));
	struct energy_metric small = {.struct_size = offsetof(struct energy_metric, key), .kind = ENERGY_KIND_GAUGE,
	                              .unit = ENERGY_UNIT_WATT, .scope = ENERGY_SCOPE_OTHER, .key = "small"};
	note_rc(h, "struct_too_small", h->declare_metric(h->ctx, &small));
}

static int mp_create(const struct energy_host *host, void **inst, char *why, size_t len)
{
	if (host->abi_minor < 1) {
		snprintf(why, len, "needs a host of ABI 1.1 (declare_metric)");
		return -ENOTSUP;
	}
	struct mp *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	t->gpu_watts = number(host, NAME "_gpu_watts", 200);
	t->pkg_watts = number(host, NAME "_pkg_watts", 30);
	t->counter_max = number(host, NAME "_counter_max", 0);
	t->gpu0 = declare(host, "gpu0_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR, 0, "",
	                  t->counter_max);
	t->temp = declare(host, "gpu_temp", ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS, ENERGY_SCOPE_ACCELERATOR, 0, "", 0);
	t->load = declare(host, "load", ENERGY_KIND_GAUGE, ENERGY_UNIT_COUNT, ENERGY_SCOPE_OTHER, 0, "load", 0);
	t->pkg = declare(host, "", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_CPU_PACKAGE, 0, "", 0);
	t->gpu1 = declare(host, "gpu1_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR, 1, "", 0);
	note_rc(host, "gpu0", t->gpu0);
	note_rc(host, "temp", t->temp);
	note_rc(host, "load", t->load);
	note_rc(host, "pkg", t->pkg);
	note_rc(host, "gpu1", t->gpu1);
	note_rc(host, "reason", host->metric_reason(host->ctx, t->gpu1, "GPU %d is not readable (test)", 1));
	bad_declarations(host);
	if (t->counter_max > 0)
		host->require_interval(host->ctx, 0.5 * t->counter_max / t->gpu_watts);
	*inst = t;
	return 0;
}

static void emit_all(struct mp *t, int64_t mono)
{
	const struct energy_host *h = t->host;
	double s = (double)(mono - t->t0) / 1e9;
	double gpu = t->gpu_watts * s;
	if (t->counter_max > 0)
		gpu = fmod(gpu, t->counter_max);
	h->emit_metric(h->ctx, t->gpu0, gpu, mono, 0);
	h->emit_metric(h->ctx, t->temp, 61.5, mono, 0);
	h->emit_metric(h->ctx, t->load, 2.0, mono, 0);
	h->emit_metric(h->ctx, t->pkg, t->pkg_watts * s, mono, 0);
}

static int mp_start(void *inst)
{
	struct mp *t = inst;
	const struct energy_host *h = t->host;
	t->t0 = now_ns();
	note_rc(h, "declare_in_start", declare(h, "late", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_OTHER, 0,
	                                       "", 0));
	note_rc(h, "emit_bad_id", h->emit_metric(h->ctx, 999, 1.0, 0, 0));
	note_rc(h, "emit_negative_id", h->emit_metric(h->ctx, -1, 1.0, 0, 0));
	note_rc(h, "emit_nan", h->emit_metric(h->ctx, t->temp, NAN, 0, 0));
	note_rc(h, "reason_bad_id", h->metric_reason(h->ctx, 999, "x"));
	emit_all(t, t->t0);
	return 0;
}

static int mp_sample(void *inst)
{
	struct mp *t = inst;
	atomic_store(&t->in_sample, 1);
	t->sample_thread = pthread_self();
	atomic_store(&t->sampled, true);
	emit_all(t, now_ns());
	/* long enough that a set_targets made concurrently would overlap */
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	atomic_store(&t->in_sample, 0);
	return 0;
}

static int mp_stop(void *inst)
{
	(void)inst;
	return 0;
}

static int mp_set_targets(void *inst, const int64_t *pids, size_t n)
{
	struct mp *t = inst;
	const struct energy_host *h = t->host;
	if (atomic_load(&t->in_sample))
		h->note_string(h->ctx, "overlap", "set_targets ran during sample()");
	for (size_t i = 0; i < n; i++)
		if (!among_targets(t, pids[i]) && kill((pid_t)pids[i], 0) != 0 && errno == ESRCH) {
			h->set_error(h->ctx, "pid %lld does not exist", (long long)pids[i]);
			return -ESRCH;
		}
	t->ntargets = n < 64 ? n : 64;
	memcpy(t->targets, pids, t->ntargets * sizeof(*pids));
	char list[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%lld", i ? "," : "", (long long)pids[i]);
	h->note_string(h->ctx, "targets", list);
	/* where the host called: "caller" before any sample(), then it must be
	 * sample()'s own thread, which serialises the plugin's methods */
	const char *thread = !atomic_load(&t->sampled) ? "caller"
	                     : pthread_equal(t->sample_thread, pthread_self()) ? "sampler" : "other";
	h->note_string(h->ctx, "targets_thread", thread);
	h->note_number(h->ctx, "target_calls", ++t->target_calls, "");
	return 0;
}

static void mp_destroy(void *inst)
{
	free(inst);
}

static const struct energy_plugin plugin = {
	.struct_size = sizeof(struct energy_plugin),
	.abi_major = ENERGY_PLUGIN_ABI_MAJOR,
	.abi_minor = ENERGY_PLUGIN_ABI_MINOR,
	.measures = ENERGY_MEASURES(ENERGY_SCOPE_ACCELERATOR) | ENERGY_MEASURES(ENERGY_SCOPE_CPU_PACKAGE) |
	            ENERGY_MEASURES(ENERGY_SCOPE_OTHER),
	.name = NAME,
	.version = "1.1.0",
	.description = "test plugin with declared metrics of known truth",
	.min_interval_s = 0.001,
	.config_keys = keys,
	.create = mp_create,
	.start = mp_start,
	.sample = mp_sample,
	.stop = mp_stop,
	.destroy = mp_destroy,
	.set_targets = mp_set_targets,
};

ENERGY_PLUGIN_EXPORT const struct energy_plugin *energymon_plugin_entry(void)
{
	return &plugin;
}
