/*
 * energymond as a daemon: its connection cap, who may follow which pid,
 * --help, configuration errors, its socket file (stale, in use, unsafe
 * directory) and SIGTERM, with real processes, uids and files. These hold
 * whatever the library's windows do; test_agent_windows.c needs them.
 */
#include "agent_harness.h"
#include "../support/cunit_run.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define testpower agentd_testpower
static struct agentd shared;

static int start_shared(void)
{
	return agentd_suite_start(&shared);
}

static int stop_shared(void)
{
	return agentd_suite_stop(&shared);
}

/* As uid 65534, name pid 1 (root's): EPERM with the reason. */
static void test_foreign_pid_refused(void)
{
	pid_t child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		int fd = agent_connect(shared.socket);
		if (fd < 0)
			_exit(11);
		json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":1}");
		const char *error = json_string_value(json_object_get(a, "error"));
		if (strcmp(agent_errno(a), "EPERM"))
			_exit(12);
		if (!error || !strstr(error, "pid 1 is not a process of uid 65534 (the client's)"))
			_exit(13);
		json_decref(a);
		a = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}"); /* still served */
		_exit(agent_ok(a) ? 0 : 14);
	}
	int st;
	CU_ASSERT_EQUAL(waitpid(child, &st, 0), child);
	CU_ASSERT(WIFEXITED(st));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "child failed at step %d\n", WEXITSTATUS(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
	char log[65536];
	agentd_log(&shared, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "refused a window"));
}

/* As uid 65534 with gid 65533: pid 1 is refused unless a supplementary
 * group of the client is energymond's --group (nogroup, 65534). */
static int begin_pid1_as_nobody(const char *socket, bool in_group)
{
	pid_t child = fork();
	if (child == 0) {
		gid_t groups[1] = {65534};
		if (setgroups(in_group ? 1 : 0, groups) || setgid(65533) || setuid(65534))
			_exit(10);
		int fd = agent_connect(socket);
		json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"begin\",\"pid\":1}");
		/* a member passes the check: the window opens, or the library
		 * without continuous monitors says ENOSYS */
		if (in_group)
			_exit(agent_ok(a) || !strcmp(agent_errno(a), "ENOSYS") ? 0 : 20);
		_exit(!strcmp(agent_errno(a), "EPERM") ? 0 : 21);
	}
	int st;
	return waitpid(child, &st, 0) == child && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_group_may_name_any_pid(void)
{
	struct agentd d;
	agentd_prepare(&d);
	const char *const args[] = {"--plugins", "testpower", "--group", "nogroup", NULL};
	CU_ASSERT_FATAL(agentd_start(&d, args));
	CU_ASSERT_EQUAL(begin_pid1_as_nobody(d.socket, true), 0);
	CU_ASSERT_EQUAL(begin_pid1_as_nobody(d.socket, false), 0);
	agentd_stop(&d);
	CU_ASSERT_EQUAL(d.status, 0);
	/* a group that does not exist is a configuration error */
	const char *const bad[] = {"--plugins", "testpower", "--group", "no-such-group-here", NULL};
	agentd_prepare(&d);
	agentd_spawn(&d, bad);
	CU_ASSERT(agentd_wait(&d, 20));
	CU_ASSERT_EQUAL(d.status, 2);
	char log[4096];
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "no-such-group-here"));
}

static void test_missing_pid(void)
{
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0); /* a pid that just died and was reaped */
	int fd = agent_connect(shared.socket);
	char req[128];
	snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"begin\",\"pid\":%d}", (int)gone);
	json_t *a = agent_ask(fd, req);
	CU_ASSERT_STRING_EQUAL(agent_errno(a), "ESRCH");
	char expect[64];
	snprintf(expect, sizeof(expect), "pid %d does not exist", (int)gone);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(a, "error")), expect));
	json_decref(a);
	close(fd);
}

static void test_help_and_version(void)
{
	char cmd[PATH_MAX + 64], out[16384];
	snprintf(cmd, sizeof(cmd), "%s --help", agent_binary());
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[n] = '\0';
	CU_ASSERT(p && pclose(p) == 0);
	static const char *const sections[] = {"NAME\n", "SYNOPSIS\n", "DESCRIPTION\n", "OPTIONS\n", "FILES\n",
	                                       "ENVIRONMENT\n", "SIGNALS\n", "EXIT STATUS\n", "SEE ALSO\n"};
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		char *at = strstr(out, sections[i]);
		CU_ASSERT(at && (at == out || at[-1] == '\n'));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "--socket PATH"));
	snprintf(cmd, sizeof(cmd), "%s --version", agent_binary());
	p = popen(cmd, "r");
	n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[n] = '\0';
	CU_ASSERT(p && pclose(p) == 0);
	CU_ASSERT(!strncmp(out, "energymond ", 11));
}

/* A configuration error exits 2 naming the key, before any socket exists. */
static void test_config_error(void)
{
	static const char *const bad_set[] = {"--plugins", "testpower", "--set", "testpower_bogus=1", NULL};
	struct agentd d;
	agentd_prepare(&d);
	agentd_spawn(&d, bad_set);
	CU_ASSERT(agentd_wait(&d, 20));
	CU_ASSERT_EQUAL(d.status, 2);
	char log[8192];
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "testpower_bogus"));
	struct stat st;
	CU_ASSERT(stat(d.socket, &st) != 0);
	/* a file with a key no one declares, too */
	char config[PATH_MAX];
	snprintf(config, sizeof(config), "%s/energymond.json", d.dir);
	FILE *f = fopen(config, "w");
	fputs("{\"lithops\": {\"energy_strategy\": \"testpower\"}, \"testpower_wats\": 5}", f);
	fclose(f);
	const char *const bad_file[] = {"--config", config, NULL};
	agentd_prepare(&d);
	agentd_spawn(&d, bad_file);
	CU_ASSERT(agentd_wait(&d, 20));
	CU_ASSERT_EQUAL(d.status, 2);
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "testpower_wats"));
}

/* A missing --config file means the defaults. */
static void test_missing_config_is_defaults(void)
{
	struct agentd d;
	agentd_prepare(&d);
	char config[PATH_MAX];
	snprintf(config, sizeof(config), "%s/absent.json", d.dir);
	const char *const args[] = {"--config", config, "--plugins", "testpower", NULL};
	CU_ASSERT(agentd_start(&d, args));
	agentd_stop(&d);
	CU_ASSERT_EQUAL(d.status, 0);
	char log[8192];
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "does not exist; using the defaults"));
}

/* A socket file whose energymond died is replaced. */
static void test_stale_socket_replaced(void)
{
	struct agentd d;
	agentd_prepare(&d);
	char run[PATH_MAX];
	snprintf(run, sizeof(run), "%s/run", d.dir);
	CU_ASSERT_FATAL(mkdir(run, 0755) == 0);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d.socket);
	CU_ASSERT_FATAL(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(s, 1) == 0);
	close(s); /* the file stays, nothing listens */
	CU_ASSERT(agentd_start(&d, testpower));
	char log[8192];
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "removed the stale socket"));
	agentd_stop(&d);
	CU_ASSERT_EQUAL(d.status, 0);
}

/* A second energymond on a live one's socket refuses, naming it. */
static void test_second_agent_refuses(void)
{
	struct agentd second = shared;
	snprintf(second.err_path, sizeof(second.err_path), "%s/stderr-second", shared.dir);
	second.pid = 0;
	agentd_spawn(&second, testpower);
	CU_ASSERT(agentd_wait(&second, 20));
	CU_ASSERT_EQUAL(second.status, 1);
	char log[8192], expect[128];
	agentd_log(&second, log, sizeof(log));
	snprintf(expect, sizeof(expect), "another energymond (pid %d) is listening on %s", (int)shared.pid,
	         shared.socket);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, expect));
	int fd = agent_connect(shared.socket); /* the first still serves */
	json_t *a = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
	CU_ASSERT(agent_ok(a));
	json_decref(a);
	close(fd);
}

/* The socket's directory must be energymond's and writable by no one else. */
static void test_unsafe_socket_dir_refused(void)
{
	struct agentd d;
	agentd_prepare(&d);
	char run[PATH_MAX], log[8192];
	snprintf(run, sizeof(run), "%s/run", d.dir);
	CU_ASSERT_FATAL(mkdir(run, 0755) == 0 && chmod(run, 0777) == 0);
	agentd_spawn(&d, testpower);
	CU_ASSERT(agentd_wait(&d, 20));
	CU_ASSERT_EQUAL(d.status, 1);
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "not be writable by group or others"));
	/* a symlink to a good directory is refused too */
	rmdir(run);
	char real[PATH_MAX];
	snprintf(real, sizeof(real), "%s/real", d.dir);
	CU_ASSERT_FATAL(mkdir(real, 0755) == 0 && symlink(real, run) == 0);
	agentd_spawn(&d, testpower);
	CU_ASSERT(agentd_wait(&d, 20));
	CU_ASSERT_EQUAL(d.status, 1);
	agentd_log(&d, log, sizeof(log));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "a symlink is refused"));
}

/* SIGTERM: the socket goes, exit 0; and the socket was 0666 while it served. */
static void test_sigterm(void)
{
	struct agentd d;
	agentd_prepare(&d);
	CU_ASSERT_FATAL(agentd_start(&d, testpower));
	struct stat st;
	CU_ASSERT(stat(d.socket, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0666);
	char run[PATH_MAX];
	snprintf(run, sizeof(run), "%s/run", d.dir);
	CU_ASSERT(stat(run, &st) == 0 && (st.st_mode & 0777) == 0755);
	int fd = agent_connect(d.socket); /* a client still connected does not hold it up */
	agentd_stop(&d);
	CU_ASSERT_EQUAL(d.status, 0);
	CU_ASSERT(stat(d.socket, &st) != 0 && errno == ENOENT);
	CU_ASSERT(agent_closed_within(fd, 1));
	close(fd);
}



int main(int argc, char **argv)
{
	if (agent_harness_init(argc, argv) != 0) {
		fprintf(stderr, "usage: test_agent_daemon ENERGYMOND\n");
		return 1;
	}
	CU_TestInfo tests[] = {
		{"pid 1 named by uid 65534: EPERM", test_foreign_pid_refused},
		{"a pid that does not exist: ESRCH", test_missing_pid},
		{"--group members may name any pid", test_group_may_name_any_pid},
		{"--help has the man page's sections", test_help_and_version},
		{"a configuration error exits 2 naming the key", test_config_error},
		{"a missing --config file means the defaults", test_missing_config_is_defaults},
		{"a stale socket is replaced", test_stale_socket_replaced},
		{"a second energymond refuses, naming the first", test_second_agent_refuses},
		{"an unsafe socket directory is refused", test_unsafe_socket_dir_refused},
		{"SIGTERM removes the socket and exits 0", test_sigterm},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("agent", start_shared, stop_shared, tests);
}
