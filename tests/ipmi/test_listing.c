/*
 * test_listing.c — the plugin listing (--list-plugins) probes ipmi with the
 * user's configuration, through the host's own callbacks. A list value that
 * probe() reads is handed over whole and freed with the listing (under
 * ASan's leak check this program fails otherwise), and a flag the plugin
 * refuses is the listed reason. No BMC needed.
 */
#include "../support/cunit_run.h"
#include "energymon.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const json_t *listed(const json_t *list, const char *name)
{
	size_t i;
	const json_t *p;
	json_array_foreach(list, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
			return p;
	return NULL;
}

static void test_probe_reads_a_list_value(void)
{
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	int rc = em_config_load_string("{\"ipmi_host\": \"127.0.0.1:1\", \"ipmi_username\": \"admin\", "
				       "\"ipmi_workarounds\": [\"opensesspriv\", \"nosuchflag\"]}", &cfg, &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	char *text = NULL;
	CU_ASSERT_EQUAL_FATAL(em_plugins_list(cfg, &text, &err), 0);
	json_t *list = json_loads(text, 0, NULL);
	const json_t *ipmi = listed(list, "ipmi");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ipmi);
	CU_ASSERT(json_is_true(json_object_get(ipmi, "loads")));
	CU_ASSERT(json_is_false(json_object_get(ipmi, "available")));
	/* the second item of the list: the whole list reached probe() */
	const char *reason = json_string_value(json_object_get(ipmi, "reason"));
	bool names_it = reason && strstr(reason, "\"nosuchflag\"");
	CU_ASSERT(names_it);
	if (!names_it)
		printf("\n  reason: %s\n", reason ? reason : "(none)");
	json_decref(list);
	free(text);
	em_config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"probe() in the listing reads a list value, freed with it", test_probe_reads_a_list_value},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("ipmi listing", NULL, NULL, tests);
}
