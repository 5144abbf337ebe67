/* Windows as energymond's clients use them: from many threads at once,
 * over chosen sources, following process trees (the counted union of
 * roots, per-target metrics), with a source that does not answer, and
 * sampling threads named for their plugin. */
#include "window_test_util.h"

#include <linux/sched.h>
#include <stdint.h>
#include <sys/syscall.h>

/* as tests/core/plugins/targetplug.c */
#define TARGETPLUG_RATE(pid) (0.001 * (double)((pid) % 97 + 1))

struct thread_arg {
	struct em_monitor *mon;
	int index, failures;
};

static void *windows_thread(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 50; i++) {
		struct em_window *w = NULL;
		struct em_error err = {0};
		/* half the threads follow this process's tree: one counted root */
		if (em_window_begin(a->mon, a->index % 2 ? getpid() : 0, NULL, 0, &w, &err)) {
			a->failures++;
			continue;
		}
		sleep_s(0.001 * (i % 5));
		struct em_monitor *res = NULL;
		if (em_window_end(a->mon, w, &res, &err)) {
			a->failures++;
			continue;
		}
		char *text = em_monitor_result_json(res);
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;
		const json_t *power = series_of(monitor_of(j, "testpower"), "power", "test");
		double covered = num(power, "covered_s");
		double e = energy_of(j, "testpower", "system");
		if (!j || !(covered > 0) || fabs(e - 100 * covered) > 1e-9 * 100 * covered)
			a->failures++;
		json_decref(j);
		free(text);
		em_monitor_destroy(res);
	}
	return NULL;
}

static void test_windows_from_eight_threads(void)
{
	struct em_monitor *mon = continuous("testpower,metricsplug", 0.005, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pthread_t t[8];
	struct thread_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){.mon = mon, .index = i};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, windows_thread, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(args[i].failures, 0);
	}
	/* every window ended: no root is followed any more, and set_targets
	 * never ran during a sample() */
	struct em_source *mp = mon->sources[1];
	pthread_mutex_lock(&mp->lock);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(mp->notes, "targets")), "");
	CU_ASSERT_PTR_NULL(json_object_get(mp->notes, "overlap"));
	pthread_mutex_unlock(&mp->lock);
	em_monitor_destroy(mon);
}

static void test_unknown_and_repeated_ids(void)
{
	struct em_monitor *mon = continuous("testpower,metricsplug", 0.05, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	struct em_window *w = NULL;
	struct em_error err = {0};
	const char *bad[] = {"testpower", "nosuch"};
	CU_ASSERT_EQUAL(em_window_begin(mon, 0, bad, 2, &w, &err), -ENOENT);
	CU_ASSERT_EQUAL(err.code, -ENOENT);
	CU_ASSERT_PTR_NULL(w);
	ASSERT_CONTAINS(err.message, "'nosuch'");
	ASSERT_CONTAINS(err.message, "testpower, metricsplug");
	const char *twice[] = {"testpower", "testpower"};
	CU_ASSERT_EQUAL(em_window_begin(mon, 0, twice, 2, &w, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "named twice");
	/* the ids' order is the result's strategy order; one source only */
	const char *one[] = {"metricsplug"};
	CU_ASSERT_EQUAL_FATAL(em_window_begin(mon, 0, one, 1, &w, &err), 0);
	sleep_s(0.1);
	json_t *res = end_window(mon, w, NULL);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(res, "strategy")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(res, "strategy"), 0)), "metricsplug");
	CU_ASSERT_PTR_NULL(monitor_of(res, "testpower"));
	/* metricsplug's gpu0_energy: 200 W counted over what its series covers */
	size_t i;
	json_t *s;
	double gpu = NAN, covered = NAN;
	json_array_foreach(json_object_get(monitor_of(res, "metricsplug"), "series"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "key")) ? json_string_value(json_object_get(s, "key")) : "",
		            "gpu0_energy")) {
			gpu = num(s, "delta");
			covered = num(s, "covered_s");
		}
	CU_ASSERT(covered > 0.05);
	CU_ASSERT_DOUBLE_EQUAL(gpu, 200 * covered, 1e-6);
	json_decref(res);
	/* a window on a monitor that is not continuous */
	struct em_monitor *plain = run("{\"lithops\": {\"energy_strategy\": \"testpower\"}}", 0.01);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	CU_ASSERT_EQUAL(em_window_begin(plain, 0, NULL, 0, &w, &err), -EINVAL);
	em_monitor_destroy(plain);
	em_monitor_destroy(mon);
}

static pid_t sleeping_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static const char *targets_note(struct em_monitor *mon, char *buf, size_t len)
{
	struct em_source *src = mon->sources[0];
	pthread_mutex_lock(&src->lock);
	const char *have = json_string_value(json_object_get(src->notes, "targets"));
	snprintf(buf, len, "%s", have ? have : "(none)");
	pthread_mutex_unlock(&src->lock);
	return buf;
}

/* The plugins follow the union of open windows' roots, counted per root;
 * a dead root fails a new window and leaves the union as it was. */
static void test_roots_union_and_dead_root(void)
{
	struct em_monitor *mon = continuous("metricsplug", 0.01, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pid_t child = sleeping_child(), dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	char buf[128], want[128];
	struct em_window *a = begin(mon, getpid()), *a2 = begin(mon, getpid()), *b = begin(mon, child);
	snprintf(want, sizeof(want), "%d,%d", (int)getpid(), (int)child);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	struct em_window *w = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_window_begin(mon, dead, NULL, 0, &w, &err), -ESRCH);
	CU_ASSERT_PTR_NULL(w);
	char pid_text[32];
	snprintf(pid_text, sizeof(pid_text), "%d", (int)dead);
	ASSERT_CONTAINS(err.message, pid_text);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	CU_ASSERT_EQUAL(em_window_begin(mon, -5, NULL, 0, &w, &err), -EINVAL);
	/* one of two windows of a root ends: still followed */
	json_decref(end_window(mon, a, NULL));
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	em_window_free(mon, a2);
	snprintf(want, sizeof(want), "%d", (int)child);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	/* a root that exits while its window is open stays in the union to
	 * that window's end (its tree's total must last), and others can
	 * still begin; a new window on the dead pid cannot */
	reap(child);
	struct em_window *c = begin(mon, getpid());
	snprintf(want, sizeof(want), "%d,%d", (int)child, (int)getpid());
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	CU_ASSERT_EQUAL(em_window_begin(mon, child, NULL, 0, &w, &err), -ESRCH);
	CU_ASSERT_PTR_NULL(w);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	json_t *res = end_window(mon, b, NULL);
	snprintf(want, sizeof(want), "%d", (int)getpid());
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), want);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "target_pid")), child);
	json_decref(res);
	em_window_free(mon, c);
	CU_ASSERT_STRING_EQUAL(targets_note(mon, buf, sizeof(buf)), "");
	em_monitor_destroy(mon);
}

/* A per-target metric in a window is the window root's own part. */
static void test_per_target_metric(void)
{
	struct em_monitor *mon = continuous("targetplug", 0.01, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pid_t child = sleeping_child();
	struct em_window *rooted = begin(mon, child), *free_w = begin(mon, 0);
	sleep_s(0.2);
	json_t *none = end_window(mon, free_w, NULL);
	json_t *res = end_window(mon, rooted, NULL);
	reap(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_PTR_NOT_NULL_FATAL(none);
	const json_t *tg = monitor_of(res, "targetplug");
	/* the plugin was told the trees come later */
	const json_t *flags = json_object_get(json_object_get(tg, "notes"), "host_flags");
	CU_ASSERT_DOUBLE_EQUAL(num(flags, "value"), ENERGY_HOST_TARGETS_LATER, 0);
	/* the machine's busy time: 1 s/s, not per target */
	CU_ASSERT(energy_of(res, "targetplug", "machine_busy_time") > 0.15);
	/* without a root: no value, and why */
	const json_t *m;
	size_t i;
	json_array_foreach(json_object_get(monitor_of(none, "targetplug"), "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "key")), "cpu_time")) {
			CU_ASSERT(json_is_null(json_object_get(m, "value")));
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "reason")),
			                       "the window follows no process tree");
		}
	CU_ASSERT(isnan(energy_of(none, "targetplug", "cpu_time")));
	if (json_object_get(json_object_get(tg, "notes"), "emit_target")) {
		/* ABI 1.2's emit_target is not in this build (issue 11's other part) */
		printf("\n    skipped: emit_target not in this build (the reason for a root without per-target "
		       "readings is checked instead) ");
		char want[64];
		snprintf(want, sizeof(want), "no per-target readings for pid %d", (int)child);
		json_array_foreach(json_object_get(tg, "metrics"), i, m)
			if (!strcmp(json_string_value(json_object_get(m, "key")), "cpu_time"))
				CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "reason")), want);
		CU_PASS("skipped: emit_target not in this build");
	} else {
		double covered = NAN;
		json_array_foreach(json_object_get(tg, "metrics"), i, m)
			if (!strcmp(json_string_value(json_object_get(m, "key")), "cpu_time"))
				covered = num(m, "covered_s");
		CU_ASSERT(covered > 0.15);
		CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "targetplug", "cpu_time"), TARGETPLUG_RATE(child) * covered,
		                       1e-9);
		/* the same samples bound the tree's and the machine's time */
		CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "targetplug", "cpu_share"), TARGETPLUG_RATE(child),
		                       0.01 * TARGETPLUG_RATE(child));
	}
	json_decref(res);
	json_decref(none);
	em_monitor_destroy(mon);
}

/* A window whose root exited and was reaped before its end keeps that
 * tree's per-target total to the end, even when another window begins
 * meanwhile and so changes the union the plugin follows. */
static void test_exited_root_keeps_its_total(void)
{
	struct em_monitor *mon = continuous("targetplug", 0.01, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pid_t child = sleeping_child(), other = sleeping_child();
	struct em_window *w = begin(mon, child);
	sleep_s(0.1);
	reap(child);
	struct em_window *o = begin(mon, other); /* the union changes */
	sleep_s(0.1);
	json_t *res = end_window(mon, w, NULL);
	json_decref(end_window(mon, o, NULL));
	reap(other);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const json_t *tg = monitor_of(res, "targetplug"), *m;
	size_t i;
	double covered = NAN;
	json_array_foreach(json_object_get(tg, "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "key")), "cpu_time")) {
			covered = num(m, "covered_s");
			if (json_is_null(json_object_get(m, "value")))
				printf("\n    cpu_time null: %s ", json_string_value(json_object_get(m, "reason")));
		}
	CU_ASSERT(covered > 0.15);
	/* targetplug counts a followed tree at its rate until it leaves the set */
	CU_ASSERT_DOUBLE_EQUAL(energy_of(res, "targetplug", "cpu_time"), TARGETPLUG_RATE(child) * covered, 1e-9);
	json_decref(res);
	em_monitor_destroy(mon);
}

/* The pid of a root whose window is still open, given by the kernel to a
 * new process: a new window on it cannot share the old tree's place in the
 * union (-EBUSY, and why); once the old window has ended it can begin. The
 * pid is reused for sure with clone3's set_tid (root, Linux 5.5). */
static void test_reused_root_pid(void)
{
	struct em_monitor *mon = continuous("metricsplug", 0.01, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	pid_t child = sleeping_child();
	struct em_window *old = begin(mon, child);
	reap(child);
	/* a start time is in clock ticks (10 ms at 100 Hz): a pid reused
	 * within one tick is the same process to /proc; the kernel takes far
	 * longer to wrap its pids, but a forced reuse must wait */
	sleep_s(0.05);
	pid_t tid = child;
	struct clone_args args = {.exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&tid, .set_tid_size = 1};
	fflush(NULL);
	long again = syscall(SYS_clone3, &args, sizeof(args));
	if (again == 0) {
		pause();
		_exit(0);
	}
	if (again != child) {
		printf("\n    skipped: this process cannot choose a pid (clone3 set_tid: %s) ",
		       again < 0 ? strerror(errno) : "another pid");
		if (again > 0)
			reap((pid_t)again);
		CU_PASS("skipped: pid reuse cannot be forced here");
	} else {
		struct em_window *w = NULL;
		struct em_error err = {0};
		CU_ASSERT_EQUAL(em_window_begin(mon, child, NULL, 0, &w, &err), -EBUSY);
		CU_ASSERT_PTR_NULL(w);
		ASSERT_CONTAINS(err.message, "new process");
		json_decref(end_window(mon, old, NULL));
		old = NULL;
		struct em_window *fresh = begin(mon, child);
		CU_ASSERT_PTR_NOT_NULL(fresh);
		if (fresh)
			em_window_free(mon, fresh);
		reap(child);
	}
	if (old)
		em_window_free(mon, old);
	em_monitor_destroy(mon);
}

/* A source that does not answer in time is taken as it stands, and says so. */
static void test_late_source_is_taken_as_it_stands(void)
{
	int block[2], notify[2];
	CU_ASSERT_FATAL(pipe(block) == 0 && pipe(notify) == 0);
	char extra[256];
	snprintf(extra, sizeof(extra), "\"hang_fd\": %d, \"hang_notify_fd\": %d, \"hang_in\": \"sample\", "
	         "\"hang_from_sample\": 3", block[0], notify[1]);
	struct em_monitor *mon = continuous("testpower,hang", 0.01, extra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	char c = 0;
	while (c != 'H')
		CU_ASSERT_FATAL(read(notify[0], &c, 1) == 1);
	int64_t t0 = em_now_ns(CLOCK_MONOTONIC);
	struct em_window *w = begin(mon, 0);
	double waited = (double)(em_now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	CU_ASSERT(waited >= EM_WINDOW_SAMPLE_WAIT_S - 0.01 && waited < EM_WINDOW_SAMPLE_WAIT_S + 2);
	json_t *res = end_window(mon, w, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const char *late = json_string_value(json_object_get(json_object_get(monitor_of(res, "hang"), "notes"),
	                                                     "window_sample_late"));
	ASSERT_CONTAINS(late, "within 2.0 s at the window's begin and end");
	CU_ASSERT_PTR_NULL(json_object_get(json_object_get(monitor_of(res, "testpower"), "notes"),
	                                   "window_sample_late"));
	check_testpower_truth(res);
	json_decref(res);
	close(block[1]); /* release it, so that stop finds it returning */
	em_monitor_destroy(mon);
	close(block[0]);
	close(notify[0]);
	close(notify[1]);
}

/* Threads of this process named `name`. */
static int threads_named(const char *want)
{
	int found = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], name[32] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = e->d_name[0] != '.' ? fopen(path, "r") : NULL;
		if (f && fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			found += !strcmp(name, want);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* Sampling threads are named for their plugin (a crash handler reads it),
 * cut to the 15 bytes the kernel keeps. */
static void test_sampling_threads_are_named(void)
{
	struct em_monitor *mon = continuous("testpower,metricsplug,hangprefix_one", 0.05, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mon);
	/* each thread names itself as it begins: wait for them (bounded) */
	int64_t until = em_now_ns(CLOCK_MONOTONIC) + 10 * (int64_t)1000000000;
	while ((threads_named("em:testpower") + threads_named("em:metricsplug") + threads_named("em:hangprefix_o")) < 3 &&
	       em_now_ns(CLOCK_MONOTONIC) < until)
		sleep_s(0.001);
	CU_ASSERT_EQUAL(threads_named("em:testpower"), 1);
	CU_ASSERT_EQUAL(threads_named("em:metricsplug"), 1);
	CU_ASSERT_EQUAL(threads_named("em:hangprefix_o"), 1);
	em_monitor_destroy(mon);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"windows from eight threads", test_windows_from_eight_threads},
		{"unknown and repeated ids", test_unknown_and_repeated_ids},
		{"roots union and a dead root", test_roots_union_and_dead_root},
		{"an exited root keeps its per-target total", test_exited_root_keeps_its_total},
		{"a root's pid reused while its window is open", test_reused_root_pid},
		{"per-target metric", test_per_target_metric},
		{"late source taken as it stands", test_late_source_is_taken_as_it_stands},
		{"sampling threads are named", test_sampling_threads_are_named},
		CU_TEST_INFO_NULL,
	};
	return run_suite("window-clients", tests);
}
