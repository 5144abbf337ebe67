"""Several simulated BMCs (simbmc/simbmc.sh, OpenIPMI's ipmi_sim on
127.0.0.1) whose DCMI power follows step profiles the test knows, so the
exact energy between any two instants is known."""

import os
import shutil
import subprocess
import time

from stack_processes import free_udp_port


def missing_prerequisites():
    """Why simulated BMCs cannot run here, or None."""
    source = os.environ.get("ENERGYMON_SOURCE_ROOT", "")
    build = os.environ.get("ENERGYMON_BUILD_ROOT", "")
    if not os.path.isfile(os.path.join(source, "simbmc", "simbmc.sh")):
        return "no simbmc/simbmc.sh under ENERGYMON_SOURCE_ROOT=%r" % source
    if not os.path.isfile(os.path.join(build, "simbmc", "simbmc_dcmi.so")):
        return "simbmc_dcmi.so is not built (needs libopenipmi-dev)"
    for program in ("ipmi_sim", "sdrcomp", "ipmitool"):
        if shutil.which(program) is None:
            return "%s is not installed (Debian: openipmi, ipmitool)" % program
    return None


class StepProfile:
    """Piecewise-constant power: `points` is [(unix_s, watts), ...] with
    non-decreasing times; watts hold from a point's time to the next's, the
    first level before the first point, the last level after the last (as
    simbmc reads its profile file)."""

    def __init__(self, points):
        self.points = list(points)

    def power_w(self, t):
        level = self.points[0][1]
        for start, watts in self.points:
            if t >= start:
                level = watts
        return level

    def energy_j(self, a, b):
        """The exact integral of the power over [a, b] in joules."""
        if b < a:
            return -self.energy_j(b, a)
        edges = [a] + [t for t, _ in self.points if a < t < b] + [b]
        return sum(self.power_w(lo) * (hi - lo) for lo, hi in zip(edges, edges[1:]))

    def steps_near(self, t, margin_s):
        """True when a level change lies within margin_s of t."""
        return any(abs(t - start) < margin_s for start, _ in self.points[1:])

    def file_text(self):
        return "".join("%.6f %.3f\n" % point for point in self.points)


class SimulatedBMC:
    """One ipmi_sim with the simbmc DCMI module, its password in a 0600 file."""

    def __init__(self, name, base_dir, password, profile):
        self.name = name
        self.dir = os.path.join(base_dir, name)
        os.mkdir(self.dir, 0o700)
        self.user = "admin"
        self.password_file = os.path.join(self.dir, "password")
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(password + "\n")
        self.profile_file = os.path.join(self.dir, "profile")
        self.set_profile(profile)
        self.port = None

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def set_profile(self, profile):
        """Replaces the profile atomically (simbmc re-reads it when its inode
        changes)."""
        self.profile = profile
        scratch = self.profile_file + ".new"
        with open(scratch, "w") as f:
            f.write(profile.file_text())
        os.rename(scratch, self.profile_file)


def _script(*args, wait=True):
    script = os.path.join(os.environ["ENERGYMON_SOURCE_ROOT"], "simbmc", "simbmc.sh")
    # simbmc.sh preloads what its module needs itself.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    run = subprocess.Popen([script, *args], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if wait:
        out, _ = run.communicate(timeout=60)
        return run.returncode, out
    return run


class Fleet:
    """BMCs started together (in parallel: each start waits for an
    authenticated answer), stopped together."""

    def __init__(self, base_dir, profiles, password="fleet-secret-7", no_realtime=False):
        self.bmcs = [SimulatedBMC("bmc%02d" % (i + 1), base_dir, password, profile)
                     for i, profile in enumerate(profiles)]
        self.no_realtime = no_realtime

    def start(self):
        module = os.path.join(os.environ["ENERGYMON_BUILD_ROOT"], "simbmc", "simbmc_dcmi.so")
        pending = list(self.bmcs)
        for _ in range(3):  # another process may take a port between probe and bind
            runs = []
            for bmc in pending:
                bmc.port = free_udp_port()
                args = ["start", "--dir", os.path.join(bmc.dir, "sim"), "--port", str(bmc.port),
                        "--password-file", bmc.password_file, "--module", module,
                        "--profile", bmc.profile_file, "--sensors-init",
                        "--owner-pid", str(os.getpid())]
                if self.no_realtime:
                    args.append("--no-realtime")
                runs.append((bmc, _script(*args, wait=False)))
            failed = []
            for bmc, run in runs:
                try:
                    out, _ = run.communicate(timeout=90)
                except subprocess.TimeoutExpired:  # seen at load 27: start again
                    run.kill()
                    out, _ = run.communicate()
                    out = "simbmc.sh start did not return within 90 s " + (out or "")
                if run.returncode != 0:
                    failed.append((bmc, out))
            pending = [bmc for bmc, _ in failed]
            if not pending:
                return
            time.sleep(0.2)
        raise RuntimeError("simbmc.sh start failed for %s: %s"
                           % (failed[0][0].name, failed[0][1].strip()))

    def stop(self):
        for bmc in self.bmcs:
            if bmc.port is not None:
                _script("stop", "--dir", os.path.join(bmc.dir, "sim"))
