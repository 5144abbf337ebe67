"""The seed's "Direct Usage" example through energymond, unprivileged.

The agent (agent/energymond from the build tree) runs as the test's user
(root in CI) with the ipmi plugin against the simulated BMC; the seed's
code runs in a separate Python as uid 65534 (when the test is root), with
only ENERGYMON_SOCKET and energy_agent set, and the seed's own config
(ipmi_host 'localhost', no user, no password): under the agent the client
names a source, the agent alone reaches the BMC. It must measure the BMC's
power and leave the Lithops files with the energy and measured_by "agent".

The binding and libenergymon.so are staged in a fresh 0755 directory, as
uid 65534 may not reach a checkout in a 0700 directory. Skipped (77) with
the reason when the BMC or the agent is not built here."""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import simbmc_process
from energymon_testing import TempDirTest, run_tests

WATTS = 140.0  # the BMC's constant power, W
NOBODY = 65534

# The seed's Direct Usage code, verbatim but for the import line; then the
# Lithops files and what the test reads, on stdout as one JSON line.
SEED_SCRIPT = '''
import json, sys

def compute_intensive_function():
    return sum(i * i for i in range(3_000_000))

import os
from energymon import IPMIEnergyMonitor

# Get the current process ID
process_id = os.getpid()

# Configure the IPMI energy monitor
config = {
    'ipmi_host': 'localhost',
    'ipmi_username': None,
    'ipmi_password': None,
    'energy_sampling_interval': 0.5
}

# Create the IPMI energy monitor
monitor = IPMIEnergyMonitor(process_id, config)

# Start monitoring
monitor.start()

try:
    # Run your code here
    result = compute_intensive_function()
finally:
    # Stop monitoring
    monitor.stop()
    
    # Get energy data
    energy_data = monitor.get_energy_data()
    
    # Print energy data
    print(f"System Energy: {energy_data['energy'].get('system')} Joules")
    print(f"Average Power: {energy_data['energy'].get('avg_power')} Watts")

monitor.write_files("seedjob", "00000", sys.argv[1])
print(json.dumps({"uid": os.getuid(), "energy_data": energy_data}))
'''


def agent_program():
    return os.path.join(os.environ["ENERGYMON_BUILD_ROOT"], "agent", "energymond")


def interpreter_for(uid):
    """A Python that `uid` can run: this one, else the system's (this one
    may live under a home directory others cannot enter, e.g. pyenv's);
    None when there is none."""
    for candidate in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        if not candidate or not os.path.isfile(candidate):
            continue
        drop = {"user": uid, "group": uid, "extra_groups": []} if os.geteuid() == 0 else {}
        try:
            done = subprocess.run([candidate, "-c", "import ctypes, json"], capture_output=True, timeout=60,
                                  cwd="/", **drop)
        except OSError:
            continue
        if done.returncode == 0:
            return candidate
    return None


def hello(path, timeout_s=5.0):
    """The agent's answer to hello (docs/agent-protocol.md), or None."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout_s)
            s.connect(path)
            body = b'{"v":1,"op":"hello"}'
            s.sendall(struct.pack(">I", len(body)) + body)
            head = s.recv(4, socket.MSG_WAITALL)
            (length,) = struct.unpack(">I", head)
            return json.loads(s.recv(length, socket.MSG_WAITALL))
    except (OSError, ValueError, struct.error):
        return None


class SeedDirectUsageThroughTheAgent(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.python = interpreter_for(NOBODY)
        if cls.python is None:
            raise unittest.SkipTest("no Python interpreter that uid %d can run (%s is not reachable for it, "
                                    "and there is no /usr/bin/python3)" % (NOBODY, sys.executable))
        cls.stage = tempfile.mkdtemp(prefix="energymon-py-agent-")
        os.chmod(cls.stage, 0o755)
        shutil.copytree(os.path.join(os.environ["ENERGYMON_SOURCE_ROOT"], "python", "energymon"),
                        os.path.join(cls.stage, "energymon"))
        cls.library = os.path.join(cls.stage, "libenergymon.so")
        shutil.copy(os.environ["ENERGYMON_LIBRARY"], cls.library)
        cls.script = os.path.join(cls.stage, "seed_direct_usage.py")
        with open(cls.script, "w") as f:
            f.write(SEED_SCRIPT)
        for root, dirs, files in os.walk(cls.stage):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755)
        cls.bmc = simbmc_process.SimulatedBMC(WATTS)
        cls.bmc.start()
        cls.socket = os.path.join(cls.stage, "energymond.sock")
        cls.log = open(os.path.join(cls.bmc.dir, "energymond.log"), "w+")
        bmc = cls.bmc.config()
        args = [agent_program(), "--socket", cls.socket, "--plugins", "ipmi", "--interval", "0.1",
                "--set", "ipmi_host=" + bmc["ipmi_host"], "--set", "ipmi_username=" + bmc["ipmi_username"],
                "--set", "ipmi_password_file=" + os.path.join(cls.bmc.dir, "password"),
                "--set", "ipmi_workarounds=opensesspriv",
                "--set", "ipmi_sdr_cache_dir=" + bmc["ipmi_sdr_cache_dir"]]
        env = dict(os.environ, ENERGYMON_PLUGIN_PATH=simbmc_process.ipmi_plugin_dir())
        env.pop("LD_PRELOAD", None)  # energymond links its own sanitizer runtime, if any
        cls.agent = subprocess.Popen(args, stdout=cls.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        cls.hello = None
        while cls.hello is None and time.monotonic() < deadline and cls.agent.poll() is None:
            time.sleep(0.05)
            cls.hello = hello(cls.socket)
        if cls.hello is None:
            cls.tearDownClass()
            raise RuntimeError("energymond did not answer hello on %s:\n%s" % (cls.socket, cls.agent_log()))

    @classmethod
    def agent_log(cls):
        cls.log.seek(0)
        return cls.log.read()[-4000:]

    @classmethod
    def tearDownClass(cls):
        if cls.agent.poll() is None:
            cls.agent.terminate()
            try:
                cls.agent.wait(15)
            except subprocess.TimeoutExpired:
                cls.agent.kill()
                cls.agent.wait()
        cls.log.close()
        cls.bmc.stop()
        shutil.rmtree(cls.stage, ignore_errors=True)

    def run_seed(self, energy_agent):
        """The seed's code in another Python, as uid 65534 when we are root."""
        out = os.path.join(self.tmp, "energy_data")
        os.mkdir(out)
        as_root = os.geteuid() == 0
        if as_root:
            os.chmod(self.tmp, 0o755)
            os.chown(out, NOBODY, NOBODY)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": self.stage,
               "PYTHONDONTWRITEBYTECODE": "1", "ENERGYMON_LIBRARY": self.library,
               "ENERGYMON_SOCKET": self.socket, "ENERGYMON_AGENT": energy_agent}
        for name in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if name in os.environ:
                env[name] = os.environ[name]
        drop = {"user": NOBODY, "group": NOBODY, "extra_groups": []} if as_root else {}
        done = subprocess.run([self.python, self.script, out], capture_output=True, text=True, env=env,
                              cwd=out, timeout=120, **drop)
        self.assertEqual(done.returncode, 0, "stdout:\n%s\nstderr:\n%s\nagent:\n%s"
                         % (done.stdout, done.stderr, self.agent_log()))
        lines = done.stdout.splitlines()
        report = json.loads(lines[-1])
        if as_root:
            self.assertEqual(report["uid"], NOBODY)
        return report["energy_data"], lines[:-1], out

    def check(self, energy_agent):
        data, printed, out = self.run_seed(energy_agent)
        self.assertEqual(data["source"], "ipmi")
        self.assertFalse(data["placeholder"], data.get("reason"))
        self.assertEqual(data.get("measured_by"), "agent", data)
        # the BMC's constant power over the readings' span
        self.assertAlmostEqual(data["energy"]["avg_power"], WATTS, places=6)
        power = [s for s in data["series"] if s["quantity"] == "power"][0]
        self.assertGreater(power["covered_s"], 0)
        self.assertAlmostEqual(data["energy"]["system"], WATTS * power["covered_s"], places=3)
        self.assertIn("System Energy: %s Joules" % data["energy"]["system"], printed)
        # a window's mean is a difference of running totals over its span:
        # WATTS to the last bits, not always to all of them
        self.assertIn("Average Power: %s Watts" % data["energy"]["avg_power"], printed)
        # the Lithops files, written by uid 65534, say the same and who measured
        with open(os.path.join(out, "seedjob_00000_ipmi.json")) as f:
            per_call = json.load(f)
        consumption = per_call["energy_consumption"]
        self.assertFalse(consumption["placeholder"], consumption.get("reason"))
        self.assertEqual(per_call["energymon"].get("measured_by"), "agent")
        self.assertAlmostEqual(consumption["energy_system"], data["energy"]["system"], places=9)
        with open(os.path.join(out, "seedjob_00000_composite.json")) as f:
            composite = json.load(f)
        self.assertEqual(composite.get("measured_by"), "agent", composite)

    def test_required(self):
        self.check("required")

    def test_auto_finds_the_agent(self):
        self.check("auto")


if __name__ == "__main__":
    why = simbmc_process.missing_prerequisites()
    if why is None and not os.access(agent_program(), os.X_OK):
        why = "energymond is not built (no %s)" % agent_program()
    if why is not None:
        print("SKIP: %s" % why)
        sys.exit(simbmc_process.SKIP)
    run_tests()
