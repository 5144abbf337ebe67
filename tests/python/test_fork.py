"""A monitor belongs to the process that created it. A fork()ed child of a
process with a running monitor has a copy of the C monitor but none of its
sampling threads: the child's calls raise a clear error instead of returning
the parent's data, and its exit never calls into the C library (which used
to wait 5 s there for threads that do not exist). The parent is unaffected."""

import json
import unittest
import os
import subprocess
import sys

from energymon_testing import TempDirTest, run_tests, steady_config

WATTS = 40.0

# Runs in its own interpreter so the child exits the normal way (atexit and
# the monitor's finalizer run), as a Lithops worker's forked child does.
SCRIPT = r"""
import errno, json, os, sys, time
import energymon

report_path = sys.argv[1]
monitor = energymon.EnergyMonitor(os.getpid(), json.loads(sys.argv[2]))
monitor.start()
time.sleep(0.1)  # the parent's workload; nothing is timed against it
pid = os.fork()
if pid == 0:
    native = monitor._native
    destroy = native.lib.em_monitor_destroy
    seen = {"destroy_calls": 0, "errors": {}}

    def recording_destroy(handle):
        # Any call into the C monitor from the child's exit is the defect.
        seen["destroy_calls"] += 1
        with open(report_path + ".destroy", "w") as f:
            f.write("em_monitor_destroy called in the child\n")
        destroy(handle)

    native.lib.em_monitor_destroy = recording_destroy
    for name, call in (("stop", monitor.stop), ("start", monitor.start),
                       ("get_energy_data", monitor.get_energy_data),
                       ("write_files", lambda: monitor.write_files("j", "0", report_path + ".d")),
                       ("call_status_fields", monitor.call_status_fields)):
        try:
            call()
            seen["errors"][name] = None
        except energymon.EnergyMonitorError as e:
            seen["errors"][name] = [e.errno, str(e)]
    monitor.close()  # does nothing here, and says nothing
    with open(report_path, "w") as f:
        json.dump(seen, f)
    sys.exit(7)  # a normal exit: atexit and finalizers run
_, status = os.waitpid(pid, 0)
monitor.stop()
data = monitor.get_energy_data()
print(json.dumps({"status": status, "source": data["source"],
                  "placeholder": data["placeholder"],
                  "avg_power": data["energy"].get("avg_power"),
                  "parent": os.getpid(), "child": pid}))
"""


class ForkedChild(TempDirTest):
    def test_child_calls_raise_and_its_exit_leaves_the_c_monitor_alone(self):
        report = os.path.join(self.tmp, "child.json")
        # No timeout here: the meson test timeout is the safety net, and the
        # assertions below are about what happened, not how long it took.
        done = subprocess.run([sys.executable, "-c", SCRIPT, report,
                               json.dumps(steady_config(WATTS))],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        parent = json.loads(done.stdout)

        self.assertTrue(os.WIFEXITED(parent["status"]), parent)
        self.assertEqual(os.WEXITSTATUS(parent["status"]), 7, done.stderr)
        self.assertFalse(os.path.exists(report + ".destroy"),
                         "the child's exit called em_monitor_destroy on the parent's monitor")
        self.assertFalse(os.path.exists(report + ".d"), "the child wrote the parent's files")
        with open(report) as f:
            child = json.load(f)
        self.assertEqual(child["destroy_calls"], 0)
        for name, error in child["errors"].items():
            self.assertIsNotNone(error, "%s() in the child did not raise" % name)
            code, message = error
            self.assertEqual(code, 1, message)  # EPERM
            self.assertIn("belongs to process %d" % parent["parent"], message)
            self.assertIn("process %d is a fork()ed child" % parent["child"], message)
            self.assertIn("create a new one in the child", message)

        # The parent's own measurement is whole.
        self.assertEqual(parent["source"], "steadypower")
        self.assertFalse(parent["placeholder"])
        self.assertAlmostEqual(parent["avg_power"], WATTS, places=9)

    # GCC 12's libasan can deadlock in pthread_create() in a child forked from
    # a threaded process (fixed in LLVM 18's runtime by an atfork handler;
    # CPython skips its fork tests under ASan for the same reason, gh-89363).
    # Seen here: the child's sampler thread never ran. The plain build runs it.
    @unittest.skipIf("libasan" in os.environ.get("LD_PRELOAD", ""),
                     "libasan's pthread_create() can deadlock after fork() in a threaded process")
    def test_a_new_monitor_in_the_child_measures(self):
        script = r"""
import json, os, sys, time
import energymon
config = json.loads(sys.argv[1])
parent_monitor = energymon.EnergyMonitor(os.getpid(), config)
parent_monitor.start()
pid = os.fork()
if pid == 0:
    with energymon.EnergyMonitor(os.getpid(), config) as own:
        time.sleep(0.2)
    data = own.get_energy_data()
    if abs(data["energy"].get("avg_power", 0) - config["steadypower_watts"]) >= 1e-9:
        print(json.dumps(data), file=sys.stderr)
        sys.exit(3)
    sys.exit(0)
_, status = os.waitpid(pid, 0)
parent_monitor.stop()
print(os.WIFEXITED(status), os.WEXITSTATUS(status))
"""
        done = subprocess.run([sys.executable, "-c", script, json.dumps(steady_config(WATTS))],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.split(), ["True", "0"], done.stderr)


if __name__ == "__main__":
    run_tests()
