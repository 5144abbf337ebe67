/* ABI 1.1 declared metrics through a real plugin (metricsplug) in a real
 * monitor: what declare_metric / emit_metric / metric_reason return, what
 * the series hold against the plugin's known truth, key collisions between
 * plugins, and descriptors of other minors. Linked with the library's own
 * objects, so the series can be read where the result JSON does not show
 * them yet. */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <unistd.h>

#define CONFIG(extra)                                                                                        \
	"{\"lithops\": {\"energy_strategy\": \"metricsplug\"}, \"energy_sampling_interval\": 0.01" extra "}"

/* monitors.metricsplug.notes.rc_<what>.value, or NAN */
static double note_rc(const json_t *res, const char *what)
{
	char key[64];
	snprintf(key, sizeof(key), "rc_%s", what);
	const json_t *src = json_object_get(json_object_get(res, "monitors"), "metricsplug");
	const json_t *v = json_object_get(json_object_get(json_object_get(src, "notes"), key), "value");
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const struct em_series *by_key(const struct em_source *src, const char *key)
{
	for (size_t i = 0; i < src->nseries; i++)
		if (src->series[i].declared && strcmp(src->series[i].key, key) == 0)
			return &src->series[i];
	return NULL;
}

static double span_s(const struct em_series *s)
{
	return (double)(s->last_mono - s->first_mono) / 1e9;
}

static void test_declarations_return_ids_and_refusals(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(CONFIG(""), 0.1, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const struct em_source *src = mon->sources[0];
	/* ids index the declared series */
	const char *keys[] = {"gpu0", "temp", "load", "pkg", "gpu1"};
	for (int i = 0; i < 5; i++) {
		double id = note_rc(res, keys[i]);
		CU_ASSERT_FATAL(id >= 0 && id < (double)src->nseries);
		CU_ASSERT(src->series[(size_t)id].declared);
	}
	CU_ASSERT_STRING_EQUAL(src->series[(size_t)note_rc(res, "gpu0")].key, "gpu0_energy");
	CU_ASSERT_STRING_EQUAL(src->series[(size_t)note_rc(res, "pkg")].key, "");
	CU_ASSERT_EQUAL(note_rc(res, "reason"), 0);
	static const struct { const char *what; int code; } refused[] = {
		{"reserved_pkg", -EINVAL}, {"energy_prefix", -EINVAL}, {"bad_chars", -EINVAL},
		{"too_long", -EINVAL}, {"seconds_in_watts", -EINVAL}, {"counter_in_celsius", -EINVAL},
		{"twice", -EEXIST}, {"keyless_gauge_celsius", -EINVAL}, {"struct_too_small", -EINVAL},
		{"declare_in_start", -EBUSY}, {"emit_bad_id", -EINVAL}, {"emit_negative_id", -EINVAL},
		{"emit_nan", -EINVAL}, {"reason_bad_id", -EINVAL},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (note_rc(res, refused[i].what) != refused[i].code)
			fprintf(stderr, "\n    rc_%s: %g, expected %d\n", refused[i].what, note_rc(res, refused[i].what),
			        refused[i].code);
		CU_ASSERT_EQUAL(note_rc(res, refused[i].what), refused[i].code);
	}
	/* refused declarations made no series: 5 declared, nothing else */
	CU_ASSERT_EQUAL(src->nseries, 5);
	/* the reason is kept, and the plugin said why each was refused */
	const struct em_series *gpu1 = by_key(src, "gpu1_energy");
	CU_ASSERT_PTR_NOT_NULL_FATAL(gpu1);
	CU_ASSERT_STRING_EQUAL(gpu1->reason, "GPU 1 is not readable (test)");
	CU_ASSERT_EQUAL(gpu1->readings, 0);
	char *text = json_dumps(json_object_get(json_object_get(res, "monitors"), "metricsplug"), 0);
	ASSERT_CONTAINS(text, "declare_metric refused: metric key 'pkg' is energymon's own");
	ASSERT_CONTAINS(text, "declared twice");
	free(text);
	json_decref(res);
	em_monitor_destroy(mon);
}

static void test_declared_metrics_match_the_truth(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(CONFIG(", \"metricsplug_gpu_watts\": 200, \"metricsplug_pkg_watts\": 30"), 0.3, &mon,
	                      &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const struct em_source *src = mon->sources[0];
	const struct em_series *gpu = by_key(src, "gpu0_energy"), *temp = by_key(src, "gpu_temp"),
	                       *load = by_key(src, "load");
	CU_ASSERT_FATAL(gpu && temp && load);
	CU_ASSERT(gpu->readings > 5);
	/* the counter advanced 200 J per second of its own time stamps */
	CU_ASSERT_DOUBLE_EQUAL(gpu->total, 200 * span_s(gpu), 1e-6);
	CU_ASSERT_EQUAL(gpu->kind, ENERGY_KIND_COUNTER);
	CU_ASSERT_EQUAL(gpu->scope, ENERGY_SCOPE_ACCELERATOR);
	/* gauges: the time-weighted mean of a constant is the constant */
	CU_ASSERT_DOUBLE_EQUAL(temp->total / temp->covered_s, 61.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(temp->mean, 61.5, 1e-9);
	CU_ASSERT_STRING_EQUAL(em_series_unit(temp), "degC");
	CU_ASSERT_DOUBLE_EQUAL(load->total / load->covered_s, 2.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(em_series_unit(load), "load");
	/* the keyless package counter is filed as "pkg", as a 1.0 reading is */
	double pkg = energy_of(res, "metricsplug", "pkg");
	const struct em_series *pkg_series = NULL;
	for (size_t i = 0; i < src->nseries; i++)
		if (src->series[i].declared && !src->series[i].key[0])
			pkg_series = &src->series[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(pkg_series);
	CU_ASSERT_EQUAL(pkg_series->quantity, ENERGY_Q_ENERGY_J);
	CU_ASSERT_EQUAL(pkg_series->scope, ENERGY_SCOPE_CPU_PACKAGE);
	CU_ASSERT_DOUBLE_EQUAL(pkg, 30 * span_s(pkg_series), 1e-6);
	CU_ASSERT(pkg > 0);
	const json_t *units = json_object_get(json_object_get(json_object_get(res, "monitors"), "metricsplug"),
	                                      "units");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(units, "pkg")), "J");
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, NULL, "pkg"), pkg, 1e-9);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* The longest time between two kept readings, s. */
static double longest_step_s(const struct em_series *s)
{
	double longest = 0;
	for (size_t i = 1; i < s->npoints; i++)
		longest = fmax(longest, (double)(s->points[i].wall_ns - s->points[i - 1].wall_ns) / 1e9);
	return longest;
}

static void test_declared_counter_wraps_stay_exact(void)
{
	/* 20 J at 200 W wraps every 100 ms; the plugin asks for 50 ms samples
	 * and gets the 10 ms asked for */
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(CONFIG(", \"metricsplug_counter_max\": 20"), 0.5, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const struct em_series *gpu = by_key(mon->sources[0], "gpu0_energy");
	CU_ASSERT_PTR_NOT_NULL_FATAL(gpu);
	CU_ASSERT(gpu->wraps >= 3);
	CU_ASSERT_EQUAL_FATAL(gpu->keep_every, 1); /* every reading kept: the steps below are all of them */
	/* A reading late by a whole wrap period (a starved thread, no failed
	 * sample) may hide a wrap the host cannot see; only then the total may
	 * fall short. Otherwise it is exact. */
	if (longest_step_s(gpu) < 0.1) {
		CU_ASSERT_DOUBLE_EQUAL(gpu->total, 200 * span_s(gpu), 1e-6);
	} else {
		fprintf(stderr, "\n    (a step of %.3f s: exactness not checked)\n", longest_step_s(gpu));
	}
	CU_ASSERT(gpu->total <= 200 * span_s(gpu) + 1e-6);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* Two different plugins declaring "gpu0_energy": a load error naming both
 * plugins and both files. */
static void test_key_collision_between_plugins_names_both(void)
{
	struct em_error err = {0};
	int rc = create_from_json("{\"lithops\": {\"energy_strategy\": \"metricsplug,metricsclash\"}}", &err);
	CU_ASSERT_EQUAL(rc, -EEXIST);
	ASSERT_CONTAINS(err.message, "metric key 'gpu0_energy'");
	ASSERT_CONTAINS(err.message, "plugin 'metricsplug' (");
	ASSERT_CONTAINS(err.message, "metricsplug.so)");
	ASSERT_CONTAINS(err.message, "plugin 'metricsclash' (");
	ASSERT_CONTAINS(err.message, "metricsclash.so)");
	/* each alone is fine */
	CU_ASSERT_EQUAL(create_with_strategy("metricsclash", &err), 0);
}

/* Instances of one plugin share keys; an unavailable source declares nothing. */
static void test_instances_of_one_plugin_share_keys(void)
{
	struct em_series gpu = {.declared = true, .key = "gpu0_energy"};
	struct em_source a = {.name = "mygpu:a", .plugin = "mygpu", .available = true, .series = &gpu, .nseries = 1};
	struct em_source b = a;
	snprintf(b.name, sizeof(b.name), "mygpu:b");
	struct em_source *both[] = {&a, &b};
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_check_metric_keys(both, 2, &err), 0);
	snprintf(b.plugin, sizeof(b.plugin), "othergpu");
	CU_ASSERT_EQUAL(em_check_metric_keys(both, 2, &err), -EEXIST);
	ASSERT_CONTAINS(err.message, "'mygpu'");
	ASSERT_CONTAINS(err.message, "'othergpu'");
	b.available = false;
	CU_ASSERT_EQUAL(em_check_metric_keys(both, 2, &err), 0);
	/* energymon's own (empty) keys never collide: the strategy order decides */
	b.available = true;
	gpu.key[0] = '\0';
	CU_ASSERT_EQUAL(em_check_metric_keys(both, 2, &err), 0);
}

static void test_plugin_of_a_later_minor_loads_and_runs(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"abifuture\"}, \"energy_sampling_interval\": 0.02}",
	                      0.1, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(res, "energy"), "avg_power")), 77,
	                       1e-9);
	CU_ASSERT_PTR_NOT_NULL(mon->sources[0]->lib.set_targets);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* A descriptor whose struct_size ends before the 1.1 members: whatever
 * follows it in memory is never read or called. */
static void test_1_0_sized_descriptor_has_no_1_1_members(void)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": \"abioldsize\"}}", &cfg, &err), 0);
	/* had its config_keys_v2 been read, the foreign key "not_mine" in it
	 * would have refused the plugin at load */
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	CU_ASSERT_PTR_NULL(mon->sources[0]->lib.set_targets);
	pid_t self = getpid();
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, &self, 1, &err), -EOPNOTSUPP);
	CU_ASSERT_PTR_NULL(json_object_get(mon->sources[0]->notes, "set_targets_called"));
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"declarations return ids and refusals", test_declarations_return_ids_and_refusals},
		{"declared metrics match the truth", test_declared_metrics_match_the_truth},
		{"declared counter wraps stay exact", test_declared_counter_wraps_stay_exact},
		{"key collision between plugins names both", test_key_collision_between_plugins_names_both},
		{"instances of one plugin share keys", test_instances_of_one_plugin_share_keys},
		{"plugin of a later minor loads and runs", test_plugin_of_a_later_minor_loads_and_runs},
		{"1.0-sized descriptor has no 1.1 members", test_1_0_sized_descriptor_has_no_1_1_members},
		CU_TEST_INFO_NULL,
	};
	return run_suite("metrics", tests);
}
