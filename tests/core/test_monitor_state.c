/* Monitor state documents: a real monitor of the test plugins, stopped,
 * written as a state document and rebuilt from it, must give the same
 * result JSON, the same files byte for byte and the same typed answers;
 * the rebuilt monitor's document is the original's. (The hostile documents
 * are in test_monitor_state_hostile.c.) Linked with the library's objects
 * to check the fields results read. */
#include "../../core/internal.h"
#include "test_util.h"
#include "state_round_trip.h"

#include <errno.h>
#include <math.h>

static const json_t *monitor_of(const json_t *res, const char *name)
{
	return json_object_get(json_object_get(res, "monitors"), name);
}

/* Power, a package counter, a process tree's CPU share (attribution) and
 * declared metrics with notes. */
static void test_power_cpu_and_declared_metrics_round_trip(void)
{
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower,testcpu,metricsplug\"},"
	                             " \"energy_sampling_interval\": 0.01}", 0.3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	json_t *res = check_round_trip(mon);
	/* what the round trip carried is really there */
	CU_ASSERT(json_is_number(json_object_get(json_object_get(res, "attribution"), "cpu_share")));
	CU_ASSERT(json_is_number(json_object_get(json_object_get(res, "energy"), "gpu0_energy")));
	CU_ASSERT(json_object_size(json_object_get(monitor_of(res, "metricsplug"), "notes")) > 5);
	/* testpower is built against this tree's header */
	char abi[16];
	snprintf(abi, sizeof(abi), "%u.%u", ENERGY_PLUGIN_ABI_MAJOR, ENERGY_PLUGIN_ABI_MINOR);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(monitor_of(res, "testpower"), "plugin"),
	                                                         "abi")), abi);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* ABI 1.3 readings with extreme but finite quality fields: a resolution
 * of 1e308 (not said: it made res_j infinite, the writer wrote null and
 * the reader refused the whole document), a lag of 1e9 s (cut to 60 s),
 * and ranges up to 1e14 W above the value (kept). The bound travels and
 * stays finite, ordered and non-negative in width. */
static void test_extreme_reading_quality_round_trips(void)
{
	const char *cfgs[] = {"\"testpower_resolution\": 1e308, \"testpower_lag_s\": 1e9",
	                      "\"testpower_range_w\": 1e14, \"testpower_lag_s\": 1e-300, \"testpower_resolution\": 1e15"};
	for (size_t k = 0; k < sizeof(cfgs) / sizeof(cfgs[0]); k++) {
		char json[512];
		snprintf(json, sizeof(json), "{\"lithops\": {\"energy_strategy\": \"testpower\"},"
		         " \"energy_sampling_interval\": 0.01, %s}", cfgs[k]);
		struct em_monitor *mon = run(json, 0.2);
		CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
		json_t *res = check_round_trip(mon);
		const json_t *u = json_object_get(json_object_get(monitor_of(res, "testpower"), "uncertainty"), "system");
		CU_ASSERT(json_is_object(u));
		double low = json_number_value(json_object_get(u, "low")), high = json_number_value(json_object_get(u, "high"));
		double half = json_number_value(json_object_get(u, "half_width"));
		CU_ASSERT(json_is_number(json_object_get(u, "low")) && json_is_number(json_object_get(u, "high")));
		CU_ASSERT(low <= high && half >= 0 && isfinite(half));
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(u, "unit")), "J");
		json_decref(res);
		em_monitor_destroy(mon);
	}
}

/* Failed samples (gaps, first and last failure), a wrapping counter, a
 * warning in the log, and an instance whose stop() fails. */
static void test_gaps_wraps_log_and_instances_round_trip(void)
{
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower,testpower:b\"},"
	                             " \"energy_sampling_interval\": 0.01, \"testpower_fail_from\": 0.1,"
	                             " \"testpower_fail_to\": 0.2, \"testpower_counter_max\": 3,"
	                             " \"testpower_warning\": \"careful\","
	                             " \"testpower:b\": {\"testpower_watts\": 250, \"testpower_fail_stop\": true}}", 0.35);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	json_t *res = check_round_trip(mon);
	const json_t *power = json_array_get(json_object_get(monitor_of(res, "testpower"), "series"), 0);
	CU_ASSERT(json_integer_value(json_object_get(power, "gap_count")) >= 1);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(monitor_of(res, "testpower"), "log"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(monitor_of(res, "testpower:b"), "instance")), "b");
	bool wrapped = false;
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(monitor_of(res, "testpower"), "series"), i, s)
		wrapped |= json_integer_value(json_object_get(s, "wraps")) > 0;
	CU_ASSERT(wrapped);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* Placeholders: a plugin that cannot run here (no library state at all)
 * and one that measures nothing. */
static void test_placeholders_round_trip(void)
{
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower,unavailable\"},"
	                             " \"energy_allow_unavailable\": true, \"testpower_silent\": true,"
	                             " \"energy_sampling_interval\": 0.01}", 0.1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	json_t *res = check_round_trip(mon);
	CU_ASSERT(json_is_true(json_object_get(res, "placeholder")));
	CU_ASSERT(json_is_string(json_object_get(monitor_of(res, "unavailable"), "reason")));
	json_decref(res);
	em_monitor_destroy(mon);
}

/* A source abandoned inside sample(): "abandoned", its call and the gap to
 * the end come through. */
static void test_abandoned_source_round_trip(void)
{
	int release[2], notify[2];
	CU_ASSERT_FATAL(pipe(release) == 0 && pipe(notify) == 0);
	char json[512];
	snprintf(json, sizeof(json),
	         "{\"lithops\": {\"energy_strategy\": \"hang,testpower\"}, \"energy_sampling_interval\": 0.01,"
	         " \"hang_fd\": %d, \"hang_notify_fd\": %d, \"hang_in\": \"sample\", \"hang_from_sample\": 3}",
	         release[0], notify[1]);
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(json, &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_create(cfg, 0, &mon, &err), 0);
	CU_ASSERT_PTR_NULL(em_monitor_state_json(mon)); /* not started */
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	CU_ASSERT_PTR_NULL(em_monitor_state_json(mon)); /* not stopped */
	char c = 0;
	while (c != 'H' && read(notify[0], &c, 1) >= 0)
		;
	sleep_s(0.05);
	em_monitor_abandon(mon);
	CU_ASSERT_EQUAL_FATAL(em_monitor_stop(mon, &err), 0);
	CU_ASSERT_FATAL(mon->sources[0]->abandoned);
	json_t *res = check_round_trip(mon);
	ASSERT_CONTAINS(json_string_value(json_object_get(json_object_get(monitor_of(res, "hang"), "abandoned"),
	                                                  "call")), "sample");
	json_decref(res);
	em_monitor_destroy(mon);
	close(release[1]);
	wait_abandoned_gone("hang");
	close(release[0]);
	close(notify[0]);
	close(notify[1]);
	em_config_free(cfg);
}

/* What energymond sends: a window's result (a stopped monitor made from a
 * continuous one, window.c) for a process tree, round trips like any
 * other. Overlapping windows, one with a tree (attribution) and one
 * without. Until window.c is built (-ENOSYS) there is nothing to check. */
static void test_window_results_round_trip(void)
{
	struct em_config *cfg = NULL;
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string("{\"lithops\": {\"energy_strategy\": \"testpower,testcpu,metricsplug\"},"
	                                            " \"energy_sampling_interval\": 0.02}", &cfg, &err), 0);
	int rc = em_monitor_create_continuous(cfg, &mon, &err);
	em_config_free(cfg);
	if (rc == -ENOSYS) {
		fprintf(stderr, "\n    (windows not built here: %s)", err.message);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_start(mon, &err), 0);
	struct em_window *tree = NULL, *plain = NULL;
	CU_ASSERT_EQUAL_FATAL(em_window_begin(mon, getpid(), NULL, 0, &tree, &err), 0);
	sleep_s(0.1);
	CU_ASSERT_EQUAL_FATAL(em_window_begin(mon, 0, NULL, 0, &plain, &err), 0);
	sleep_s(0.2);
	struct em_monitor *results[2] = {NULL, NULL};
	CU_ASSERT_EQUAL_FATAL(em_window_end(mon, tree, &results[0], &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_window_end(mon, plain, &results[1], &err), 0);
	for (int i = 0; i < 2; i++) {
		json_t *res = check_round_trip(results[i]);
		CU_ASSERT(json_is_number(json_object_get(json_object_get(res, "energy"), "system")));
		json_decref(res);
		em_monitor_destroy(results[i]);
	}
	em_monitor_destroy(mon);
}

/* The reader's own settings: its output dir and function name, or the
 * defaults with no configuration; the writer's requested interval. */
static void test_reader_settings_apply(void)
{
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"},"
	                             " \"energy_sampling_interval\": 0.02}", 0.1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	char *state = em_monitor_state_json(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(state);
	char dir[PATH_MAX], json[PATH_MAX + 200];
	fresh_output_dir(dir, sizeof(dir), "mine");
	snprintf(json, sizeof(json), "{\"energy_output_dir\": \"%s\", \"energy_function_name\": \"f\","
	         " \"energy_sampling_interval\": 5}", dir);
	struct em_config *cfg = NULL;
	struct em_monitor *copy = NULL, *plain = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(json, &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_from_state(state, strlen(state), cfg, &copy, &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(copy, NULL, "j", "c", &err), 0);
	size_t len = 0;
	char *text = slurp(dir, "j_c_testpower.json", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	text[len < (1 << 22) ? len : len - 1] = '\0';
	ASSERT_CONTAINS(text, "\"function_name\": \"f\"");
	ASSERT_CONTAINS(text, "\"interval_requested_s\": 0.02");
	free(text);
	CU_ASSERT_EQUAL(em_monitor_from_state(state, strlen(state), NULL, &plain, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(plain);
	em_monitor_destroy(plain);
	em_monitor_destroy(copy);
	em_config_free(cfg);
	free(state);
	em_monitor_destroy(mon);
}

/* The document embedded in a larger message (energymond's `end` answer),
 * written with EM_STATE_REALS and read back already parsed. */
static void test_state_embedded_in_a_message_round_trips(void)
{
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower,testcpu\"},"
	                             " \"energy_sampling_interval\": 0.01}", 0.15);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	json_t *msg = json_pack("{s:i,s:b,s:o}", "v", 1, "ok", 1, "state", em_monitor_state_doc(mon));
	char *text = json_dumps(msg, JSON_COMPACT | EM_STATE_REALS);
	json_t *back = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
	struct em_monitor *copy = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_from_state_doc(json_object_get(back, "state"), mon->cfg, &copy, &err), 0);
	char *ra = em_monitor_result_json(mon), *rb = em_monitor_result_json(copy);
	CU_ASSERT_STRING_EQUAL(ra, rb);
	differences = 0;
	same_typed_answers(mon, copy);
	CU_ASSERT_EQUAL(differences, 0);
	free(ra);
	free(rb);
	free(text);
	json_decref(back);
	json_decref(msg);
	em_monitor_destroy(copy);
	em_monitor_destroy(mon);
}

/* The fields tables describe each member with its own size. */
static void test_state_tables_match_the_structs(void)
{
	static const size_t sizes[] = {
		[EM_F_BOOL] = sizeof(bool), [EM_F_PID] = sizeof(pid_t), [EM_F_U32] = 4, [EM_F_UINT] = sizeof(unsigned),
		[EM_F_U64] = 8, [EM_F_SIZE] = sizeof(size_t), [EM_F_I64] = 8, [EM_F_REAL] = sizeof(double),
		[EM_F_REAL_NONNEG] = sizeof(double),
	};
	const struct em_state_field *tables[] = {em_state_monitor_fields, em_state_source_fields, em_state_series_fields};
	for (size_t t = 0; t < 3; t++)
		for (const struct em_state_field *f = tables[t]; f->name; f++) {
			bool ok = f->type == EM_F_TEXT ? f->size > 1 : f->size == sizes[f->type];
			if (!ok)
				fprintf(stderr, "\n    %s: size %zu for its type\n", f->name, f->size);
			CU_ASSERT(ok);
		}
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"power, cpu share and declared metrics round trip", test_power_cpu_and_declared_metrics_round_trip},
		{"gaps, wraps, log and instances round trip", test_gaps_wraps_log_and_instances_round_trip},
		{"extreme reading quality round trips", test_extreme_reading_quality_round_trips},
		{"placeholders round trip", test_placeholders_round_trip},
		{"abandoned source round trip", test_abandoned_source_round_trip},
		{"window results round trip", test_window_results_round_trip},
		{"reader's settings apply", test_reader_settings_apply},
		{"state embedded in a message round trips", test_state_embedded_in_a_message_round_trips},
		{"state tables match the structs", test_state_tables_match_the_structs},
		CU_TEST_INFO_NULL,
	};
	return run_suite("monitor_state", tests);
}
