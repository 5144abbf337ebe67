"""CPU time of one measured program, its threads and its children.

Preferred: a cgroup v2 of its own (cpu.stat usage_usec, microseconds; it
counts every thread, exited ones too, and every child the program forks,
such as ipmi_exporter's FreeIPMI tools). That needs a writable cgroup v2
hierarchy (root, or a delegated subtree). Otherwise /proc/PID/stat
utime+stime+cutime+cstime: children count once reaped, and the unit is a
clock tick (10 ms here), so short runs read coarse figures; the bench says
which meter it used."""

import os
import time

CLOCK_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def _cgroup2_root():
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 2 and fields[2] == "cgroup2":
                return fields[1]
    return None


def proc_stat_cpu_s(pid):
    """utime+stime+cutime+cstime of pid in seconds (clock-tick resolution)."""
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    # Fields after the command name (which may hold spaces) in parentheses.
    fields = text[text.rindex(")") + 2:].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) * CLOCK_TICK_S


class CpuMeter:
    def __init__(self, name):
        self.cgroup = None
        root = _cgroup2_root()
        if root:
            path = os.path.join(root, "energymon-bench-%s-%d" % (name, os.getpid()))
            try:
                os.mkdir(path, 0o755)
                self.cgroup = path
            except OSError:
                self.cgroup = None
        self.method = ("cgroup v2 cpu.stat usage_usec (threads and children, 1 us)"
                       if self.cgroup else
                       "/proc/PID/stat utime+stime+cutime+cstime (%.0f ms ticks)"
                       % (1000 * CLOCK_TICK_S))

    def enter(self):
        """Moves the calling process into the cgroup (run it in the child
        between fork and exec: everything it starts is counted)."""
        if self.cgroup:
            with open(os.path.join(self.cgroup, "cgroup.procs"), "w") as f:
                f.write("0")

    def cpu_s(self, pid):
        if self.cgroup:
            with open(os.path.join(self.cgroup, "cpu.stat")) as f:
                for line in f:
                    key, value = line.split()
                    if key == "usage_usec":
                        return int(value) / 1e6
            raise RuntimeError("%s/cpu.stat has no usage_usec" % self.cgroup)
        return proc_stat_cpu_s(pid)

    def close(self):
        """Removes the cgroup (once the processes in it have exited)."""
        # A FreeIPMI tool the exporter left running when it stopped may still
        # be in it (one hung for 40 min once its BMC was gone): kill what is
        # left (cgroup.kill, Linux 5.14), then retry for up to 5 s.
        if self.cgroup:
            try:
                with open(os.path.join(self.cgroup, "cgroup.kill"), "w") as f:
                    f.write("1")
            except OSError:
                pass
        for _ in range(50):
            if not self.cgroup:
                return
            try:
                os.rmdir(self.cgroup)
                return
            except OSError:
                time.sleep(0.1)
