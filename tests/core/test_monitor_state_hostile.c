/* Hostile monitor state documents: each mutation of a valid document (a
 * real monitor's, with gaps, a log line, two sources) is refused with
 * -EPROTO and a message naming the member, builds no monitor, and leaks
 * nothing (run under ASan). */
#include "../../core/internal.h"
#include "test_util.h"

#include <errno.h>
#include <math.h>

static char *valid_state; /* testpower (gaps, a warning), testcpu, metricsplug (declared metrics) */

static json_t *src0(json_t *d)
{
	return json_array_get(json_object_get(d, "sources"), 0);
}

static json_t *ser0(json_t *d)
{
	return json_array_get(json_object_get(src0(d), "series"), 0);
}

/* metricsplug's series i: 0 gpu0_energy, 1 gpu_temp, 3 its keyless package counter */
static json_t *declared(json_t *d, size_t i)
{
	return json_array_get(json_object_get(json_array_get(json_object_get(d, "sources"), 2), "series"), i);
}

static void set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

static json_t *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	json_t *v = json_string(s);
	free(s);
	return v;
}

#define M(name) static void name(json_t *d)
M(no_version) { json_object_del(d, "state_version"); }
M(version_2) { set(d, "state_version", json_integer(2)); }
M(no_sources) { json_object_del(d, "sources"); }
M(sources_object) { set(d, "sources", json_object()); }
M(sources_empty) { set(d, "sources", json_array()); }
M(pid_string) { set(d, "target_pid", json_string("1")); }
M(pid_negative) { set(d, "target_pid", json_integer(-5)); }
M(self_cpu_null) { set(d, "self_cpu_s", json_null()); }
M(stop_before_start) { set(d, "stop_mono", json_integer(json_integer_value(json_object_get(d, "start_mono")) - 1)); }
M(interval_negative) { set(d, "interval_requested_s", json_real(-1)); }
/* A fleet agent holds ~1000 sources, so the cap is 4096: one more is
 * refused by its count, before any element is read (nulls will do). */
M(too_many_sources)
{
	json_t *all = json_object_get(d, "sources");
	while (json_array_size(all) < 4097)
		json_array_append_new(all, json_null());
}
M(name_missing) { json_object_del(src0(d), "name"); }
M(name_too_long) { set(src0(d), "name", repeat('a', 100)); }
M(name_not_an_id) { set(src0(d), "name", json_string("Test Power")); }
M(file_tag_escapes) { set(src0(d), "file_tag", json_string("../x")); }
M(file_tag_composite) { set(src0(d), "file_tag", json_string("composite")); }
M(named_composite)
{
	set(src0(d), "name", json_string("composite"));
	set(src0(d), "plugin", json_string("composite"));
	set(src0(d), "file_tag", json_string("composite"));
}
M(same_id_twice) { json_array_set_new(json_object_get(d, "sources"), 1, json_deep_copy(src0(d))); }
M(plugin_mismatch) { set(src0(d), "plugin", json_string("ipmi")); }
M(reason_too_long) { set(src0(d), "reason", repeat('r', 600)); }
M(available_string) { set(src0(d), "available", json_string("yes")); }
M(samples_negative) { set(src0(d), "samples", json_integer(-1)); }
M(max_series_huge) { set(src0(d), "max_series", json_integer(70000)); }
M(more_series_than_max) { set(src0(d), "max_series", json_integer(1)); }
M(in_call_hostile) { set(src0(d), "in_call", json_string("system")); }
M(notes_deep)
{
	json_t *v = json_integer(1);
	for (int i = 0; i < 10; i++)
		v = json_pack("[o]", v);
	set(src0(d), "notes", json_pack("{s:o}", "deep", v));
}
M(notes_array) { set(src0(d), "notes", json_array()); }
M(log_line_bad) { set(src0(d), "log_lines", json_pack("[{s:i,s:s}]", "level", 3, "message", "x")); }
M(finals_string) { set(src0(d), "finals", json_string("x")); }
M(bucket_out_of_range)
{
	set(json_object_get(src0(d), "intervals"), "buckets", json_pack("[[i,i]]", EM_INTERVAL_BUCKETS, 1));
}
M(bucket_count_mismatch) { set(json_object_get(src0(d), "intervals"), "count", json_integer(123456)); }
M(series_missing) { json_object_del(src0(d), "series"); }
M(series_not_object) { json_array_set_new(json_object_get(src0(d), "series"), 0, json_string("s")); }
M(quantity_99) { set(ser0(d), "quantity", json_integer(99)); }
M(scope_0) { set(ser0(d), "scope", json_integer(0)); }
M(kind_7) { set(ser0(d), "kind", json_integer(7)); }
M(unit_99) { set(ser0(d), "unit", json_integer(99)); }
M(total_null) { set(ser0(d), "total", json_null()); }
M(total_string) { set(ser0(d), "total", json_string("NaN")); }
M(readings_real) { set(ser0(d), "readings", json_real(1.5)); }
M(sensor_64) { set(ser0(d), "sensor", repeat('s', 64)); }
M(unit_name_long) { set(ser0(d), "unit_name", repeat('u', 20)); }
M(keep_every_0) { set(ser0(d), "keep_every", json_integer(0)); }
static void points(json_t *d, size_t n, bool in_order)
{
	json_t *walls = json_array(), *values = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(walls, json_integer(in_order || i != 1 ? (json_int_t)i : 1000));
		json_array_append_new(values, json_real(1.0));
	}
	set(ser0(d), "points_wall_ns", walls);
	set(ser0(d), "points_value", values);
}
M(points_5000) { points(d, 5000, true); }
M(points_out_of_order) { points(d, 3, false); }
M(points_lengths_differ) { json_array_append_new(json_object_get(ser0(d), "points_value"), json_real(1)); }
M(point_value_string) { json_array_set_new(json_object_get(ser0(d), "points_value"), 0, json_string("1")); }
M(gap_why_7) { json_array_set_new(json_array_get(json_object_get(ser0(d), "gap_list"), 0), 2, json_integer(7)); }
M(gap_list_extra) { json_array_append_new(json_object_get(ser0(d), "gap_list"), json_pack("[i,i,i]", 1, 2, 0)); }
M(declared_key_reserved) { set(declared(d, 0), "key", json_string("pkg")); }
M(declared_key_path) { set(declared(d, 0), "key", json_string("../x")); }
M(attributable_temperature) { set(declared(d, 1), "metric_flags", json_integer(ENERGY_METRIC_ATTRIBUTABLE)); }
M(keyless_wrong_sensor) { set(declared(d, 3), "sensor", json_string("index-9")); }
M(reading_with_a_key) { set(ser0(d), "key", json_string("x")); }
M(reading_kind_not_its_quantity) { set(ser0(d), "kind", json_integer(ENERGY_KIND_COUNTER)); }
M(plugin_abi_junk) { set(src0(d), "plugin_abi", json_string("1.1; rm")); }
M(unc_var_negative) { set(ser0(d), "unc.var_j2", json_real(-1)); }
M(unc_res_nan) { set(ser0(d), "unc.res_j", json_null()); } /* how a writer's NaN would travel */
M(unc_burst_hi_negative) { set(ser0(d), "unc.burst_hi_j", json_real(-2)); }
M(unc_burst_lo_positive) { set(ser0(d), "unc.burst_lo_j", json_real(1e6)); }
M(unc_ranged_huge_negative) { set(ser0(d), "unc.ranged_s", json_real(-1e308)); }
M(source_array) { json_array_set_new(json_object_get(d, "sources"), 0, json_array()); }

static const struct mutation {
	const char *what, *needle;
	void (*apply)(json_t *);
} mutations[] = {
	{"state_version removed", "state_version: missing", no_version},
	{"state_version 2", "state_version: unknown version", version_2},
	{"sources removed", "sources: missing", no_sources},
	{"sources an object", "sources: expected an array", sources_object},
	{"sources empty", "sources: empty", sources_empty},
	{"target_pid a string", "target_pid: expected an integer, found a string", pid_string},
	{"target_pid negative", "target_pid: -5 is out of range", pid_negative},
	{"self_cpu_s null", "self_cpu_s: expected a finite number, found null", self_cpu_null},
	{"stop before start", "stop_mono: before start_mono", stop_before_start},
	{"interval negative", "interval_requested_s: expected a finite number >= 0", interval_negative},
	{"4097 sources", "sources: 4097 sources, more than 4096", too_many_sources},
	{"name removed", "sources[0].name: missing", name_missing},
	{"name too long", "sources[0].name: 100 bytes, more than 63", name_too_long},
	{"name not an id", "sources[0].name: 'Test Power' is not a source id", name_not_an_id},
	{"file_tag ../x", "sources[0].file_tag: does not go with source id 'testpower'", file_tag_escapes},
	{"file_tag composite", "sources[0].file_tag: does not go with", file_tag_composite},
	{"a source named composite", "sources[0]: source 'composite': its files would be named like the composite",
	 named_composite},
	{"one id twice", "sources[1]: sources 'testpower' and 'testpower' would write the same files", same_id_twice},
	{"plugin not the id's", "sources[0].plugin: does not go with", plugin_mismatch},
	{"reason too long", "sources[0].reason: 600 bytes, more than 511", reason_too_long},
	{"available a string", "sources[0].available: expected true or false, found a string", available_string},
	{"samples negative", "sources[0].samples: -1 is out of range", samples_negative},
	{"max_series 70000", "sources[0].max_series: 70000 is out of range (1 to 65536)", max_series_huge},
	{"more series than max_series", "series (max_series), more than 1", more_series_than_max},
	{"in_call not a method", "sources[0].in_call: expected null or a plugin method's name", in_call_hostile},
	{"notes nested deep", "sources[0].notes: nested deeper than 4 levels", notes_deep},
	{"notes an array", "sources[0].notes: expected an object or null, found an array", notes_array},
	{"log line level a number", "sources[0].log_lines: line 0 is not", log_line_bad},
	{"finals a string", "sources[0].finals: expected an array or null, found a string", finals_string},
	{"bucket index out of range", "sources[0].intervals.buckets: entry 0 is not [index, n]", bucket_out_of_range},
	{"bucket counts do not add up", "sources[0].intervals: count 123456, but the buckets hold", bucket_count_mismatch},
	{"series removed", "sources[0].series: missing", series_missing},
	{"series not an object", "sources[0].series[0]: expected an object, found a string", series_not_object},
	{"quantity 99", "sources[0].series[0].quantity: out of range", quantity_99},
	{"scope 0", "sources[0].series[0].scope: out of range", scope_0},
	{"kind 7", "sources[0].series[0].kind: out of range", kind_7},
	{"unit 99", "sources[0].series[0].unit: out of range", unit_99},
	{"NaN total (null)", "sources[0].series[0].total: expected a finite number, found null", total_null},
	{"NaN total (text)", "sources[0].series[0].total: expected a finite number, found a string", total_string},
	{"readings 1.5", "sources[0].series[0].readings: expected an integer, found a real", readings_real},
	{"sensor 64 bytes", "sources[0].series[0].sensor: 64 bytes, more than 63", sensor_64},
	{"unit_name 20 bytes", "sources[0].series[0].unit_name: 20 bytes, more than 15", unit_name_long},
	{"keep_every 0", "sources[0].series[0].keep_every: out of range", keep_every_0},
	{"5000 points", "sources[0].series[0].points_wall_ns: 5000 points, more than 4096", points_5000},
	{"points out of order", "sources[0].series[0].points_wall_ns: point 2 is earlier than the one before it", points_out_of_order},
	{"one more value than times", "sources[0].series[0].points_value: ", points_lengths_differ},
	{"a point's value a string", "sources[0].series[0].points_value: point 0: expected a finite number",
	 point_value_string},
	{"gap reason 7", "sources[0].series[0].gap_list: entry 0 is not", gap_why_7},
	{"more gaps listed than counted", "sources[0].series[0].gap_list: ", gap_list_extra},
	{"declared key energymon's own", "sources[2].series[0].key: not a declaration the host accepts: metric key "
	 "'pkg' is energymon's own", declared_key_reserved},
	{"declared key a path", "sources[2].series[0].key: not a declaration the host accepts", declared_key_path},
	{"attributable temperature", "sources[2].series[1].key: not a declaration the host accepts", attributable_temperature},
	{"keyless declared, another sensor", "sources[2].series[3].quantity: does not go with its declaration",
	 keyless_wrong_sensor},
	{"a reading's series with a key", "sources[0].series[0].quantity: a reading's series of quantity 1", reading_with_a_key},
	{"a reading's kind not its quantity's", "sources[0].series[0].quantity: a reading's series",
	 reading_kind_not_its_quantity},
	{"plugin_abi not a version", "sources[0].plugin_abi: '1.1; rm' is not major.minor", plugin_abi_junk},
	{"a source an array", "sources[0]: expected an object, found an array", source_array},
	{"a negative variance", "sources[0].series[0].unc.var_j2: -1 is negative", unc_var_negative},
	{"a NaN resolution term", "sources[0].series[0].unc.res_j: expected a finite number, found null", unc_res_nan},
	{"burst ceiling above negative", "sources[0].series[0].unc.burst_hi_j: -2 is negative", unc_burst_hi_negative},
	{"burst floor above zero", "sources[0].series[0].unc.burst_lo_j: 1e+06 is positive", unc_burst_lo_positive},
	{"ranged time -1e308", "sources[0].series[0].unc.ranged_s: -1e+308 is negative", unc_ranged_huge_negative},
};

static void expect_refused(const char *text, size_t len, const char *what, const char *needle)
{
	struct em_monitor *mon = (struct em_monitor *)1;
	struct em_error err = {0};
	int rc = em_monitor_from_state(text, len, NULL, &mon, &err);
	if (rc != -EPROTO || !strstr(err.message, needle))
		fprintf(stderr, "\n    %s: rc %d: %s\n    (expected \"%s\")", what, rc, err.message, needle);
	CU_ASSERT_EQUAL(rc, -EPROTO);
	CU_ASSERT_EQUAL(err.code, -EPROTO);
	CU_ASSERT_PTR_NULL(mon);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
	if (!rc)
		em_monitor_destroy(mon);
}

static void test_the_valid_document_is_accepted(void)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_from_state(valid_state, strlen(valid_state), NULL, &mon, &err), 0);
	/* what the mutations need is there */
	json_t *d = json_loads(valid_state, 0, NULL);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(d, "sources")), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(declared(d, 0), "key")), "gpu0_energy");
	CU_ASSERT(json_array_size(json_object_get(src0(d), "series")) >= 2);
	CU_ASSERT(json_array_size(json_object_get(ser0(d), "points_wall_ns")) >= 2);
	CU_ASSERT(json_array_size(json_object_get(ser0(d), "gap_list")) >= 1);
	CU_ASSERT(json_array_size(json_object_get(json_object_get(src0(d), "intervals"), "buckets")) >= 1);
	/* an unknown member is ignored: a later writer may add some */
	set(d, "from_the_future", json_true());
	char *text = json_dumps(d, 0);
	em_monitor_destroy(mon);
	mon = NULL;
	CU_ASSERT_EQUAL(em_monitor_from_state(text, strlen(text), NULL, &mon, &err), 0);
	em_monitor_destroy(mon);
	free(text);
	json_decref(d);
}

static void test_every_mutation_is_refused_naming_the_member(void)
{
	CU_ASSERT(sizeof(mutations) / sizeof(mutations[0]) >= 25);
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		json_t *d = json_loads(valid_state, 0, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		mutations[i].apply(d);
		char *text = json_dumps(d, JSON_COMPACT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		expect_refused(text, strlen(text), mutations[i].what, mutations[i].needle);
		free(text);
		json_decref(d);
	}
}

/* Every member of the document, of a source, of a series and of the
 * interval histogram: removed, or of another type, is refused naming it. */
static void each_member(const char *at, json_t *(*find)(json_t *), bool name_member)
{
	json_t *base = json_loads(valid_state, 0, NULL);
	const char *key;
	json_t *v;
	size_t checked = 0;
	json_object_foreach(find(base), key, v) {
		for (int how = 0; how < 2; how++) {
			json_t *d = json_loads(valid_state, 0, NULL);
			json_t *o = find(d);
			if (how == 0)
				json_object_del(o, key);
			else /* a string where none belongs, an integer where a string does */
				json_object_set_new(o, key, json_is_string(json_object_get(o, key)) ? json_integer(1)
				                                                                   : json_string("x"));
			char *text = json_dumps(d, JSON_COMPACT), needle[160], what[200];
			snprintf(needle, sizeof(needle), "%s%s%s", at, name_member && at[0] ? "." : "", name_member ? key : "");
			snprintf(what, sizeof(what), "%s %s", needle, how ? "of another type" : "removed");
			expect_refused(text, strlen(text), what, needle);
			free(text);
			json_decref(d);
			checked++;
		}
	}
	CU_ASSERT(checked >= 6); /* the smallest, the histogram, has three members */
	json_decref(base);
}

static json_t *whole(json_t *d)
{
	return d;
}

static json_t *intervals0(json_t *d)
{
	return json_object_get(src0(d), "intervals");
}

static void test_each_member_removed_or_mistyped_is_refused_naming_it(void)
{
	each_member("", whole, true);
	each_member("sources[0]", src0, true);
	each_member("sources[0].series[0]", ser0, true);
	each_member("sources[0].intervals", intervals0, false);
}

/* What the parser refuses, before any member is read. */
static void test_not_json_too_big_too_deep_or_not_utf8(void)
{
	expect_refused("{}", 2, "empty object", "state_version: missing");
	expect_refused("{\"state_version\": 1,", 20, "not JSON", "not JSON");
	expect_refused("[1]", 3, "an array", "expected an object, found an array");
	expect_refused("{\"state_version\": 1, \"state_version\": 1}", 40, "a member twice", "duplicate");
	/* a name with a byte that is not UTF-8 */
	char *bad = strdup(valid_state);
	char *name = strstr(bad, "\"testpower\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(name);
	name[2] = (char)0xff;
	expect_refused(bad, strlen(bad), "not UTF-8", "not JSON");
	free(bad);
	/* 3000 levels: deeper than the parser goes */
	size_t depth = 3000, len = 2 * depth + 64;
	char *deep = malloc(len);
	size_t n = (size_t)snprintf(deep, len, "{\"state_version\": 1, \"x\": ");
	for (size_t i = 0; i < depth; i++)
		deep[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	expect_refused(deep, n, "3000 levels deep", "not JSON");
	free(deep);
	/* 65 MiB: the valid document and blanks; refused before it is parsed */
	size_t big = (size_t)65 << 20;
	char *huge = malloc(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	memset(huge, ' ', big);
	memcpy(huge, valid_state, strlen(valid_state));
	expect_refused(huge, big, "65 MiB", "68157440 bytes, more than 67108864 (64 MiB)");
	free(huge);
	/* the length is the document: a NUL inside it is not the end */
	expect_refused("{}\0{}", 5, "a NUL byte", "not JSON");
}

static int make_valid_state(void)
{
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower,testcpu,metricsplug\"},"
	                             " \"energy_sampling_interval\": 0.01, \"testpower_fail_from\": 0.05,"
	                             " \"testpower_fail_to\": 0.1, \"testpower_warning\": \"careful\"}", 0.2);
	valid_state = mon ? em_monitor_state_json(mon) : NULL;
	em_monitor_destroy(mon);
	return valid_state ? 0 : 1;
}

int main(void)
{
	if (make_valid_state()) {
		fprintf(stderr, "FAIL: no valid state document to mutate\n");
		return 1;
	}
	CU_TestInfo tests[] = {
		{"the valid document is accepted", test_the_valid_document_is_accepted},
		{"every mutation is refused naming the member", test_every_mutation_is_refused_naming_the_member},
		{"each member removed or mistyped is refused naming it",
		 test_each_member_removed_or_mistyped_is_refused_naming_it},
		{"not JSON, too big, too deep or not UTF-8", test_not_json_too_big_too_deep_or_not_utf8},
		CU_TEST_INFO_NULL,
	};
	int rc = run_suite("monitor_state_hostile", tests);
	free(valid_state);
	return rc;
}
