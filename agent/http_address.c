/* --listen's address and --listen-port-file (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_port(const char *text, unsigned *port)
{
	char *end;
	if (!*text || *text == '-' || *text == '+')
		return -1;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || *end || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int agent_http_parse_listen(const char *text, struct sockaddr_storage *sa, char *why, size_t len)
{
	char host[64] = "127.0.0.1";
	const char *port_text = text;
	const char *colon = strrchr(text, ':');
	if (text[0] == '[') { /* [v6]:PORT */
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host)) {
			snprintf(why, len, "--listen: '%.80s' is not [IPv6]:PORT", text);
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(close - text - 1), text + 1);
		port_text = close + 2;
	} else if (colon) {
		if (colon - text >= (long)sizeof(host)) {
			snprintf(why, len, "--listen: the address in '%.80s' is too long", text);
			return -EINVAL;
		}
		if (colon > text)
			snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
		port_text = colon + 1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	unsigned port;
	if (parse_port(port_text, &port) != 0) {
		snprintf(why, len, "--listen: '%.80s' has no port from 0 to 65535 (ADDR:PORT, PORT or [::1]:PORT)", text);
		return -EINVAL;
	}
	memset(sa, 0, sizeof(*sa));
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
	} else {
		snprintf(why, len, "--listen: '%s' is not a numeric IPv4 or IPv6 address (names are not looked up)", host);
		return -EINVAL;
	}
	return 0;
}

int agent_http_write_port_file(const char *path, unsigned port, char *why, size_t len)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(why, len, "--listen-port-file: '%.80s...' is too long", path);
		return -ENAMETOOLONG;
	}
	int fd = mkstemp(tmp); /* O_EXCL: never through a planted symlink */
	if (fd < 0) {
		snprintf(why, len, "--listen-port-file: cannot create a file beside %s: %s", path, strerror(errno));
		return -errno;
	}
	char text[16];
	int n = snprintf(text, sizeof(text), "%u\n", port);
	int rc = fchmod(fd, 0644) == 0 && write(fd, text, (size_t)n) == n && fsync(fd) == 0 ? 0 : -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		snprintf(why, len, "--listen-port-file: cannot write %s: %s", path, strerror(-rc));
	}
	return rc;
}
