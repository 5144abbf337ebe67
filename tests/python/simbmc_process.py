"""Running the project's simulated BMC (simbmc/simbmc.sh) from Python tests,
with a constant power profile so the energy truth is power x time."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

SKIP = 77


def missing_prerequisites():
    """Why the simulated BMC cannot run here, or None."""
    source = os.environ.get("ENERGYMON_SOURCE_ROOT", "")
    build = os.environ.get("ENERGYMON_BUILD_ROOT", "")
    needs = {
        "simbmc/simbmc.sh (ENERGYMON_SOURCE_ROOT)": os.path.join(source, "simbmc", "simbmc.sh"),
        "simbmc_dcmi.so (ENERGYMON_BUILD_ROOT; needs libopenipmi-dev)":
            os.path.join(build, "simbmc", "simbmc_dcmi.so"),
    }
    for what, path in needs.items():
        if not os.path.isfile(path):
            return "no %s at %s" % (what, path)
    for program in ("ipmi_sim", "sdrcomp", "ipmitool"):
        if shutil.which(program) is None:
            return "%s is not installed (Debian: openipmi, ipmitool)" % program
    if ipmi_plugin_dir() is None:
        return ("the ipmi plugin is not built (ipmi.so not in ENERGYMON_REAL_PLUGIN_PATH=%r)"
                % os.environ.get("ENERGYMON_REAL_PLUGIN_PATH", ""))
    return None


def ipmi_plugin_dir():
    for directory in os.environ.get("ENERGYMON_REAL_PLUGIN_PATH", "").split(":"):
        if directory and os.path.isfile(os.path.join(directory, "ipmi.so")):
            return directory
    return None


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SimulatedBMC:
    """A BMC on 127.0.0.1 that reports `watts` W from before it starts on."""

    def __init__(self, watts):
        self.watts = watts
        self.dir = tempfile.mkdtemp(prefix="energymon-py-bmc-")
        self.password = "py-test-secret"
        self.user = "admin"
        self.port = None

    def _script(self, *args):
        script = os.path.join(os.environ["ENERGYMON_SOURCE_ROOT"], "simbmc", "simbmc.sh")
        # simbmc.sh preloads what its module needs itself; the sanitizer
        # runtimes preloaded into these tests would only get in its way.
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        return subprocess.run([script, *args], capture_output=True, text=True, timeout=60,
                              env=env)

    def start(self):
        password_file = os.path.join(self.dir, "password")
        with open(os.open(password_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(self.password + "\n")
        profile = os.path.join(self.dir, "profile")
        with open(profile, "w") as f:
            f.write("%.3f %.1f\n" % (time.time() - 60.0, self.watts))
        module = os.path.join(os.environ["ENERGYMON_BUILD_ROOT"], "simbmc", "simbmc_dcmi.so")
        for _ in range(3):  # another test may take the port between probe and bind
            self.port = _free_udp_port()
            done = self._script("start", "--dir", os.path.join(self.dir, "bmc"),
                                "--port", str(self.port), "--password-file", password_file,
                                "--module", module, "--profile", profile, "--sensors-init")
            if done.returncode == 0:
                return
        raise RuntimeError("simbmc.sh start failed: %s" % done.stderr)

    def config(self, **extra):
        """The Lithops keys that reach this BMC."""
        config = {"ipmi_host": "127.0.0.1:%d" % self.port, "ipmi_username": self.user,
                  "ipmi_password": self.password, "ipmi_workarounds": ["opensesspriv"],
                  "ipmi_sdr_cache_dir": os.path.join(self.dir, "sdr-cache")}
        config.update(extra)
        return config

    def stop(self):
        self._script("stop", "--dir", os.path.join(self.dir, "bmc"))
        shutil.rmtree(self.dir, ignore_errors=True)
