/*
 * Who the client is (SO_PEERCRED, as the kernel saw it at connect) and
 * whether it may have a process tree followed: its own processes (real and
 * effective uid its uid), or any when it is root or in energymond's
 * --group. /proc is read without following symlinks below it and with a
 * bounded read: a pid's status file is the kernel's, but its name line is
 * the process's own text.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STATUS_MAX 65536 /* a Groups: line of a process in many groups is long */

/* The peer's supplementary groups at connect (SO_PEERGROUPS): the kernel's
 * record, not /proc/PID/status of a pid that may since be another
 * process's (the one that connected can exit while a child keeps the
 * socket). */
static bool peer_groups_hold(int fd, gid_t group)
{
	gid_t some[64], *groups = some;
	socklen_t len = sizeof(some);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
		if (errno != ERANGE || !(groups = malloc(len)) ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
			if (groups != some)
				free(groups);
			return false;
		}
	}
	bool found = false;
	for (size_t i = 0; i < len / sizeof(gid_t) && !found; i++)
		found = groups[i] == group;
	if (groups != some)
		free(groups);
	return found;
}

int agent_peer_of(int fd, bool group_set, gid_t group, struct agent_peer *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return -errno;
	p->pid = cred.pid;
	p->uid = cred.uid;
	p->gid = cred.gid;
	p->member = group_set && (cred.gid == group || peer_groups_hold(fd, group));
	return 0;
}

/* /proc/PID/status into buf (NUL-terminated): 0, -ESRCH or -errno. */
static int read_status(pid_t pid, char *buf, size_t len)
{
	char name[32];
	snprintf(name, sizeof(name), "/proc/%d", (int)pid);
	int dir = open(name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	int fd = openat(dir, "status", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int e = errno;
	close(dir);
	if (fd < 0)
		return e == ENOENT || e == ESRCH ? -ESRCH : -e;
	size_t n = 0;
	while (n < len - 1) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? errno : 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (e)
		return e == ESRCH ? -ESRCH : -e;
	return n ? 0 : -ESRCH; /* a process that died as we read */
}

/* The value of the line "Key:\t..." (at a line start), or NULL. */
static const char *field(const char *status, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return p + klen + 1;
	return NULL;
}

/* Uid: real effective ... */
static int uids(const char *status, unsigned long *real, unsigned long *effective)
{
	const char *v = field(status, "Uid");
	return v && sscanf(v, "%lu %lu", real, effective) == 2 ? 0 : -EIO;
}

int agent_pidfd_open(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	return fd >= 0 ? fd : -errno;
}

bool agent_pidfd_exited(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	return poll(&p, 1, 0) != 0; /* readable (or an error): gone */
}

int agent_peer_may_follow(const struct agent_peer *peer, pid_t pid, char *why, size_t len)
{
	char *buf = malloc(STATUS_MAX);
	if (!buf) {
		snprintf(why, len, "out of memory checking pid %d", (int)pid);
		return -ENOMEM;
	}
	int rc = read_status(pid, buf, STATUS_MAX);
	unsigned long real = 0, effective = 0;
	if (rc == -ESRCH)
		snprintf(why, len, "pid %d does not exist", (int)pid);
	else if (rc || (rc = uids(buf, &real, &effective)) != 0)
		snprintf(why, len, "cannot read /proc/%d/status: %s", (int)pid, strerror(-rc));
	else if (peer->uid != 0 && (real != peer->uid || effective != peer->uid) &&
	         !peer->member) {
		/* whose it is stays untold: only that it is not the client's */
		snprintf(why, len, "pid %d is not a process of uid %u (the client's)", (int)pid, (unsigned)peer->uid);
		rc = -EPERM;
	}
	free(buf);
	return rc;
}
