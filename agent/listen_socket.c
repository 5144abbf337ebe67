/*
 * The listening socket, made safely in a directory others may share:
 * the directory (created 0755 when missing, as systemd's RuntimeDirectory
 * would) must belong to root or energymond's euid and be writable by no one
 * else, and is opened without following a symlink; everything below is done
 * relative to that open directory (/proc/self/fd/N/NAME for bind and
 * connect), so no one can swap a path component in between. A socket left
 * by a dead energymond is replaced; a live one is never touched.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(char *why, size_t len, int code, const char *fmt, const char *a, const char *b)
{
	snprintf(why, len, fmt, a, b);
	return code;
}

/* sockaddr for NAME in the open directory dir_fd */
static int address_in(int dir_fd, const char *name, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dir_fd, name);
	return n > 0 && (size_t)n < sizeof(sa->sun_path) ? 0 : -ENAMETOOLONG;
}

static int open_dir(const char *dir, struct agent_socket *s, char *why, size_t len)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return fail(why, len, -errno, "cannot create the socket's directory %s: %s", dir, strerror(errno));
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && fchmod(fd, 0755) != 0) { /* whatever the umask */
			close(fd);
			return fail(why, len, -errno, "cannot make %s mode 0755: %s", dir, strerror(errno));
		}
	}
	if (fd < 0)
		return fail(why, len, -errno, "cannot open the socket's directory %s (a symlink is refused): %s", dir,
		            strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		close(fd);
		char mode[64];
		snprintf(mode, sizeof(mode), "uid %u, mode %04o", (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return fail(why, len, -EPERM,
		            "the socket's directory %s (%s) must belong to root or energymond's user and not be "
		            "writable by group or others", dir, mode);
	}
	s->dir_fd = fd;
	return 0;
}

/* A socket at NAME already: remove it only if it is ours and dead. */
static int clear_stale(struct agent_socket *s, char *why, size_t len)
{
	struct stat st;
	if (fstatat(s->dir_fd, s->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : fail(why, len, -errno, "%s: %s", s->path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(why, len, -EEXIST, "%s exists and is not a socket; not removing it%s", s->path, "");
	if (st.st_uid != geteuid()) {
		char owner[64];
		snprintf(owner, sizeof(owner), "uid %u", (unsigned)st.st_uid);
		return fail(why, len, -EEXIST, "%s is a socket of %s, not energymond's user; not removing it", s->path,
		            owner);
	}
	struct sockaddr_un sa;
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (probe < 0 || address_in(s->dir_fd, s->name, &sa) != 0) {
		if (probe >= 0)
			close(probe);
		return fail(why, len, -EIO, "cannot check whether %s is in use%s", s->path, "");
	}
	int rc = connect(probe, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	if (rc == 0 || e == EAGAIN) {
		struct ucred cred = {0};
		socklen_t cl = sizeof(cred);
		char who[64] = "another process";
		if (rc == 0 && getsockopt(probe, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.pid > 0)
			snprintf(who, sizeof(who), "another energymond (pid %d)", (int)cred.pid);
		close(probe);
		return fail(why, len, -EADDRINUSE, "%s is listening on %s; refusing to start a second one", who, s->path);
	}
	close(probe);
	if (e != ECONNREFUSED)
		return fail(why, len, -e, "cannot check whether %s is in use: %s", s->path, strerror(e));
	if (unlinkat(s->dir_fd, s->name, 0) != 0 && errno != ENOENT)
		return fail(why, len, -errno, "cannot remove the stale socket %s: %s", s->path, strerror(errno));
	agent_log("removed the stale socket %s (nothing answered on it)", s->path);
	return 0;
}

static int bind_and_listen(struct agent_socket *s, char *why, size_t len)
{
	struct sockaddr_un sa;
	if (address_in(s->dir_fd, s->name, &sa) != 0)
		return fail(why, len, -ENAMETOOLONG, "%s: the socket's name is too long%s", s->path, "");
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return fail(why, len, -errno, "cannot make a socket: %s%s", strerror(errno), "");
	/* 0666: any local user may connect; access control is per request.
	 * Set by the umask at bind, so the file never exists with another mode
	 * (no threads run yet: the umask is the process's). */
	mode_t old = umask(0111);
	int rc = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	if (rc != 0)
		return fail(why, len, -e, "cannot bind %s: %s", s->path, strerror(e));
	struct stat st;
	if (fstatat(s->dir_fd, s->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return fail(why, len, -errno, "%s vanished after bind: %s", s->path, strerror(errno));
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (listen(s->fd, 512) != 0)
		return fail(why, len, -errno, "cannot listen on %s: %s", s->path, strerror(errno));
	return 0;
}

int agent_socket_open(const char *path, struct agent_socket *s, char *why, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->dir_fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || !slash[1] || strlen(path) >= sizeof(s->path))
		return fail(why, len, -EINVAL, "--socket: '%s' is not an absolute path to a socket file%s", path, "");
	if (strlen(slash + 1) > 80 || !strcmp(slash + 1, ".") || !strcmp(slash + 1, ".."))
		return fail(why, len, -EINVAL, "--socket: the name '%s' is not a file name of at most 80 bytes%s",
		            slash + 1, "");
	snprintf(s->name, sizeof(s->name), "%s", slash + 1);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	int rc = open_dir(dir, s, why, len);
	if (!rc)
		rc = clear_stale(s, why, len);
	if (!rc)
		rc = bind_and_listen(s, why, len);
	if (rc) {
		if (s->fd >= 0)
			close(s->fd);
		if (s->dir_fd >= 0)
			close(s->dir_fd);
		s->fd = s->dir_fd = -1;
		s->ino = 0;
	}
	return rc;
}

void agent_socket_close(struct agent_socket *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	struct stat st;
	/* only the file we bound: a newer energymond's socket stays */
	if (s->dir_fd >= 0 && s->ino && fstatat(s->dir_fd, s->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == s->dev && st.st_ino == s->ino)
		unlinkat(s->dir_fd, s->name, 0);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	s->dir_fd = -1;
}
