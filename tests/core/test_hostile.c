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

int main(void)
{
	CU_TestInfo tests[] = {
		{"sources whose files collide are refused", test_sources_whose_files_collide_are_refused},
		{"source named like the composite is refused", test_source_named_like_the_composite_is_refused},
		{"set_targets with a huge count is refused", test_set_targets_with_a_huge_count_is_refused},
		CU_TEST_INFO_NULL,
	};
	return run_suite("hostile", tests);
}
