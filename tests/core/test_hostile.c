/* Hostile input to the ABI 1.1 host, each a regression test for a defect
 * found by attacking it: names that would make two sources' files one,
 * pid counts whose byte size overflows, plugins that misuse the metric
 * calls. Linked with the library's own objects, like test_metrics. */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <unistd.h>

/* "samescope_low:a" and plugin "samescope_low-a" are both tagged
 * "samescope_low-a": one would replace the other's per-call file. */
static void test_sources_whose_files_collide_are_refused(void)
{
	struct em_error err = {0};
	int rc = create_with_strategy("samescope_low:a,samescope_low-a", &err);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	ASSERT_CONTAINS(err.message, "'samescope_low:a' and 'samescope_low-a' would write the same files");
	/* each alone, or with a tag of its own, is fine */
	CU_ASSERT_EQUAL(create_with_strategy("samescope_low:a,samescope_low:b", &err), 0);
	CU_ASSERT_EQUAL(create_with_strategy("samescope_low-a", &err), 0);
}

/* A source tagged "composite" would write the composite's files. */
static void test_source_named_like_the_composite_is_refused(void)
{
	struct em_source a = {.name = "composite", .file_tag = "composite"};
	struct em_source *one[] = {&a};
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_check_file_tags(one, 1, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "source 'composite': its files would be named like the composite's");
}

/* n * sizeof(int64_t) wraps for n beyond SIZE_MAX / 8: the copy of the pids
 * must not be allocated short (a heap overflow). Refused before any pid is
 * read. */
static void test_set_targets_with_a_huge_count_is_refused(void)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": \"metricsplug\"}}", &cfg,
	                                            &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	pid_t pids[3] = {getpid(), getpid(), 0};
	size_t huge = SIZE_MAX / sizeof(int64_t) + 2; /* x 8 bytes = 8 bytes, wrapped */
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, pids, huge, &err), -E2BIG);
	ASSERT_CONTAINS(err.message, "at most");
	CU_ASSERT_EQUAL(em_monitor_set_targets(mon, pids, 2, &err), 0);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

#define HOSTILE(mode)                                                                                        \
	"{\"lithops\": {\"energy_strategy\": \"hostile\"}, \"energy_sampling_interval\": 0.01, "                \
	"\"hostile_mode\": \"" mode "\"}"

/* energymon's own pkg declared (empty key, index 0) and also emitted as a
 * 1.0 reading of the same (energy, cpu_package, "index-0") 100x faster:
 * fed by both streams the one counter jumped between them, every drop
 * taken for a reset, and pkg was thousands of joules. The declared metric
 * owns it: pkg is its 10 W. */
static void test_1_0_reading_of_a_declared_own_metric_is_refused(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(HOSTILE("mixed"), 0.3, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const struct em_source *src = mon->sources[0];
	CU_ASSERT_EQUAL(src->nseries, 1);
	double seconds = (double)(src->series[0].last_mono - src->series[0].first_mono) / 1e9;
	double pkg = json_number_value(json_object_get(json_object_get(res, "energy"), "pkg"));
	CU_ASSERT_DOUBLE_EQUAL(pkg, 10 * seconds, 1e-6);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* A plugin's own thread that keeps emitting after get_data(): nothing it
 * sends then reaches the series the result was built from. */
static void test_emit_after_the_source_finished_is_cancelled(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(HOSTILE("late"), 0.1, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	struct em_source *src = mon->sources[0];
	CU_ASSERT_FATAL(src->nseries == 1 && src->series[0].readings > 0);
	uint64_t readings = src->series[0].readings;
	sleep_s(0.05); /* the plugin's thread runs on until destroy() */
	CU_ASSERT_EQUAL(src->series[0].readings, readings);
	CU_ASSERT_EQUAL(src->host.emit_metric(src, 0, 5.0, 0, 0), -ECANCELED);
	CU_ASSERT_EQUAL(src->series[0].readings, readings);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* 5000 declarations: energy_max_series (1024) get ids, the rest -ENOSPC;
 * every declared one is in the result, null with its reason. */
static void test_thousands_of_declarations_stop_at_the_series_cap(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(HOSTILE("many"), 0.05, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *notes = json_object_get(json_object_get(json_object_get(res, "monitors"), "hostile"), "notes");
	CU_ASSERT_EQUAL(json_number_value(json_object_get(json_object_get(notes, "declared"), "value")), 1024);
	CU_ASSERT_EQUAL(json_number_value(json_object_get(json_object_get(notes, "rc_refused"), "value")), -ENOSPC);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(res, "metrics")), 1024);
	CU_ASSERT_TRUE(json_is_null(json_object_get(json_object_get(res, "energy"), "m1023")));
	json_decref(res);
	em_monitor_destroy(mon);
}

/* NULL where a pointer is needed: -EINVAL from the result API, and a
 * plugin's NULL format string is logged as "(no message)", not a crash. */
static void test_null_pointers_are_refused_not_dereferenced(void)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(HOSTILE("late"), &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	struct em_result_run run = {.struct_size = sizeof(run)};
	CU_ASSERT_EQUAL(em_result_run(mon, &run), -EINVAL); /* before stop: no result yet */
	struct em_source *src = mon->sources[0];
	const char *no_format = NULL;
	src->host.set_error(src, no_format, 0);
	CU_ASSERT_STRING_EQUAL(src->last_error, "(no message)");
	src->host.log(src, ENERGY_LOG_WARN, no_format, 0);
	CU_ASSERT_EQUAL(em_monitor_start(mon, &err), 0);
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT_EQUAL(em_result_run(mon, &run), 0);
	run.struct_size = 2;
	CU_ASSERT_EQUAL(em_result_run(mon, &run), -EINVAL);
	CU_ASSERT_EQUAL(em_result_run(mon, NULL), -EINVAL);
	double from;
	const char *a, *b;
	CU_ASSERT_EQUAL(em_result_gap(mon, 0, 0, &from, NULL), -EINVAL);
	CU_ASSERT_EQUAL(em_result_note(mon, 0, 0, &a, NULL), -EINVAL);
	CU_ASSERT_EQUAL(em_result_log(mon, 0, 0, NULL, &b), -EINVAL);
	struct em_result_metric m = {.struct_size = sizeof(m)};
	CU_ASSERT_EQUAL(em_result_metric(mon, 7, 0, &m), -ENOENT);
	CU_ASSERT_EQUAL(em_result_metric(mon, 0, 1000, &m), -ENOENT);
	em_monitor_destroy(mon);
	em_config_free(cfg);
}

/* ENERGY_METRIC_ATTRIBUTABLE on a temperature made the composite print
 * attributed_<key> = degrees x CPU share: only J and W may be shared out. */
static void test_attributable_needs_energy_or_power(void)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = ENERGY_KIND_GAUGE, .unit = ENERGY_UNIT_CELSIUS,
	                          .scope = ENERGY_SCOPE_ACCELERATOR, .flags = ENERGY_METRIC_ATTRIBUTABLE,
	                          .key = "gpu_temp"};
	struct em_series s;
	char why[ENERGY_REASON_MAX] = "";
	CU_ASSERT_EQUAL(em_metric_series(&m, &s, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "only energy (J) or power (W) can be attributable");
	m.unit = ENERGY_UNIT_WATT;
	CU_ASSERT_EQUAL(em_metric_series(&m, &s, why, sizeof(why)), 0);
	m.kind = ENERGY_KIND_COUNTER;
	m.unit = ENERGY_UNIT_JOULE;
	CU_ASSERT_EQUAL(em_metric_series(&m, &s, why, sizeof(why)), 0);
	m.unit = ENERGY_UNIT_COUNT;
	CU_ASSERT_EQUAL(em_metric_series(&m, &s, why, sizeof(why)), -EINVAL);
}

/* A counter_max below the values the counter reads (a plugin's wrong wrap
 * point) or a negative reading made a drop a negative delta: the total
 * went down. A drop from above the wrap point is a reset; nothing is
 * ever subtracted. */
static void test_counter_never_counts_backwards(void)
{
	struct energy_metric m = {.struct_size = sizeof(m), .kind = ENERGY_KIND_COUNTER, .unit = ENERGY_UNIT_JOULE,
	                          .scope = ENERGY_SCOPE_ACCELERATOR, .key = "gpu0_energy", .counter_max = 1};
	struct em_series s;
	char why[ENERGY_REASON_MAX];
	CU_ASSERT_EQUAL_FATAL(em_metric_series(&m, &s, why, sizeof(why)), 0);
	const double values[] = {0, 10, 5, 8, -3, 2};
	for (int i = 0; i < 6; i++)
		em_series_push(&s, (int64_t)(i + 1) * 1000000000, (int64_t)(i + 1) * 1000000000, values[i], 0);
	/* 0->10: 10; 10->5 (above the wrap point): reset, 5; 5->8: 3;
	 * 8->-3: reset to nothing; -3->2: 5 */
	CU_ASSERT_DOUBLE_EQUAL(s.total, 23, 1e-9);
	CU_ASSERT_EQUAL(s.wraps, 0);
	em_series_free(&s);
}

/* A 1.0 reading at accelerator scope has no energymon key: it was
 * accepted and the source said "the plugin emitted no energy" over 40 W of
 * GPU energy. emit() refuses it (declared metrics are for those scopes). */
static void test_1_0_reading_at_a_1_1_scope_is_refused(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(HOSTILE("accel10"), 0.05, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *notes = json_object_get(json_object_get(json_object_get(res, "monitors"), "hostile"), "notes");
	CU_ASSERT_EQUAL(json_number_value(json_object_get(json_object_get(notes, "rc_accel10"), "value")), -EINVAL);
	CU_ASSERT_EQUAL(mon->sources[0]->nseries, 0);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* A gauge emitted already in create() (time stamp 0, no call in progress)
 * was stamped mono 0: a 0.1 s run covered the whole uptime and its 100 W
 * integrated to megajoules. Readings begin with start(). */
static void test_reading_from_create_is_refused(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	json_t *res = measure(HOSTILE("create_emit"), 0.1, &mon, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *notes = json_object_get(json_object_get(json_object_get(res, "monitors"), "hostile"), "notes");
	CU_ASSERT_EQUAL(json_number_value(json_object_get(json_object_get(notes, "rc_create_emit"), "value")), -EBUSY);
	const json_t *m = json_array_get(json_object_get(res, "metrics"), 0);
	/* the run's length, not the machine's uptime (start() reads before the
	 * host notes the start time, so not bounded by duration exactly) */
	CU_ASSERT(json_number_value(json_object_get(m, "covered_s")) < 10);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(m, "energy_j")),
	                       100 * json_number_value(json_object_get(m, "covered_s")), 1e-6);
	json_decref(res);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"sources whose files collide are refused", test_sources_whose_files_collide_are_refused},
		{"source named like the composite is refused", test_source_named_like_the_composite_is_refused},
		{"set_targets with a huge count is refused", test_set_targets_with_a_huge_count_is_refused},
		{"1.0 reading of a declared own metric is refused", test_1_0_reading_of_a_declared_own_metric_is_refused},
		{"emit after the source finished is cancelled", test_emit_after_the_source_finished_is_cancelled},
		{"thousands of declarations stop at the series cap", test_thousands_of_declarations_stop_at_the_series_cap},
		{"NULL pointers are refused, not dereferenced", test_null_pointers_are_refused_not_dereferenced},
		{"attributable needs energy or power", test_attributable_needs_energy_or_power},
		{"counter never counts backwards", test_counter_never_counts_backwards},
		{"1.0 reading at a 1.1 scope is refused", test_1_0_reading_at_a_1_1_scope_is_refused},
		{"reading from create is refused", test_reading_from_create_is_refused},
		CU_TEST_INFO_NULL,
	};
	return run_suite("hostile", tests);
}
