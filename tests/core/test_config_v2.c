/* A 1.1 plugin that declares its keys only with config_keys_v2 and reads
 * them only with config_get_v2 (tests/core/plugins/testv2.c): its keys are
 * checked, typed, listed and refused on --set when secret exactly as a 1.0
 * plugin's are. */
#include "test_util.h"

#include <errno.h>

static const char *note(const json_t *res, const char *id, const char *key)
{
	const json_t *src = json_object_get(json_object_get(res, "monitors"), id);
	return json_string_value(json_object_get(json_object_get(src, "notes"), key));
}

static void test_values_arrive_through_config_get_v2(void)
{
	struct em_error err = {0};
	json_t *res = measure("{\"lithops\": {\"energy_strategy\": \"testv2:one,testv2\"}, "
	                      "\"energy_sampling_interval\": 0.02, \"testv2_watts\": 20, \"testv2_label\": \"top\", "
	                      "\"testv2_tags\": [\"x\", \"y\"], \"testv2_enabled\": true, "
	                      "\"testv2:one\": {\"testv2_label\": \"mine\", \"testv2_tags\": \"solo\"}}",
	                      0.1, NULL, &err);
	if (!res)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "testv2:one", "avg_power"), 20, 1e-9);
	CU_ASSERT_STRING_EQUAL(note(res, "testv2:one", "label"), "mine");
	CU_ASSERT_STRING_EQUAL(note(res, "testv2", "label"), "top");
	CU_ASSERT_STRING_EQUAL(note(res, "testv2:one", "first_tag"), "solo");
	CU_ASSERT_STRING_EQUAL(note(res, "testv2", "first_tag"), "x");
	const json_t *tags = json_object_get(json_object_get(json_object_get(json_object_get(res, "monitors"),
	                                                                     "testv2"), "notes"), "tags");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(tags, "value")), 2, 0);
	CU_ASSERT_STRING_EQUAL(note(res, "testv2", "enabled"), "true");
	CU_ASSERT_STRING_EQUAL(note(res, "testv2:one", "instance"), "one");
	CU_ASSERT_STRING_EQUAL(note(res, "testv2", "instance"), "none");
	/* the host filled nothing beyond the struct_size the plugin passed */
	CU_ASSERT_STRING_EQUAL(note(res, "testv2", "short_struct"), "untouched");
	json_decref(res);
}

static void test_v2_keys_are_checked(void)
{
	expect_error("{\"lithops\": {\"energy_strategy\": \"testv2\"}, \"testv2_wats\": 1}",
	             "testv2_wats: unknown key for plugin 'testv2'; it accepts: testv2_watts, testv2_label, "
	             "testv2_tags, testv2_enabled, testv2_secret");
	expect_error("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"testv2_watts\": \"x\"}",
	             "testv2_watts: expected a finite number (default: 10)");
	expect_error("{\"testv2:one\": {\"testv2_enabled\": 1}}", "testv2:one.testv2_enabled: expected true or false");
}

static void test_v2_keys_on_set(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_new(&cfg, &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "testv2_watts", "3", &err), 0);
	CU_ASSERT_EQUAL(em_config_set(cfg, "testv2_watts", "three", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "testv2_watts: 'three' is not a number");
	CU_ASSERT_EQUAL(em_config_set(cfg, "testv2_secret", "hunter2", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "testv2_secret: secrets are not accepted");
	CU_ASSERT_EQUAL(em_config_set(cfg, "testv2:one.testv2_secret", "hunter2", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "secrets are not accepted");
	em_config_free(cfg);
}

static void test_v2_keys_are_listed(void)
{
	char *text = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_plugins_list(NULL, &text, &err), 0);
	json_t *list = json_loads(text, 0, NULL);
	free(text);
	const json_t *keys = NULL;
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p)
		if (!strcmp(json_string_value(json_object_get(p, "name")), "testv2"))
			keys = json_object_get(p, "config_keys");
	CU_ASSERT_EQUAL_FATAL(json_array_size(keys), 5);
	const json_t *secret = json_array_get(keys, 4);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(secret, "name")), "testv2_secret");
	CU_ASSERT(json_is_true(json_object_get(secret, "secret")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(keys, 2), "type")), "string list");
	json_decref(list);
}

/* An entry shorter than ABI 1.1's struct energy_config_key_v2 is refused. */
static void test_short_v2_entry_is_refused(void)
{
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", getenv("ENERGYMON_TEST_FOREIGN_DIR"), 1);
	struct em_error err = {0};
	int rc = create_with_strategy("testv2short", &err);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	CU_ASSERT_EQUAL(rc, -EPROTO);
	ASSERT_CONTAINS(err.message, "plugin 'testv2short': an entry of config_keys_v2 has no name or a struct_size "
	                "smaller than struct energy_config_key_v2");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"values arrive through config_get_v2", test_values_arrive_through_config_get_v2},
		{"v2 keys are checked", test_v2_keys_are_checked},
		{"v2 keys on --set", test_v2_keys_on_set},
		{"v2 keys are listed", test_v2_keys_are_listed},
		{"a short v2 entry is refused", test_short_v2_entry_is_refused},
		CU_TEST_INFO_NULL,
	};
	return run_suite("config-v2", tests);
}
