/*
 * Which plugin files the loader trusts. Each test builds its tree under a
 * fresh root-owned 0755 directory in /tmp (the checkout itself may sit in a
 * 0700 or group-writable directory) from copies of the built test plugins.
 */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534

static char root[] = "/tmp/energymon-trust-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}


/* root/REL as a directory with this mode (chmod: the umask does not apply) */
static const char *dir_at(const char *rel, mode_t mode)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CU_ASSERT_FATAL(mkdir(path, 0700) == 0 && chmod(path, mode) == 0);
	return path;
}

/* Copy plugin NAME.so from the build (ENERGYMON_TEST_PLUGIN_DIR, or the
 * foreign dir for ctor*) into root/REL_DIR, mode 0755. */
static void copy_plugin(const char *name, const char *rel_dir)
{
	char src[PATH_MAX], dst[PATH_MAX], buf[65536];
	const char *from = strncmp(name, "ctor", 4) ? "ENERGYMON_TEST_PLUGIN_DIR" : "ENERGYMON_TEST_FOREIGN_DIR";
	snprintf(src, sizeof(src), "%s/%s.so", getenv(from), name);
	snprintf(dst, sizeof(dst), "%s/%s/%s.so", root, rel_dir, name);
	int in = open(src, O_RDONLY | O_CLOEXEC), out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	CU_ASSERT_FATAL(in >= 0 && out >= 0);
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CU_ASSERT_FATAL(write(out, buf, (size_t)n) == n);
	CU_ASSERT_FATAL(n == 0 && fchmod(out, 0755) == 0);
	close(in);
	close(out);
}

/* em_monitor_create with this strategy and ENERGYMON_PLUGIN_PATH=path */
static int create_with_path(const char *path, const char *strategy, struct em_error *err)
{
	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH"));
	setenv("ENERGYMON_PLUGIN_PATH", path, 1);
	int rc = create_with_strategy(strategy, err);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	return rc;
}

static bool running_as_root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "\n    not root: cannot give a file to uid %d, so this case is not checked\n", NOBODY);
	return false;
}

static void test_symlink_into_world_writable_dir_is_refused(void)
{
	const char *ww = dir_at("ww", 0777);
	char ww_path[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	snprintf(ww_path, sizeof(ww_path), "%s", ww);
	copy_plugin("testpower", "ww");
	const char *safe = dir_at("safe", 0755);
	snprintf(link, sizeof(link), "%s/testpower.so", safe);
	snprintf(target, sizeof(target), "%s/testpower.so", ww_path);
	CU_ASSERT_FATAL(symlink(target, link) == 0);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(safe, "testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, link);
	ASSERT_CONTAINS(err.message, "resolved to");
	ASSERT_CONTAINS(err.message, "has mode 0777 (world-writable, not sticky)");
	ASSERT_CONTAINS(err.message, ww_path);
	ASSERT_CONTAINS(err.message, "accepted: the file and every directory above it owned by root");
}

static void test_file_owned_by_another_user_is_refused(void)
{
	const char *dir = dir_at("nobodyfile", 0755);
	copy_plugin("testpower", "nobodyfile");
	if (!running_as_root())
		return;
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s/testpower.so", dir);
	CU_ASSERT_FATAL(chown(file, NOBODY, NOBODY) == 0);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(dir, "testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, file);
	ASSERT_CONTAINS(err.message, "the file is owned by uid 65534 (mode 0755)");
}

static void test_dir_owned_by_another_user_is_refused(void)
{
	const char *dir = dir_at("nobodydir", 0755);
	copy_plugin("testpower", "nobodydir");
	if (!running_as_root())
		return;
	CU_ASSERT_FATAL(chown(dir, NOBODY, NOBODY) == 0);
	char expect[PATH_MAX + 64];
	snprintf(expect, sizeof(expect), "directory %s is owned by uid 65534 (mode 0755)", dir);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(dir, "testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, expect);
}

static void test_group_writable_dir_is_refused(void)
{
	const char *dir = dir_at("groupw", 0775);
	copy_plugin("testpower", "groupw");
	char expect[PATH_MAX + 64];
	snprintf(expect, sizeof(expect), "directory %s has mode 0775 (group-writable, not sticky)", dir);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(dir, "testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, expect);
}

static void test_safe_dir_under_world_writable_parent_is_refused(void)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", dir_at("open", 0777));
	const char *dir = dir_at("open/safe", 0755);
	copy_plugin("testpower", "open/safe");
	char expect[PATH_MAX + 64];
	snprintf(expect, sizeof(expect), "directory %s has mode 0777 (world-writable, not sticky)", parent);
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(dir, "testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, expect);
}

static void test_sticky_parent_is_accepted_only_above_a_trusted_dir(void)
{
	dir_at("sticky", 01777);
	char own[PATH_MAX], other[PATH_MAX];
	snprintf(own, sizeof(own), "%s", dir_at("sticky/own", 0755));
	copy_plugin("testpower", "sticky/own");
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(own, "testpower", &err), 0);
	if (err.message[0])
		fprintf(stderr, "\n    %s\n", err.message);

	snprintf(other, sizeof(other), "%s", dir_at("sticky/other", 0755));
	copy_plugin("testpower", "sticky/other");
	if (!running_as_root())
		return;
	CU_ASSERT_FATAL(chown(other, NOBODY, NOBODY) == 0);
	char expect[PATH_MAX + 64];
	snprintf(expect, sizeof(expect), "directory %s is owned by uid 65534", other);
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(create_with_path(other, "testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, expect);
}

static void test_plugin_directly_in_sticky_dir_is_refused(void)
{
	const char *dir = dir_at("stickyflat", 01777);
	copy_plugin("testpower", "stickyflat");
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(dir, "testpower", &err), -EPERM);
	ASSERT_CONTAINS(err.message, "sticky, but the plugin file sits directly in it");
}

/* Each relative entry would find the plugin from the cwd it is tried in. */
static void test_relative_entries_are_refused(void)
{
	dir_at("cwd", 0755);
	dir_at("cwd/plugins", 0755);
	copy_plugin("testpower", "cwd/plugins");
	char cwd[PATH_MAX], top[PATH_MAX], plugins[PATH_MAX];
	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(top, sizeof(top), "%s/cwd", root);
	snprintf(plugins, sizeof(plugins), "%s/cwd/plugins", root);
	const struct { const char *path, *run_in, *named; } cases[] = {
		{".", plugins, "entry '.' is a relative path"},
		{"plugins", top, "entry 'plugins' is a relative path"},
		{"/nonexistent:.", plugins, "entry '.' is a relative path"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_FATAL(chdir(cases[i].run_in) == 0);
		for (int strategy = 0; strategy < 2; strategy++) {
			struct em_error err = {0};
			CU_ASSERT_EQUAL(create_with_path(cases[i].path, strategy ? "auto" : "testpower", &err), -EINVAL);
			ASSERT_CONTAINS(err.message, "ENERGYMON_PLUGIN_PATH: ");
			ASSERT_CONTAINS(err.message, cases[i].named);
			ASSERT_CONTAINS(err.message, "accepted: absolute directory paths");
		}
		char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH")), *json = NULL;
		setenv("ENERGYMON_PLUGIN_PATH", cases[i].path, 1);
		struct em_error err = {0};
		CU_ASSERT_EQUAL(em_plugins_list(NULL, &json, &err), -EINVAL);
		CU_ASSERT_PTR_NULL(json);
		ASSERT_CONTAINS(err.message, cases[i].named);
		setenv("ENERGYMON_PLUGIN_PATH", old, 1);
		free(old);
	}
	CU_ASSERT_FATAL(chdir(cwd) == 0);
}

/* Neither auto, nor --list-plugins, nor naming it may dlopen a file that
 * does not export the entry function: its constructor would run as root. */
static void test_foreign_constructor_never_runs(void)
{
	const char *dir = dir_at("foreign", 0755);
	char plugins[PATH_MAX], marker[PATH_MAX];
	snprintf(plugins, sizeof(plugins), "%s", dir);
	copy_plugin("ctormarker", "foreign");
	copy_plugin("ctordata", "foreign");
	copy_plugin("testpower", "foreign");
	snprintf(marker, sizeof(marker), "%s/constructor-ran", root);
	setenv("ENERGYMON_TEST_CTOR_MARKER", marker, 1);

	struct em_error err = {0};
	CU_ASSERT_EQUAL(create_with_path(plugins, "auto", &err), 0);
	CU_ASSERT_EQUAL(create_with_path(plugins, "ctormarker", &err), -ENOEXEC);
	ASSERT_CONTAINS(err.message, "ctormarker.so: not an energymon plugin: no symbol energymon_plugin_entry");
	CU_ASSERT_EQUAL(create_with_path(plugins, "ctordata", &err), -ENOEXEC);

	char *old = strdup(getenv("ENERGYMON_PLUGIN_PATH")), *text = NULL;
	setenv("ENERGYMON_PLUGIN_PATH", plugins, 1);
	CU_ASSERT_EQUAL(em_plugins_list(NULL, &text, &err), 0);
	setenv("ENERGYMON_PLUGIN_PATH", old, 1);
	free(old);
	json_t *list = text ? json_loads(text, 0, NULL) : NULL;
	CU_ASSERT_EQUAL(json_array_size(list), 3);
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		if (strncmp(name, "ctor", 4) == 0) {
			CU_ASSERT(json_is_false(json_object_get(p, "loads")));
			ASSERT_CONTAINS(json_string_value(json_object_get(p, "reason")), "not an energymon plugin");
		} else {
			CU_ASSERT(json_is_true(json_object_get(p, "available")));
		}
	}
	json_decref(list);
	free(text);
	CU_ASSERT_EQUAL(access(marker, F_OK), -1);
	unsetenv("ENERGYMON_TEST_CTOR_MARKER");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"symlink from a safe dir into a 0777 dir refused", test_symlink_into_world_writable_dir_is_refused},
		{"file owned by uid 65534 refused", test_file_owned_by_another_user_is_refused},
		{"dir owned by uid 65534 refused", test_dir_owned_by_another_user_is_refused},
		{"group-writable dir refused", test_group_writable_dir_is_refused},
		{"safe dir under a non-sticky 0777 parent refused", test_safe_dir_under_world_writable_parent_is_refused},
		{"1777 parent: own subdir accepted, uid 65534's refused",
		 test_sticky_parent_is_accepted_only_above_a_trusted_dir},
		{"plugin directly in a 1777 dir refused", test_plugin_directly_in_sticky_dir_is_refused},
		{"relative and '.' search path entries refused", test_relative_entries_are_refused},
		{"a foreign .so's constructor never runs", test_foreign_constructor_never_runs},
		CU_TEST_INFO_NULL,
	};
	/* set up here, not in a CUnit suite init, so a failure fails the program */
	if (!mkdtemp(root) || chmod(root, 0755) != 0) {
		perror(root);
		return 1;
	}
	int rc = run_suite("loader trust", tests);
	if (nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		perror(root);
	return rc;
}
