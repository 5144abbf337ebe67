/*
 * privileges.c — can this process load tracing BPF programs here? Cheap
 * checks, no side effects, for probe().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ebpf_internal.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39
/* The inode of the initial pid namespace (PROC_PID_INIT_INO in the kernel). */
#define INIT_PID_NS_INO 0xEFFFFFFCu

static int effective_caps(uint64_t *caps)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -errno;
	char line[256];
	int rc = -ENOENT;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, caps) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

int ebpf_check_privileges(char *why, size_t len)
{
	uint64_t caps = 0;
	int rc = effective_caps(&caps);
	if (rc != 0) {
		snprintf(why, len, "ebpf: cannot read the capabilities in /proc/self/status: %s", strerror(-rc));
		return -EPERM;
	}
	int sys_admin = (caps >> CAP_SYS_ADMIN_BIT) & 1;
	int bpf = (caps >> CAP_BPF_BIT) & 1, perfmon = (caps >> CAP_PERFMON_BIT) & 1;
	if (sys_admin || (bpf && perfmon))
		return 0;
	snprintf(why, len,
		 "ebpf: unavailable: loading tracing BPF programs needs root, or CAP_BPF and CAP_PERFMON "
		 "(this process has%s%s%s)",
		 bpf ? " CAP_BPF" : "", perfmon ? " CAP_PERFMON" : "", (bpf || perfmon) ? " only" : " neither");
	return -EPERM;
}

int ebpf_check_btf(char *why, size_t len)
{
	if (access(BTF_PATH, R_OK) == 0)
		return 0;
	int err = errno;
	snprintf(why, len,
		 "ebpf: unavailable: %s: %s; the kernel needs BTF (CONFIG_DEBUG_INFO_BTF=y) for CO-RE programs",
		 BTF_PATH, strerror(err));
	return err == EACCES ? -EACCES : -ENODEV;
}

/* The BPF programs see the kernel's own pids; a host in a container sees
 * other numbers for the same processes, and would follow the wrong tree. */
int ebpf_check_pid_namespace(char *why, size_t len)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);
	if (n < 0)
		return 0; /* no namespace support: one namespace */
	link[n] = '\0';
	unsigned long ino = 0;
	if (sscanf(link, "pid:[%lu]", &ino) == 1 && ino != INIT_PID_NS_INO) {
		snprintf(why, len,
			 "ebpf: unavailable: energymon runs in a pid namespace other than the initial one "
			 "(a container), where pids differ from the kernel's; run it in the host's pid namespace");
		return -EOPNOTSUPP;
	}
	return 0;
}
