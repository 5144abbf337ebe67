/* The typed result model and its merge (core/result_model.c, composite.c),
 * and the JSON and files written from it, on sources built by hand: two
 * instances of a GPU plugin declaring the same metric, a declared metric
 * with a reason, the headline keys' first-wins rule, attribution of a
 * declared metric, and the per-call files. Compiled together with the
 * core files it tests (internal symbols). */
#include "../../core/internal.h"
#include "../support/cunit_run.h"
#include "../../cli/cli.h"
#include "../../core/result_keys.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* em_now_ns lives in plugin_host.c, which this test does not compile in;
 * atomic_file.c's lock timeout needs it. */
int64_t em_now_ns(int clock_id)
{
	struct timespec ts;
	clock_gettime(clock_id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define T0_NS (1700000000LL * 1000000000LL)
#define RUN_S 10

static const struct energy_plugin power_vt = {.struct_size = sizeof(power_vt), .abi_major = 1, .abi_minor = 1,
                                              .measures = ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM), .name = "bmc"};
static const struct energy_plugin rapl_vt = {.struct_size = sizeof(rapl_vt), .abi_major = 1, .abi_minor = 1,
                                             .measures = ENERGY_MEASURES(ENERGY_SCOPE_CPU_PACKAGE) |
                                                         ENERGY_MEASURES(ENERGY_SCOPE_DRAM),
                                             .name = "rapl"};
static const struct energy_plugin gpu_vt = {.struct_size = sizeof(gpu_vt), .abi_major = 1, .abi_minor = 1,
                                            .measures = ENERGY_MEASURES(ENERGY_SCOPE_ACCELERATOR), .name = "mygpu"};
static const struct energy_plugin cpu_vt = {.struct_size = sizeof(cpu_vt), .abi_major = 1, .abi_minor = 1,
                                            .measures = ENERGY_MEASURES(ENERGY_SCOPE_PROCESS) |
                                                        ENERGY_MEASURES(ENERGY_SCOPE_SYSTEM),
                                            .name = "cpu"};

static struct em_config cfg = {.interval_s = 1, .max_series = 16};
static struct em_monitor mon;
static struct em_source sources[6];

static struct em_source *add_source(const char *plugin, const char *instance, const struct energy_plugin *vt)
{
	struct em_source *src = &sources[mon.nsources];
	memset(src, 0, sizeof(*src));
	snprintf(src->plugin, sizeof(src->plugin), "%s", plugin);
	snprintf(src->instance_name, sizeof(src->instance_name), "%s", instance);
	snprintf(src->name, sizeof(src->name), "%s%s%s", plugin, instance[0] ? ":" : "", instance);
	snprintf(src->file_tag, sizeof(src->file_tag), "%s%s%s", plugin, instance[0] ? "-" : "", instance);
	src->lib.vt = vt;
	/* what em_source_open fills from a loaded plugin, and results read */
	snprintf(src->plugin_abi, sizeof(src->plugin_abi), "%u.%u", vt->abi_major, vt->abi_minor);
	src->plugin_measures = vt->measures;
	src->available = src->started = true;
	src->start_mono = 0;
	src->stop_mono = RUN_S * 1000000000LL;
	src->start_wall = T0_NS;
	src->series = calloc(4, sizeof(*src->series));
	src->max_series = 4;
	mon.sources[mon.nsources++] = src;
	return src;
}

/* A 1.0 series fed one reading a second: `value(t)` for t = 0..RUN_S. */
static void reading_series(struct em_source *src, uint32_t q, uint32_t scope, const char *sensor, double v0,
                           double per_s)
{
	struct em_series *s = &src->series[src->nseries++];
	for (int t = 0; t <= RUN_S; t++) {
		struct energy_reading r = {.struct_size = sizeof(r), .quantity = q, .scope = scope,
		                           .value = v0 + per_s * t, .mono_ns = t * 1000000000LL,
		                           .wall_ns = T0_NS + t * 1000000000LL};
		snprintf(r.sensor, sizeof(r.sensor), "%s", sensor);
		if (t == 0)
			em_series_init(s, &r);
		em_series_add(s, &r, 0);
	}
}

/* A declared metric's series as the host leaves it at stop: its reduction
 * set directly, so this test does not depend on how series.c gets there. */
static struct em_series *declared(struct em_source *src, const char *key, uint32_t kind, uint32_t unit,
                                  uint32_t scope, uint32_t flags, double total, uint64_t readings)
{
	struct em_series *s = &src->series[src->nseries++];
	memset(s, 0, sizeof(*s));
	s->declared = true;
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->kind = kind;
	s->unit = unit;
	s->scope = scope;
	s->metric_flags = flags;
	s->readings = readings;
	s->keep_every = 1;
	if (readings > 1) {
		s->total = total;
		s->covered_s = RUN_S;
		s->min = s->max = s->mean = total / RUN_S;
	}
	return s;
}

static void setup_run(void)
{
	static struct em_source *slots[6];
	for (size_t i = 0; i < mon.nsources; i++) {
		for (size_t j = 0; j < sources[i].nseries; j++)
			em_series_free(&sources[i].series[j]);
		free(sources[i].series);
		sources[i].series = NULL;
	}
	em_results_free(mon.results);
	json_decref(mon.result);
	memset(&mon, 0, sizeof(mon));
	mon.cfg = &cfg;
	mon.sources = slots;
	mon.start_wall = T0_NS;
	mon.stop_mono = RUN_S * 1000000000LL;
	mon.started = mon.stopped = true;
}

/* Build the results again after changing a source. */
static void em_json_rebuild(void)
{
	json_decref(mon.result);
	mon.result = em_composite_result(&mon);
}

static json_t *finish_run(void)
{
	mon.result = em_composite_result(&mon);
	CU_ASSERT_PTR_NOT_NULL(mon.results);
	return mon.result;
}

static double number(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A string member, "(absent)" when there is none (strcmp needs one). */
static const char *text(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "(absent)";
}

static const json_t *metric_entry(const json_t *metrics, const char *key, const char *source)
{
	size_t i;
	json_t *m;
	json_array_foreach(metrics, i, m) {
		const char *from = text(m, "source");
		if (!strcmp(text(m, "key"), key) && (!source || (from && !strcmp(from, source))))
			return m;
	}
	return NULL;
}

/* bmc at 100 W, rapl's package at 30 W, other_bmc at 250 W, then two GPUs
 * and a process-CPU source whose share is 1/4. */
static json_t *typical_run(void)
{
	setup_run();
	reading_series(add_source("bmc", "", &power_vt), ENERGY_Q_POWER_W, ENERGY_SCOPE_SYSTEM, "dcmi", 100, 0);
	struct em_source *rapl = add_source("rapl", "", &rapl_vt);
	reading_series(rapl, ENERGY_Q_ENERGY_J, ENERGY_SCOPE_CPU_PACKAGE, "package-0", 5, 30);
	reading_series(add_source("bmc", "other", &power_vt), ENERGY_Q_POWER_W, ENERGY_SCOPE_SYSTEM, "dcmi", 250, 0);
	struct em_source *a = add_source("mygpu", "a", &gpu_vt), *b = add_source("mygpu", "b", &gpu_vt);
	declared(a, "gpu0_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR,
	         ENERGY_METRIC_ATTRIBUTABLE, 123, 11);
	declared(a, "gpu_power", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_ACCELERATOR, 0, 500, 11);
	declared(b, "gpu0_energy", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR,
	         ENERGY_METRIC_ATTRIBUTABLE, 456, 11);
	snprintf(declared(b, "gpu_power", ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT, ENERGY_SCOPE_ACCELERATOR, 0, 500, 11)
	                 ->reason,
	         ENERGY_REASON_MAX, "power1_average could not be read: Permission denied");
	declared(b, "gpu_temp", ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS, ENERGY_SCOPE_ACCELERATOR, 0, 0, 0);
	struct em_source *cpu = add_source("cpu", "", &cpu_vt);
	reading_series(cpu, ENERGY_Q_CPU_TIME_S, ENERGY_SCOPE_PROCESS, "tree", 0, 0.25);
	reading_series(cpu, ENERGY_Q_CPU_TIME_S, ENERGY_SCOPE_SYSTEM, "busy", 0, 1);
	reading_series(cpu, ENERGY_Q_CPU_TIME_S, ENERGY_SCOPE_SYSTEM, "idle", 0, 3);
	return finish_run();
}

static void test_two_instances_declaring_one_key_never_collide(void)
{
	const json_t *res = typical_run();
	const json_t *energy = json_object_get(res, "energy"), *from = json_object_get(res, "energy_sources");
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "gpu0_energy@mygpu:a"), 123, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "gpu0_energy@mygpu:b"), 456, 1e-9);
	CU_ASSERT_PTR_NULL(json_object_get(energy, "gpu0_energy"));
	CU_ASSERT_STRING_EQUAL(text(from, "gpu0_energy@mygpu:b"), "mygpu:b");
	CU_ASSERT_STRING_EQUAL(text(json_object_get(res, "units"), "gpu0_energy@mygpu:a"),
	                       "J");
	/* a watt gauge's value is its time-weighted mean, and its integral is given too */
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "gpu_power@mygpu:a"), 50, 1e-9);
	const json_t *m = metric_entry(json_object_get(res, "metrics"), "gpu_power", "mygpu:a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_DOUBLE_EQUAL(number(m, "energy_j"), 500, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(m, "kind"), "gauge");
	CU_ASSERT_STRING_EQUAL(text(m, "scope"), "accelerator");
	CU_ASSERT(json_is_true(json_object_get(m, "declared")));
	/* its energy carries a bound: a steady 50 W from a plugin that said
	 * nothing of its resolution or lag is bounded at exactly its value */
	const json_t *u = json_object_get(m, "uncertainty");
	CU_ASSERT_DOUBLE_EQUAL(number(u, "value"), 500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(u, "low"), 500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(u, "high"), 500, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(u, "unit"), "J");
	/* each source's own result names its metric plainly */
	const json_t *own = json_object_get(json_object_get(res, "monitors"), "mygpu:b");
	CU_ASSERT_DOUBLE_EQUAL(number(json_object_get(own, "energy"), "gpu0_energy"), 456, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(own, "source"), "mygpu:b");
}

/* Two plugins declaring one key are refused at create; if they ever met
 * here, the second's metric would be qualified, not lost. */
static void test_a_taken_declared_key_is_qualified_not_lost(void)
{
	setup_run();
	declared(add_source("alpha", "", &gpu_vt), "load", ENERGY_KIND_GAUGE, ENERGY_UNIT_RATIO,
	         ENERGY_SCOPE_OTHER, 0, 5, 11);
	declared(add_source("beta", "", &gpu_vt), "load", ENERGY_KIND_GAUGE, ENERGY_UNIT_RATIO, ENERGY_SCOPE_OTHER,
	         0, 7, 11);
	const json_t *res = finish_run(), *energy = json_object_get(res, "energy");
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "load"), 0.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "load@beta"), 0.7, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(json_object_get(res, "units"), "load"), "ratio");
}

static void test_a_declared_metric_with_a_reason_is_null_with_it(void)
{
	const json_t *res = typical_run();
	const json_t *own = json_object_get(json_object_get(res, "monitors"), "mygpu:b");
	const json_t *v = json_object_get(json_object_get(own, "energy"), "gpu_power");
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT(json_is_null(v)); /* although it had readings and a total */
	const json_t *m = metric_entry(json_object_get(own, "metrics"), "gpu_power", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT(json_is_null(json_object_get(m, "value")));
	CU_ASSERT_STRING_EQUAL(text(m, "reason"),
	                       "power1_average could not be read: Permission denied");
	CU_ASSERT(json_is_null(json_object_get(json_object_get(res, "energy"), "gpu_power@mygpu:b")));
	/* never read at all: null, with why */
	m = metric_entry(json_object_get(own, "metrics"), "gpu_temp", NULL);
	CU_ASSERT_STRING_EQUAL(text(m, "reason"), "no readings");
	CU_ASSERT_STRING_EQUAL(text(m, "unit"), "degC");
	/* the source still measured (its energy counter) */
	CU_ASSERT(json_is_false(json_object_get(own, "placeholder")));
}

static void test_headline_keys_are_first_wins_in_strategy_order(void)
{
	const json_t *res = typical_run();
	const json_t *energy = json_object_get(res, "energy"), *from = json_object_get(res, "energy_sources");
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "system"), 1000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "avg_power"), 100, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(from, "system"), "bmc");
	CU_ASSERT_STRING_EQUAL(text(from, "max_power"), "bmc");
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "pkg"), 300, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(from, "pkg"), "rapl");
	/* the later source's system is kept in its own result only */
	const json_t *other = json_object_get(json_object_get(res, "monitors"), "bmc:other");
	CU_ASSERT_DOUBLE_EQUAL(number(json_object_get(other, "energy"), "system"), 2500, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(metric_entry(json_object_get(res, "metrics"), "system", "bmc:other"));
	/* only the "busy" sensor is the machine's busy time */
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "machine_busy_time"), 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "cpu_share"), 0.25, 1e-9);
	/* the composite lists every metric of every source, naming it */
	const json_t *m = metric_entry(json_object_get(res, "metrics"), "pkg", "rapl");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT(json_is_false(json_object_get(m, "declared")));
	CU_ASSERT_STRING_EQUAL(text(m, "kind"), "counter");
	CU_ASSERT_STRING_EQUAL(text(m, "scope"), "cpu_package");
	CU_ASSERT(json_is_true(json_object_get(m, "attributable")));
}

static void test_attributable_declared_metrics_are_attributed(void)
{
	const json_t *res = typical_run();
	const json_t *energy = json_object_get(res, "energy"), *from = json_object_get(res, "energy_sources");
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "attributed_gpu0_energy@mygpu:a"), 123 * 0.25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "attributed_gpu0_energy@mygpu:b"), 456 * 0.25, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(from, "attributed_gpu0_energy@mygpu:a"),
	                       "mygpu:a x cpu");
	/* a metric not declared attributable is not */
	CU_ASSERT_PTR_NULL(json_object_get(energy, "attributed_gpu_power@mygpu:a"));
	/* the table's own attributions are unchanged */
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "attributed_system"), 250, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(energy, "attributed_pkg"), 75, 1e-9);
	const json_t *done = json_object_get(json_object_get(res, "attribution"), "attributed");
	size_t i;
	json_t *k;
	bool listed = false;
	json_array_foreach(done, i, k) {
		if (json_is_string(k) && !strcmp(json_string_value(k), "attributed_gpu0_energy@mygpu:b"))
			listed = true;
	}
	CU_ASSERT(listed);
}

static json_t *load(const char *dir, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return json_load_file(path, JSON_DISABLE_EOF_CHECK, NULL); /* a summary: its first line */
}

static void test_files_hold_declared_keys_plain_and_null_when_unmeasured(void)
{
	typical_run();
	char dir[] = "result-model-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(&mon, dir, "J", "0", &err), 0);
	json_t *f = load(dir, "J_0_mygpu-b.json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	const json_t *ec = json_object_get(f, "energy_consumption");
	CU_ASSERT_STRING_EQUAL(text(ec, "source"), "mygpu:b");
	CU_ASSERT_DOUBLE_EQUAL(number(ec, "gpu0_energy"), 456, 1e-9);
	CU_ASSERT_STRING_EQUAL(text(json_object_get(ec, "units"), "gpu0_energy"), "J");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(ec, "gpu_temp"));
	CU_ASSERT(json_is_null(json_object_get(ec, "gpu_temp")));
	CU_ASSERT(json_is_null(json_object_get(ec, "gpu_power")));
	json_decref(f);
	/* a metric named like one of the file's own fields cannot be declared,
	 * and could it, it would not replace the field */
	CU_ASSERT(em_result_key_reserved("duration"));
	CU_ASSERT(em_result_key_reserved("units"));
	CU_ASSERT(!em_result_key_reserved("gpu0_energy"));
	declared(&sources[3], "duration", ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE, ENERGY_SCOPE_ACCELERATOR, 0, 7, 11);
	em_json_rebuild();
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(&mon, dir, "J", "1", &err), 0);
	f = load(dir, "J_1_mygpu-a.json");
	CU_ASSERT_DOUBLE_EQUAL(number(json_object_get(f, "energy_consumption"), "duration"), RUN_S, 1e-9);
	json_decref(f);
	/* energymon's keys keep their Lithops names; an owed one never measured is null */
	f = load(dir, "J_0_rapl.json");
	ec = json_object_get(f, "energy_consumption");
	CU_ASSERT_DOUBLE_EQUAL(number(ec, "energy_pkg"), 300, 1e-9);
	CU_ASSERT(json_is_null(json_object_get(ec, "energy_dram")));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(ec, "energy_dram"));
	json_decref(f);
	f = load(dir, "J_0_bmc-other.json");
	ec = json_object_get(f, "energy_consumption");
	CU_ASSERT_DOUBLE_EQUAL(number(ec, "energy_system"), 2500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(ec, "avg_power"), 250, 1e-9);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(f, "power_readings")), RUN_S + 1);
	json_decref(f);
	f = load(dir, "J_0_composite.json");
	ec = json_object_get(f, "energy_consumption");
	CU_ASSERT_DOUBLE_EQUAL(number(ec, "energy_attributed_system"), 250, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(number(ec, "gpu0_energy@mygpu:a"), 123, 1e-9);
	json_decref(f);
	f = load(dir, "mygpu-a_summary.jsonl");
	CU_ASSERT_STRING_EQUAL(text(f, "source"), "mygpu:a");
	json_decref(f);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The CLI's summary (cli/summary.c) reads the typed result through the
 * public API and shows declared metrics of a plugin it has never heard of. */
static void test_the_summary_shows_declared_metrics(void)
{
	typical_run();
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	cli_print_summary(out, &mon, "'sleep'", 0);
	fclose(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  mygpu:a  gpu0_energy 123.000 J  gpu_power 50.000 W\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n         gpu_power: no value: power1_average could not be read: "
	                                    "Permission denied\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  bmc     system 1000.000 J  avg_power 100.000 W"));
	/* every energy says its bound: exact here, the readings said nothing of their resolution */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n         system 1000.000 J, 95 % bound [1000.000, 1000.000] J\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "cpu_share 25.0%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(25.0% of busy CPU time): system 250.000 J pkg 75.000 J "
	                                    "gpu0_energy@mygpu:a 30.750 J gpu0_energy@mygpu:b 114.000 J\n"));
	free(text);
	/* a struct from a caller built when it was smaller is filled only as far as it goes */
	struct em_result_metric m;
	memset(&m, 0xa5, sizeof(m));
	m.struct_size = offsetof(struct em_result_metric, index);
	CU_ASSERT_EQUAL(em_result_metric(&mon, EM_RESULT_MERGED, 0, &m), 0);
	CU_ASSERT_STRING_EQUAL(m.key, "system");
	CU_ASSERT_EQUAL(m.index, 0xa5a5a5a5u);
	m.struct_size = sizeof(m);
	CU_ASSERT_EQUAL(em_result_metric(&mon, 3, 9, &m), -ENOENT);
	m.struct_size = 4;
	CU_ASSERT_EQUAL(em_result_metric(&mon, 3, 0, &m), -EINVAL);
}

static void cleanup(void)
{
	setup_run();
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"two instances declaring one key never collide", test_two_instances_declaring_one_key_never_collide},
		{"a taken declared key is qualified, not lost", test_a_taken_declared_key_is_qualified_not_lost},
		{"a declared metric with a reason is null with it", test_a_declared_metric_with_a_reason_is_null_with_it},
		{"headline keys are first-wins in strategy order", test_headline_keys_are_first_wins_in_strategy_order},
		{"attributable declared metrics are attributed", test_attributable_declared_metrics_are_attributed},
		{"the summary shows declared metrics", test_the_summary_shows_declared_metrics},
		{"files hold declared keys plain and null when unmeasured",
		 test_files_hold_declared_keys_plain_and_null_when_unmeasured},
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"typed result model", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 2;
	int rc = cunit_run_registered();
	cleanup();
	return rc;
}
