/* See agent_harness.h. */
#include "agent_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *binary;

int agent_harness_init(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	binary = argv[1];
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

const char *agent_binary(void)
{
	return binary;
}

double agent_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void agent_sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

void agentd_prepare(struct agentd *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/energymond-test-XXXXXX");
	if (!mkdtemp(d->dir) || chmod(d->dir, 0755) != 0) /* other uids reach the socket */
		d->dir[0] = '\0';
	snprintf(d->socket, sizeof(d->socket), "%s/run/energymond.sock", d->dir);
	snprintf(d->err_path, sizeof(d->err_path), "%s/stderr", d->dir);
	d->status = -1;
}

void agentd_spawn(struct agentd *d, const char *const *args)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, d->err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	char *argv[40];
	size_t n = 0;
	argv[n++] = (char *)binary;
	argv[n++] = "--socket";
	argv[n++] = d->socket;
	for (size_t i = 0; args && args[i] && n < 39; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (posix_spawn(&d->pid, binary, &fa, NULL, argv, environ) != 0)
		d->pid = -1;
	posix_spawn_file_actions_destroy(&fa);
}

bool agentd_wait(struct agentd *d, double seconds)
{
	double until = agent_mono_s() + seconds;
	while (d->pid > 0) {
		int st;
		pid_t r = waitpid(d->pid, &st, WNOHANG);
		if (r == d->pid) {
			d->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			d->pid = 0;
			return true;
		}
		if (agent_mono_s() > until)
			return false;
		agent_sleep_s(0.01);
	}
	return d->status >= 0;
}

bool agentd_start(struct agentd *d, const char *const *args)
{
	agentd_spawn(d, args);
	double until = agent_mono_s() + 20;
	while (d->pid > 0 && agent_mono_s() < until) {
		int fd = agent_connect(d->socket);
		if (fd >= 0) {
			json_t *hello = agent_ask(fd, "{\"v\":1,\"op\":\"hello\"}");
			close(fd);
			bool ok = agent_ok(hello);
			json_decref(hello);
			if (ok)
				return true;
		}
		if (agentd_wait(d, 0.05))
			return false;
	}
	return false;
}

void agentd_stop(struct agentd *d)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	if (!agentd_wait(d, 20)) {
		kill(d->pid, SIGKILL);
		agentd_wait(d, 20);
	}
}

void agentd_log(const struct agentd *d, char *buf, size_t len)
{
	FILE *f = fopen(d->err_path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

int agent_connect(const char *socket_path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	struct timeval tv = {15, 0};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int agent_send_frame(int fd, const void *body, size_t len)
{
	unsigned char head[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
	                         (unsigned char)len};
	return write_all(fd, head, 4) || write_all(fd, body, len) ? -1 : 0;
}

int agent_send_text(int fd, const char *json_text)
{
	return agent_send_frame(fd, json_text, strlen(json_text));
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

json_t *agent_read(int fd)
{
	unsigned char head[4];
	if (read_all(fd, head, 4))
		return NULL;
	size_t n = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
	if (n > (64u << 20))
		return NULL;
	char *body = malloc(n + 1);
	json_t *o = body && !read_all(fd, body, n) ? json_loadb(body, n, 0, NULL) : NULL;
	free(body);
	return o;
}

json_t *agent_ask(int fd, const char *json_text)
{
	return agent_send_text(fd, json_text) ? NULL : agent_read(fd);
}

const char *agent_errno(const json_t *answer)
{
	const char *e = json_string_value(json_object_get(answer, "errno"));
	return e ? e : "";
}

bool agent_ok(const json_t *answer)
{
	return json_is_true(json_object_get(answer, "ok"));
}

bool agent_closed_within(int fd, double seconds)
{
	double until = agent_mono_s() + seconds;
	for (;;) {
		double left = until - agent_mono_s();
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(left * 1000) + 1) < 0)
			return false;
		if (p.revents) {
			char buf[4096];
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno == ECONNRESET))
				return true;
		}
	}
}

const char *const agentd_testpower[] = {"--plugins", "testpower", "--interval", "0.05", NULL};

int agentd_suite_start(struct agentd *shared)
{
	agentd_prepare(shared);
	return agentd_start(shared, agentd_testpower) ? 0 : -1;
}

int agentd_suite_stop(struct agentd *shared)
{
	agentd_stop(shared);
	if (shared->status != 0)
		fprintf(stderr, "the shared energymond exited with %d\n", shared->status);
	return shared->status == 0 ? 0 : -1;
}
