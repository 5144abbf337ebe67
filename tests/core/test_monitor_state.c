/* Monitor state documents: a real monitor of the test plugins, stopped,
 * written as a state document and rebuilt from it, must give the same
 * result JSON, the same files byte for byte and the same typed answers;
 * the rebuilt monitor's document is the original's. (The hostile documents
 * are in test_monitor_state_hostile.c.) Linked with the library's objects
 * to check the fields results read. */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>

static int differences;

static void differ(const char *what, size_t i, const char *field)
{
	fprintf(stderr, "\n    differs: %s %zu: %s", what, i, field);
	differences++;
}

static bool same_d(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

static bool same_s(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

#define SAME_D(what, i, a, b, f) if (!same_d((a).f, (b).f)) differ(what, i, #f)
#define SAME_S(what, i, a, b, f) if (!same_s((a).f, (b).f)) differ(what, i, #f)
#define SAME_I(what, i, a, b, f) if ((a).f != (b).f) differ(what, i, #f)

static void same_metrics(const struct em_monitor *a, const struct em_monitor *b, size_t source)
{
	for (size_t i = 0;; i++) {
		struct em_result_metric x = {.struct_size = sizeof(x)}, y = {.struct_size = sizeof(y)};
		int rx = em_result_metric(a, source, i, &x), ry = em_result_metric(b, source, i, &y);
		if (rx != ry)
			differ("metric", i, "return code");
		if (rx || ry)
			return;
		SAME_S("metric", i, x, y, key); SAME_S("metric", i, x, y, unit); SAME_S("metric", i, x, y, kind);
		SAME_S("metric", i, x, y, scope); SAME_I("metric", i, x, y, index); SAME_I("metric", i, x, y, declared);
		SAME_I("metric", i, x, y, attributable); SAME_D("metric", i, x, y, value);
		SAME_S("metric", i, x, y, reason); SAME_I("metric", i, x, y, readings);
		SAME_D("metric", i, x, y, covered_s); SAME_S("metric", i, x, y, source);
	}
}

static void same_source(const struct em_monitor *a, const struct em_monitor *b, size_t i)
{
	struct em_result_source x = {.struct_size = sizeof(x)}, y = {.struct_size = sizeof(y)};
	CU_ASSERT_EQUAL_FATAL(em_result_source(a, i, &x), 0);
	CU_ASSERT_EQUAL_FATAL(em_result_source(b, i, &y), 0);
	SAME_S("source", i, x, y, id); SAME_S("source", i, x, y, plugin); SAME_S("source", i, x, y, instance);
	SAME_I("source", i, x, y, available); SAME_I("source", i, x, y, measured); SAME_I("source", i, x, y, complete);
	SAME_D("source", i, x, y, timestamp); SAME_D("source", i, x, y, duration_s); SAME_D("source", i, x, y, covered_s);
	SAME_S("source", i, x, y, reason); SAME_I("source", i, x, y, started); SAME_I("source", i, x, y, samples);
	SAME_I("source", i, x, y, failed_samples); SAME_I("source", i, x, y, missed_deadlines);
	SAME_D("source", i, x, y, interval_requested_s); SAME_D("source", i, x, y, interval_used_s);
	SAME_D("source", i, x, y, interval_median_s); SAME_D("source", i, x, y, interval_p95_s);
	SAME_S("source", i, x, y, last_failure); SAME_S("source", i, x, y, abandoned);
	SAME_I("source", i, x, y, dropped_readings); SAME_I("source", i, x, y, series_limit);
	SAME_I("source", i, x, y, gap_count);
	same_metrics(a, b, i);
	for (size_t g = 0;; g++) {
		double f1 = 0, t1 = 0, f2 = 0, t2 = 0;
		int r1 = em_result_gap(a, i, g, &f1, &t1), r2 = em_result_gap(b, i, g, &f2, &t2);
		if (r1 != r2 || !same_d(f1, f2) || !same_d(t1, t2))
			differ("gap", g, "from/to");
		if (r1 || r2)
			break;
	}
	for (size_t n = 0;; n++) {
		const char *k1 = NULL, *v1 = NULL, *k2 = NULL, *v2 = NULL;
		int r1 = em_result_note(a, i, n, &k1, &v1), r2 = em_result_note(b, i, n, &k2, &v2);
		if (r1 != r2 || !same_s(k1, k2) || !same_s(v1, v2))
			differ("note", n, "key/text");
		if (r1 || r2)
			break;
	}
	for (size_t n = 0;; n++) {
		const char *l1 = NULL, *m1 = NULL, *l2 = NULL, *m2 = NULL;
		int r1 = em_result_log(a, i, n, &l1, &m1), r2 = em_result_log(b, i, n, &l2, &m2);
		if (r1 != r2 || !same_s(l1, l2) || !same_s(m1, m2))
			differ("log", n, "level/message");
		if (r1 || r2)
			break;
	}
}

static void same_typed_answers(const struct em_monitor *a, const struct em_monitor *b)
{
	struct em_result_run x = {.struct_size = sizeof(x)}, y = {.struct_size = sizeof(y)};
	CU_ASSERT_EQUAL_FATAL(em_result_run(a, &x), 0);
	CU_ASSERT_EQUAL_FATAL(em_result_run(b, &y), 0);
	SAME_I("run", 0, x, y, measured); SAME_I("run", 0, x, y, complete); SAME_D("run", 0, x, y, timestamp);
	SAME_D("run", 0, x, y, duration_s); SAME_D("run", 0, x, y, covered_s); SAME_D("run", 0, x, y, cpu_share);
	SAME_S("run", 0, x, y, cpu_share_source); SAME_D("run", 0, x, y, monitor_cpu_s);
	SAME_S("run", 0, x, y, measured_by); SAME_S("run", 0, x, y, agent_socket);
	size_t n = 0;
	struct em_result_source s = {.struct_size = sizeof(s)};
	while (em_result_source(a, n, &s) == 0)
		same_source(a, b, n++);
	CU_ASSERT(n > 0);
	CU_ASSERT_EQUAL(em_result_source(b, n, &s), -ENOENT);
	same_metrics(a, b, EM_RESULT_MERGED);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(1 << 22) : NULL;
	*len = buf ? fread(buf, 1, 1 << 22, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of a directory's files (NULL-terminated, caller frees). */
static char **names_in(const char *dir, size_t *n)
{
	char **names = calloc(64, sizeof(*names));
	DIR *d = opendir(dir);
	struct dirent *e;
	*n = 0;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && *n < 63)
			names[(*n)++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, *n, sizeof(*names), by_name);
	return names;
}

/* Both write their files; the two directories hold the same files, byte for byte. */
static void same_files(struct em_monitor *a, struct em_monitor *b)
{
	char da[PATH_MAX], db[PATH_MAX];
	struct em_error err = {0};
	fresh_output_dir(da, sizeof(da), "out");
	fresh_output_dir(db, sizeof(db), "out");
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(a, da, "job1", "call1", &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(b, db, "job1", "call1", &err), 0);
	size_t na, nb;
	char **fa = names_in(da, &na), **fb = names_in(db, &nb);
	CU_ASSERT(na >= 2);
	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (size_t i = 0; i < na; i++) {
		CU_ASSERT_STRING_EQUAL(fa[i], fb[i]);
		size_t la, lb;
		char *ta = slurp(da, fa[i], &la), *tb = slurp(db, fb[i], &lb);
		CU_ASSERT_FATAL(ta && tb);
		if (la != lb || memcmp(ta, tb, la))
			fprintf(stderr, "\n    %s differs", fa[i]);
		CU_ASSERT(la == lb && memcmp(ta, tb, la) == 0);
		free(ta);
		free(tb);
		free(fa[i]);
		free(fb[i]);
	}
	free(fa);
	free(fb);
}

/* The whole check: state -> rebuilt -> same JSON, files and typed answers;
 * the rebuilt monitor's state is the original's. Returns the parsed result. */
static json_t *check_round_trip(struct em_monitor *mon)
{
	char *state = em_monitor_state_json(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(state);
	struct em_monitor *copy = NULL;
	struct em_error err = {0};
	int rc = em_monitor_from_state(state, strlen(state), mon->cfg, &copy, &err);
	if (rc)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	char *ra = em_monitor_result_json(mon), *rb = em_monitor_result_json(copy);
	json_t *a = json_loads(ra, 0, NULL), *b = json_loads(rb, 0, NULL);
	CU_ASSERT_FATAL(a && b);
	CU_ASSERT(json_equal(a, b));
	CU_ASSERT_STRING_EQUAL(ra, rb);
	differences = 0;
	same_typed_answers(mon, copy);
	CU_ASSERT_EQUAL(differences, 0);
	same_files(mon, copy);
	char *again = em_monitor_state_json(copy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL(again, state); /* a round trip of a round trip is stable */
	/* every source the original loaded keeps its "plugin" object */
	for (size_t i = 0; i < mon->nsources; i++)
		CU_ASSERT_EQUAL(mon->sources[i]->plugin_abi[0] != '\0',
		                json_object_get(json_object_get(json_object_get(b, "monitors"), mon->sources[i]->name),
		                                "plugin") != NULL);
	free(again);
	free(ra);
	free(rb);
	free(state);
	json_decref(b);
	em_monitor_destroy(copy);
	return a;
}

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
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(monitor_of(res, "testpower"), "plugin"),
	                                                         "abi")), "1.1");
	json_decref(res);
	em_monitor_destroy(mon);
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
		{"placeholders round trip", test_placeholders_round_trip},
		{"abandoned source round trip", test_abandoned_source_round_trip},
		{"reader's settings apply", test_reader_settings_apply},
		{"state tables match the structs", test_state_tables_match_the_structs},
		CU_TEST_INFO_NULL,
	};
	return run_suite("monitor_state", tests);
}
