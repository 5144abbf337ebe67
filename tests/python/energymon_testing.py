"""Shared by the Python tests: where things are, a temporary directory, and
the runner that tells meson a skipped run apart from a passed one."""

import os
import shutil
import sys
import tempfile
import unittest

STEADY = "steadypower"  # the test plugin in tests/python (constant power)
SKIP = 77  # meson's exit code for "skipped"


def steady_config(watts=50.0, interval_s=0.02, **extra):
    config = {"lithops": {"energy": True, "energy_strategy": STEADY},
              "steadypower_watts": watts, "energy_sampling_interval": interval_s}
    config.update(extra)
    return config


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="energymon-py-")
        self.addCleanup(shutil.rmtree, self.tmp, True)


def exit_status(result):
    """1 for a failure or no test run at all, 77 (meson: SKIP) when every
    test skipped, else 0. unittest alone exits 0 for a skipped run, which
    meson would show as OK."""
    if not result.wasSuccessful():
        return 1
    if result.skipped and result.testsRun <= len(result.skipped):
        return SKIP
    return 0 if result.testsRun else 1


def run_tests():
    """unittest.main with its summary, exiting as exit_status() says."""
    program = unittest.main(verbosity=2, exit=False)
    status = exit_status(program.result)
    if status == SKIP:
        print("SKIP: every test skipped: %s"
              % "; ".join(reason for _, reason in program.result.skipped))
    elif status and program.result.wasSuccessful():
        print("FAIL: no test ran")
    sys.exit(status)


def library_path():
    return os.environ.get("ENERGYMON_LIBRARY", "")
