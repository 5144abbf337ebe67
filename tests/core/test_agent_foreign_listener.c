/*
 * The library as energymond's client against a listener that is neither
 * root nor the client's own uid: someone who bound the socket path first
 * (a shared ENERGYMON_SOCKET, a directory another user may write). Such a
 * listener answers a perfectly good hello here; the client must still not
 * trust it: required fails with EPERM naming the listener's uid, auto
 * measures in-process and says why. Run as root (skips otherwise): the
 * fake agent is a child that became uid 65534.
 */
#include "agent_peer.h"

#include <grp.h>
#include <sys/stat.h>

#define FOREIGN_UID 65534

static pid_t fake_pid; /* killed at exit too, when a fatal assertion skipped stop_fake */

static const char *good_hello = "{\"v\":1,\"ok\":true,\"agent\":\"energymond\",\"version\":\"fake\","
                                "\"interval_s\":1.0,\"sources\":[{\"id\":\"testpower\",\"available\":true,"
                                "\"reason\":null}]}";

/* The child: uid 65534, listens on path, answers every hello well. */
static void fake_agent(const char *path, int ready)
{
	if (setgroups(0, NULL) || setgid(FOREIGN_UID) || setuid(FOREIGN_UID))
		_exit(3);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 16))
		_exit(4);
	if (write(ready, "r", 1) != 1)
		_exit(5);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		unsigned char h[4];
		char buf[65536];
		while (recv(c, h, 4, MSG_WAITALL) == 4) {
			uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
			if (len > sizeof(buf) || recv(c, buf, len, MSG_WAITALL) != (ssize_t)len)
				break;
			uint32_t n = (uint32_t)strlen(good_hello);
			unsigned char o[4] = {n >> 24, n >> 16, n >> 8, n};
			send(c, o, 4, MSG_NOSIGNAL);
			send(c, good_hello, n, MSG_NOSIGNAL);
		}
		close(c);
	}
}

static pid_t start_fake(char *path, size_t len)
{
	char dir[] = "/tmp/em-foreign-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL_FATAL(chmod(dir, 0777), 0);
	snprintf(path, len, "%s/energymond.sock", dir);
	int p[2];
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		fake_agent(path, p[1]);
	}
	fake_pid = pid;
	close(p[1]);
	char r = 0;
	CU_ASSERT_EQUAL_FATAL(read(p[0], &r, 1), 1);
	close(p[0]);
	setenv("ENERGYMON_SOCKET", path, 1);
	return pid;
}

static void stop_fake(pid_t pid, const char *path)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(path);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	unsetenv("ENERGYMON_SOCKET");
}

static void test_required_refuses_foreign_listener(void)
{
	char path[108];
	pid_t pid = start_fake(path, sizeof(path));
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL(create("{\"energy_agent\": \"required\", \"lithops\": {\"energy_strategy\": \"testpower\"}}", 0,
	                       &mon, &err, NULL), -EPERM);
	CU_ASSERT_PTR_NULL(mon);
	CU_ASSERT(has(err.message, path));
	CU_ASSERT(has(err.message, "uid 65534"));
	em_monitor_destroy(mon);
	stop_fake(pid, path);
}

static void test_auto_measures_in_process_and_says_why(void)
{
	char path[108];
	pid_t pid = start_fake(path, sizeof(path));
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(create(AUTO_TESTPOWER, 0, &mon, &err, NULL), 0);
	run_briefly(mon);
	json_t *res = result_of(mon);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "measured_by")), "in-process");
	const char *why = json_string_value(json_object_get(json_object_get(res, "agent_not_used"), "reason"));
	CU_ASSERT(has(why, "uid 65534"));
	CU_ASSERT(energy_of(res, "testpower", "system") > 0);
	json_decref(res);
	em_monitor_destroy(mon);
	stop_fake(pid, path);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "needs root to run a fake agent as another uid\n");
		return 77;
	}
	signal(SIGPIPE, SIG_DFL);
	CU_TestInfo tests[] = {
		{"required refuses a listener of another uid", test_required_refuses_foreign_listener},
		{"auto measures in-process and says why", test_auto_measures_in_process_and_says_why},
		CU_TEST_INFO_NULL,
	};
	int rc = run_suite("agent foreign listener", tests);
	if (fake_pid > 0)
		kill(fake_pid, SIGKILL);
	return rc;
}
