/* Output files in a directory other users can write to (issue 9 items 1
 * and 16): nothing planted there is followed, blocked on or overwritten,
 * and a failed append never leaves a torn summary line. */
#include "test_util.h"
#include "../support/plant.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[PATH_MAX];

static void make_dir(void)
{
	fresh_output_dir(dir, sizeof(dir), "energy_data");
}

static int plant_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	fchmod(fd, 0666);
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Each planted thing must make the write fail naming the path, and leave
 * what it points at untouched; alarm() only keeps a hang from hanging CI. */
static void expect_refused(struct em_monitor *mon, const char *call_id, const char *planted)
{
	struct em_error err = {0};
	alarm(60);
	CU_ASSERT(em_monitor_write_files(mon, dir, "J", call_id, &err) < 0);
	alarm(0);
	ASSERT_CONTAINS(err.message, planted);
	ASSERT_CONTAINS(err.message, "energymon writes only to regular files owned by uid ");
	unlink(planted);
}

static void test_planted_files_in_a_shared_dir_are_refused(void)
{
	char base[] = "/tmp/energymon-shared-XXXXXX", secret_dir[] = "/tmp/energymon-secret-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(base) != NULL && mkdtemp(secret_dir) != NULL);
	CU_ASSERT_FATAL(chmod(base, 01777) == 0);
	snprintf(dir, sizeof(dir), "%s", base);
	char secret[PATH_MAX], absent[PATH_MAX], summary[PATH_MAX], per_call[PATH_MAX];
	snprintf(secret, sizeof(secret), "%s/root-only", secret_dir);
	snprintf(absent, sizeof(absent), "%s/created-through-a-link", secret_dir);
	snprintf(summary, sizeof(summary), "%s/testpower_summary.jsonl", dir);
	FILE *f = fopen(secret, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("root only\n", f);
	fclose(f);
	chmod(secret, 0600);
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\":"
	                             " 0.05}", 0.1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);

	CU_ASSERT_FATAL(plant_as_nobody(plant_symlink, summary, secret));
	expect_refused(mon, "1", summary);
	CU_ASSERT_STRING_EQUAL(read_all(secret), "root only\n");

	CU_ASSERT_FATAL(plant_as_nobody(plant_symlink, summary, absent));
	expect_refused(mon, "2", summary);
	CU_ASSERT_EQUAL(access(absent, F_OK), -1);

	CU_ASSERT_FATAL(plant_as_nobody(plant_fifo, summary, NULL));
	expect_refused(mon, "3", summary);

	CU_ASSERT_FATAL(plant_as_nobody(plant_file, summary, "nobody's\n"));
	expect_refused(mon, "4", summary);
	/* one refused file costs only itself: the composite is still written,
	 * and the error says which were and which were not */
	snprintf(per_call, sizeof(per_call), "%s/J_4_composite.json", dir);
	CU_ASSERT_EQUAL(access(per_call, F_OK), 0);
	struct em_error partial = {0};
	CU_ASSERT_FATAL(plant_as_nobody(plant_file, summary, "nobody's\n"));
	CU_ASSERT(em_monitor_write_files(mon, dir, "J", "4b", &partial) < 0);
	ASSERT_CONTAINS(partial.message, "not written (file or summary line): testpower; written: composite");
	unlink(summary);

	/* the per-call file: a link or FIFO at its name is refused, not replaced */
	snprintf(per_call, sizeof(per_call), "%s/J_5_testpower.json", dir);
	CU_ASSERT_FATAL(plant_as_nobody(plant_symlink, per_call, secret));
	expect_refused(mon, "5", per_call);
	CU_ASSERT_STRING_EQUAL(read_all(secret), "root only\n");
	snprintf(per_call, sizeof(per_call), "%s/J_6_testpower.json", dir);
	CU_ASSERT_FATAL(plant_as_nobody(plant_fifo, per_call, NULL));
	expect_refused(mon, "6", per_call);
	snprintf(per_call, sizeof(per_call), "%s/J_7_testpower.json", dir);
	CU_ASSERT_FATAL(plant_as_nobody(plant_file, per_call, "nobody's\n"));
	expect_refused(mon, "7", per_call);

	/* with nothing planted the same dir works */
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "J", "8", &err), 0);
	em_monitor_destroy(mon);
	unlink(secret);
	rmdir(secret_dir);
}

static int plant_open_dir(const char *path, const char *unused)
{
	(void)unused;
	return mkdir(path, 0777) == 0 && chmod(path, 0777) == 0 ? 0 : -1;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return d && n == 0;
}

/* The way to the output directory is checked too: a link or a directory
 * another user planted, at the output dir's name or above it, is refused
 * before anything is created (item 1, found by a hostile tester). */
static void test_planted_output_directory_is_refused(void)
{
	char base[] = "/tmp/energymon-shared-XXXXXX", secret_dir[] = "/tmp/energymon-secret-XXXXXX";
	char mine_dir[] = "/tmp/energymon-mine-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(base) && mkdtemp(secret_dir) && mkdtemp(mine_dir));
	CU_ASSERT_FATAL(chmod(base, 01777) == 0 && chmod(secret_dir, 0700) == 0);
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\":"
	                             " 0.05}", 0.1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	char path[PATH_MAX], planted[PATH_MAX];

	/* a link at the output dir's own name, absolute and relative */
	snprintf(planted, sizeof(planted), "%s/energy_data", base);
	CU_ASSERT_FATAL(plant_as_nobody(plant_symlink, planted, secret_dir));
	CU_ASSERT(em_monitor_write_files(mon, planted, "J", "1", &err) == -EPERM);
	ASSERT_CONTAINS(err.message, "refusing the symbolic link");
	ASSERT_CONTAINS(err.message, planted);
	CU_ASSERT(em_check_output_dir(planted, &err) == -EPERM);
	char cwd[PATH_MAX];
	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL && chdir(base) == 0);
	CU_ASSERT(em_monitor_write_files(mon, "energy_data/sub", "J", "2", &err) == -EPERM);
	CU_ASSERT_FATAL(chdir(cwd) == 0);
	CU_ASSERT(dir_is_empty(secret_dir));

	/* a directory another user made in the shared dir, and one below it */
	snprintf(planted, sizeof(planted), "%s/theirs", base);
	CU_ASSERT_FATAL(plant_as_nobody(plant_open_dir, planted, NULL));
	snprintf(path, sizeof(path), "%s/out", planted);
	CU_ASSERT(em_monitor_write_files(mon, path, "J", "3", &err) == -EPERM);
	ASSERT_CONTAINS(err.message, "owned by uid 65534");
	CU_ASSERT(dir_is_empty(planted));

	/* energymon's own link in the sticky dir is followed */
	snprintf(path, sizeof(path), "%s/mine", base);
	CU_ASSERT_FATAL(symlink(mine_dir, path) == 0);
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, path, "J", "4", &err), 0);
	CU_ASSERT(!dir_is_empty(mine_dir));
	em_monitor_destroy(mon);
}

/* ---- the summary log after a failed append ---- */

/* A testpower run whose files are written once (job J, call 0) to a fresh
 * dir; path gets its summary log. */
static struct em_monitor *written_once(char *path, size_t len)
{
	make_dir();
	struct em_monitor *mon = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"energy_sampling_interval\":"
	                             " 0.05}", 0.1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(mon, dir, "J", "0", &err), 0);
	snprintf(path, len, "%s/testpower_summary.jsonl", dir);
	return mon;
}

static void test_summary_line_after_a_torn_line_starts_on_its_own_line(void)
{
	char path[PATH_MAX];
	struct em_monitor *mon = written_once(path, sizeof(path));
	struct em_error err = {0};
	FILE *f = fopen(path, "a");
	fputs("{\"job_key\": \"J\", \"call_id\": \"torn", f); /* as a full disk leaves it */
	fclose(f);
	CU_ASSERT_EQUAL(em_monitor_write_files(mon, dir, "J", "1", &err), 0);
	f = fopen(path, "r");
	char line[65536];
	int n = 0;
	json_t *last = NULL;
	while (fgets(line, sizeof(line), f)) {
		n++;
		json_decref(last);
		last = json_loads(line, 0, NULL);
	}
	fclose(f);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(last, "call_id")), "1");
	json_decref(last);
	em_monitor_destroy(mon);
}

static off_t size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A file size limit cuts the append short, as a full disk would. */
static void test_short_append_leaves_the_summary_at_its_old_size(void)
{
	char path[PATH_MAX];
	struct em_monitor *mon = written_once(path, sizeof(path));
	/* a log larger than a per-call file, so only the append hits the limit */
	FILE *f = fopen(path, "a");
	for (int i = 0; i < 4000; i++)
		fprintf(f, "{\"job_key\": \"old\", \"call_id\": \"%05d\", \"pad\": \"................\"}\n", i);
	fclose(f);
	off_t before = size_of(path);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit lim = {(rlim_t)before + 10, (rlim_t)before + 10};
		setrlimit(RLIMIT_FSIZE, &lim);
		struct em_error child_err = {0};
		int rc = em_monitor_write_files(mon, dir, "J", "1", &child_err);
		_exit(rc < 0 && strstr(child_err.message, path) ? 0 : 1);
	}
	int st;
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CU_ASSERT_EQUAL(size_of(path), before);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"planted symlink, FIFO or foreign file in a shared dir is refused",
		 test_planted_files_in_a_shared_dir_are_refused},
		{"a planted output directory or link to one is refused", test_planted_output_directory_is_refused},
		{"summary line after a torn line starts on its own line",
		 test_summary_line_after_a_torn_line_starts_on_its_own_line},
		{"short append leaves the summary at its old size", test_short_append_leaves_the_summary_at_its_old_size},
		CU_TEST_INFO_NULL,
	};
	return run_suite("output in a shared dir", tests);
}
