/* See http_client.h. */
#include "http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool httpd_start(struct agentd *d, const char *const *extra)
{
	char port_file[PATH_MAX + 8];
	snprintf(port_file, sizeof(port_file), "%s/port", d->dir);
	const char *args[32] = {"--plugins", "testpower", "--interval", "0.05", "--listen", "0", "--listen-port-file",
	                        port_file};
	size_t n = 8;
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	return agentd_start(d, args) && httpd_port(d) != 0;
}

unsigned httpd_port(const struct agentd *d)
{
	char path[PATH_MAX + 8], text[32] = "";
	snprintf(path, sizeof(path), "%s/port", d->dir);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	if (n < 2 || text[n - 1] != '\n' || strspn(text, "0123456789") != n - 1)
		return 0;
	unsigned long port = strtoul(text, NULL, 10);
	return port > 0 && port < 65536 ? (unsigned)port : 0;
}

int http_connect(unsigned port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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

int http_send_all(int fd, const void *buf, size_t len)
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

size_t http_read_all(int fd, char *out, size_t cap)
{
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = recv(fd, out + len, cap - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	return len;
}

int http_request(unsigned port, const char *method, const char *path, const char *headers, char *out, size_t cap)
{
	out[0] = '\0';
	int fd = http_connect(port);
	if (fd < 0)
		return 0;
	char req[4096];
	int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n", method,
	                 path, headers);
	int status = 0;
	if (n > 0 && (size_t)n < sizeof(req) && http_send_all(fd, req, (size_t)n) == 0) {
		http_read_all(fd, out, cap);
		if (sscanf(out, "HTTP/1.%*d %d", &status) != 1)
			status = 0;
	}
	close(fd);
	return status;
}

const char *http_body(const char *answer)
{
	const char *end = strstr(answer, "\r\n\r\n");
	return end ? end + 4 : NULL;
}

double http_metric(const char *page, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *line = page; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, prefix, n) == 0) {
			const char *space = strchr(line + n, ' ');
			return space ? strtod(space + 1, NULL) : -1;
		}
	return -1;
}

int http_run(const char *const *argv, char *out, size_t cap)
{
	char path[] = "/tmp/energymond-http-run-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	int status = -1;
	if (rc == 0 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, out, cap - 1);
	out[n > 0 ? (size_t)n : 0] = '\0';
	close(fd);
	unlink(path);
	return rc == 0 ? status : -1;
}

bool http_have(const char *program)
{
	const char *path = getenv("PATH");
	char copy[4096], file[4096 + 256];
	snprintf(copy, sizeof(copy), "%s", path ? path : "/usr/bin:/bin");
	for (char *save, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/%s", dir, program);
		if (access(file, X_OK) == 0)
			return true;
	}
	return false;
}
