"""Shared by the Python tests: where things are, and a temporary directory."""

import os
import shutil
import tempfile
import unittest

STEADY = "steadypower"  # the test plugin in tests/python (constant power)


def steady_config(watts=50.0, interval_s=0.02, **extra):
    config = {"lithops": {"energy": True, "energy_strategy": STEADY},
              "steadypower_watts": watts, "energy_sampling_interval": interval_s}
    config.update(extra)
    return config


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="energymon-py-")
        self.addCleanup(shutil.rmtree, self.tmp, True)


def run_tests():
    """unittest.main that prints its summary line and exits non-zero on failure."""
    unittest.main(verbosity=2)


def library_path():
    return os.environ.get("ENERGYMON_LIBRARY", "")
