/* The peer of agent_peer.h: one thread, one connection at a time. */
#include "agent_peer.h"

static int read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = recv(fd, p, len, 0);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static json_t *read_request(int fd)
{
	unsigned char h[4];
	if (read_exact(fd, h, 4))
		return NULL;
	uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	if (len > 65536)
		return NULL;
	char *buf = malloc(len + 1);
	json_t *j = buf && !read_exact(fd, buf, len) ? json_loadb(buf, len, 0, NULL) : NULL;
	free(buf);
	return j;
}

static void send_raw(int fd, const char *text, uint32_t claimed)
{
	unsigned char h[4] = {claimed >> 24, claimed >> 16, claimed >> 8, claimed};
	send(fd, h, 4, MSG_NOSIGNAL);
	send(fd, text, strlen(text), MSG_NOSIGNAL);
}

static void send_text(int fd, const char *text)
{
	send_raw(fd, text, (uint32_t)strlen(text));
}

static const char *hello_answer = "{\"v\":1,\"ok\":true,\"agent\":\"energymond\",\"version\":\"test-0\","
                                  "\"interval_s\":1.0,\"sources\":[{\"id\":\"fake\",\"plugin\":\"fake\","
                                  "\"instance\":\"\",\"available\":true,\"reason\":null},{\"id\":\"other:a\","
                                  "\"available\":false,\"reason\":\"no such device\"}],"
                                  "\"peer\":{\"pid\":1,\"uid\":0}}";

static const char *hello_testpower = "{\"v\":1,\"ok\":true,\"agent\":\"energymond\",\"version\":\"test-1\","
                                     "\"sources\":[{\"id\":\"testpower\",\"available\":true,\"reason\":null}]}";

/* Wait until the test ends (stop_pipe readable) or the client hangs up. */
static void hold(struct peer *p, int fd)
{
	struct pollfd f[2] = {{.fd = p->stop_pipe[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
	char sink[4096];
	while (poll(f, 2, -1) > 0 && !(f[0].revents & POLLIN))
		if ((f[1].revents & (POLLIN | POLLHUP)) && recv(fd, sink, sizeof(sink), 0) <= 0)
			return;
}

static void serve(struct peer *p, int fd)
{
	json_t *req = read_request(fd);
	json_decref(req);
	switch (p->how) {
	case SILENT: hold(p, fd); return;
	case HUGE_LENGTH: send_raw(fd, "{}", 100u * 1000 * 1000); hold(p, fd); return;
	case GARBAGE: send_text(fd, "{\"v\":1, this is not json"); hold(p, fd); return;
	case REFUSE:
		send_text(fd, "{\"v\":1,\"ok\":false,\"errno\":\"EACCES\",\"error\":\"clients of group x only\"}");
		hold(p, fd);
		return;
	default: break;
	}
	send_text(fd, p->how == GOOD_STATE ? hello_testpower : hello_answer);
	if (!(p->begin = read_request(fd)))
		return;
	send_text(fd, "{\"v\":1,\"ok\":true,\"window\":7}");
	if (p->how == CLOSE_ON_BEGIN)
		return;
	json_t *end = read_request(fd);
	json_decref(end);
	if (p->how == CLOSE_ON_END || !end)
		return;
	if (p->how == HANG_END) {
		hold(p, fd);
		return;
	}
	if (p->how == GOOD_STATE) {
		json_t *a = json_pack("{s:i,s:b,s:O}", "v", 1, "ok", 1, "state", p->state);
		char *text = json_dumps(a, JSON_COMPACT);
		send_text(fd, text);
		free(text);
		json_decref(a);
	} else {
		send_text(fd, "{\"v\":1,\"ok\":true,\"state\":{\"not\":\"a state document\"}}");
	}
	hold(p, fd);
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	struct pollfd f[2] = {{.fd = p->stop_pipe[0], .events = POLLIN}, {.fd = p->listen_fd, .events = POLLIN}};
	while (poll(f, 2, -1) > 0 && !(f[0].revents & POLLIN)) {
		int fd = accept(p->listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		serve(p, fd);
		close(fd);
	}
	return NULL;
}

struct peer *peer_start(enum behaviour how)
{
	struct peer *p = calloc(1, sizeof(*p));
	p->how = how;
	snprintf(p->dir, sizeof(p->dir), "/tmp/em-agent-test-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(p->dir) != NULL);
	snprintf(p->path, sizeof(p->path), "%s/energymond.sock", p->dir);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", p->path);
	p->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(p->listen_fd >= 0);
	CU_ASSERT_FATAL(bind(p->listen_fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(listen(p->listen_fd, 8) == 0);
	CU_ASSERT_FATAL(pipe(p->stop_pipe) == 0);
	CU_ASSERT_FATAL(pthread_create(&p->thread, NULL, peer_main, p) == 0);
	setenv("ENERGYMON_SOCKET", p->path, 1);
	return p;
}

void peer_stop(struct peer *p)
{
	CU_ASSERT(write(p->stop_pipe[1], "x", 1) == 1);
	pthread_join(p->thread, NULL);
	close(p->listen_fd);
	close(p->stop_pipe[0]);
	close(p->stop_pipe[1]);
	unlink(p->path);
	rmdir(p->dir);
	json_decref(p->begin);
	json_decref(p->state);
	free(p);
	unsetenv("ENERGYMON_SOCKET");
}
