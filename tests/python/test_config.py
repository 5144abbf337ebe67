"""The config dict reaches the C library as JSON; its errors come back as
EnergyMonitorError with the library's own message; energy: False never
loads the library."""

import ctypes
import errno
import os
import subprocess
import sys
import time
import unittest

import energymon
from energymon import config as em_config
from energymon_testing import STEADY, library_path, run_tests, steady_config


class _RawError(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 1024)]


def library_message(config_json):
    """What the C library says about a config, asked without the binding."""
    lib = ctypes.CDLL(library_path())
    error = _RawError()
    cfg = ctypes.c_void_p()
    code = lib.em_config_load_string(config_json.encode(), ctypes.byref(cfg), ctypes.byref(error))
    if code == 0:
        lib.em_config_free(cfg)
        return None
    return error.message.decode()


class ConfigErrors(unittest.TestCase):
    def assert_error(self, config, key, code, monitor_class=energymon.EnergyMonitor):
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            monitor_class(os.getpid(), config)
        self.assertEqual(caught.exception.errno, code)
        self.assertIn(key, str(caught.exception))
        return caught.exception

    def test_bad_strategy_has_the_library_message(self):
        config = {"lithops": {"energy_strategy": 5}}
        error = self.assert_error(config, "lithops.energy_strategy", errno.EINVAL)
        self.assertEqual(str(error), library_message('{"lithops": {"energy_strategy": 5}}'))
        self.assertEqual(error.message, str(error))

    def test_misspelt_host_key_is_named(self):
        error = self.assert_error({"energy_samplng_interval": 1.0}, "energy_samplng_interval",
                                  errno.EINVAL)
        self.assertEqual(str(error), library_message('{"energy_samplng_interval": 1.0}'))

    def test_bad_interval_is_named(self):
        self.assert_error({"energy_sampling_interval": -1}, "energy_sampling_interval",
                          errno.EINVAL)

    def test_plugin_key_of_wrong_type_is_named(self):
        self.assert_error(steady_config(watts="many"), "steadypower_watts", errno.EINVAL)

    def test_unknown_plugin_is_named_in_strict_mode(self):
        # By default the binding makes it a placeholder (test_worker_path.py).
        config = {"lithops": {"energy_strategy": ["nosuchplugin"]},
                  "energy_allow_unavailable": False}
        self.assert_error(config, "nosuchplugin", errno.ENOENT)

    def test_ipmi_monitor_asks_for_ipmi(self):
        # ENERGYMON_PLUGIN_PATH holds only the test plugin here, so the
        # library's refusal shows which plugin the alias asked for.
        monitor_config = {"ipmi_host": "localhost", "energy_sampling_interval": 0.5,
                          "energy_allow_unavailable": False}
        self.assert_error(monitor_config, "'ipmi'", errno.ENOENT, energymon.IPMIEnergyMonitor)
        with energymon.IPMIEnergyMonitor(os.getpid(), {"ipmi_host": "localhost"}) as monitor:
            pass
        data = monitor.get_energy_data()
        self.assertEqual((data["source"], data["placeholder"]), ("ipmi", True))
        self.assertIn("'ipmi'", data["reason"])

    def test_config_must_be_a_dict(self):
        self.assert_error(["lithops"], "config", errno.EINVAL)

    def test_unserialisable_value_is_an_error(self):
        self.assert_error({"ipmi_host": object()}, "config", errno.EINVAL)


class ConfigTranslation(unittest.TestCase):
    def test_none_means_unset(self):
        # The seed's Direct Usage config: None for "no username".
        config = {"ipmi_username": None, "ipmi_password": None,
                  "lithops": {"energy_strategy": None}}
        self.assertEqual(em_config.normalise(config), {"lithops": {}})
        monitor = energymon.EnergyMonitor(os.getpid(), dict(config, **steady_config()))
        monitor.close()

    def test_ipmi_default_only_when_unset(self):
        self.assertEqual(em_config.normalise({}, "ipmi"), {"lithops": {"energy_strategy": "ipmi"}})
        given = {"lithops": {"energy_strategy": ["perf"]}}
        self.assertEqual(em_config.normalise(given, "ipmi"), given)

    def test_caller_config_is_not_changed(self):
        config = {"ipmi_username": None, "lithops": {"energy": False}}
        energymon.IPMIEnergyMonitor(os.getpid(), config)
        self.assertEqual(config, {"ipmi_username": None, "lithops": {"energy": False}})

    def test_strategy_names(self):
        self.assertIsNone(em_config.strategy_names({}))
        self.assertIsNone(em_config.strategy_names({"lithops": {"energy_strategy": "auto"}}))
        self.assertEqual(em_config.strategy_names({"lithops": {"energy_strategy": "ipmi, perf"}}),
                         ["ipmi", "perf"])
        self.assertEqual(em_config.strategy_names({"lithops": {"energy_strategy": ["ebpf"]}}),
                         ["ebpf"])


class Instances(unittest.TestCase):
    """Strategy entries plugin:instance, each with its own section."""

    def config(self, **sections):
        config = steady_config(watts=40.0)
        config["lithops"]["energy_strategy"] = ["%s:rack1" % STEADY, "%s:rack2" % STEADY]
        config.update(sections)
        return config

    def test_each_instance_reads_its_section(self):
        config = self.config(**{"%s:rack1" % STEADY: {"steadypower_watts": 150.0},
                                "%s:rack2" % STEADY: {"steadypower_watts": None}})
        with energymon.EnergyMonitor(os.getpid(), config) as monitor:
            time.sleep(0.1)
        data = monitor.get_energy_data()
        monitors = data["monitors"]
        self.assertEqual(sorted(monitors), ["%s:rack1" % STEADY, "%s:rack2" % STEADY])
        self.assertAlmostEqual(monitors["%s:rack1" % STEADY]["energy"]["avg_power"], 150.0)
        # None in a section is "not set": rack2 inherits the top level's 40 W
        self.assertAlmostEqual(monitors["%s:rack2" % STEADY]["energy"]["avg_power"], 40.0)
        self.assertEqual(monitors["%s:rack1" % STEADY]["source"], "%s:rack1" % STEADY)
        monitor.close()

    def test_one_instance_as_a_string_is_that_source(self):
        config = steady_config(**{"%s:solo" % STEADY: {"steadypower_watts": 70.0}})
        config["lithops"]["energy_strategy"] = "%s:solo" % STEADY
        with energymon.EnergyMonitor(os.getpid(), config) as monitor:
            time.sleep(0.05)
        data = monitor.get_energy_data()
        self.assertEqual(data["source"], "%s:solo" % STEADY)
        self.assertAlmostEqual(data["energy"]["avg_power"], 70.0)
        monitor.close()

    def assert_refused(self, config, needle):
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            energymon.EnergyMonitor(os.getpid(), config)
        self.assertEqual(caught.exception.errno, errno.EINVAL)
        self.assertIn(needle, str(caught.exception))

    def test_section_errors_name_the_key(self):
        self.assert_refused(self.config(**{"%s:rack1" % STEADY: {"steadypower_wats": 1}}),
                            "%s:rack1.steadypower_wats: unknown key for plugin '%s'" % (STEADY, STEADY))
        self.assert_refused(self.config(**{"%s:rack1" % STEADY: {"energy_max_series": 8}}),
                            "cannot be set per instance")
        # the one host key a section takes (a fleet's BMCs keep their own pace), range-checked
        self.assert_refused(self.config(**{"%s:rack1" % STEADY: {"energy_sampling_interval": -1}}),
                            "%s:rack1.energy_sampling_interval: expected a finite number" % STEADY)
        self.assert_refused(self.config(**{"%s:rack1" % STEADY: "x"}), "expected an object")

    def test_bad_instance_names_and_duplicates(self):
        config = steady_config()
        config["lithops"]["energy_strategy"] = ["%s:Rack1" % STEADY]
        self.assert_refused(config, "'Rack1' is not an instance name")
        config["lithops"]["energy_strategy"] = ["%s:a" % STEADY, "%s:a" % STEADY]
        self.assert_refused(config, "'%s:a' is named twice" % STEADY)

    def test_file_tag(self):
        self.assertEqual(em_config.file_tag("ipmi:rack1"), "ipmi-rack1")
        self.assertEqual(em_config.file_tag("ipmi"), "ipmi")


DISABLED_SCRIPT = r"""
import os, sys
import energymon
from energymon import _native
monitor = energymon.IPMIEnergyMonitor(os.getpid(), {'lithops': {'energy': False},
                                                    'ipmi_bogus_key': 'never checked'})
with monitor:
    pass
data = monitor.get_energy_data()
assert data['energy'].get('system') is None, data
assert data['source'] == 'disabled', data
assert monitor.write_files('job', '0', sys.argv[1]) == []
assert os.listdir(sys.argv[1]) == [], os.listdir(sys.argv[1])
assert _native._load.cache_info().currsize == 0
with open('/proc/self/maps') as maps:
    assert 'libenergymon' not in maps.read()
print('disabled monitor ok')
"""


class Disabled(unittest.TestCase):
    def run_isolated(self, script, *args, **env_changes):
        env = dict(os.environ, **env_changes)
        return subprocess.run([sys.executable, "-c", script, *args], env=env,
                              capture_output=True, text=True, timeout=60)

    def test_energy_false_never_loads_the_library(self):
        import tempfile
        with tempfile.TemporaryDirectory() as empty:
            done = self.run_isolated(DISABLED_SCRIPT, empty,
                                     ENERGYMON_LIBRARY="/nonexistent/libenergymon.so",
                                     ENERGYMON_BUILD_ROOT="/nonexistent")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("disabled monitor ok", done.stdout)

    def test_missing_library_says_where_it_looked(self):
        script = ("import os, energymon\n"
                  "try:\n"
                  "    energymon.EnergyMonitor(os.getpid(), {})\n"
                  "except energymon.EnergyMonitorError as e:\n"
                  "    print(e.errno, e)\n")
        # meson puts the build's library directories on LD_LIBRARY_PATH,
        # where find_library() would rightly find it.
        done = self.run_isolated(script, ENERGYMON_LIBRARY="/nonexistent/libenergymon.so",
                                 ENERGYMON_BUILD_ROOT="/nonexistent/build", LD_LIBRARY_PATH="")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(done.stdout.startswith("%d libenergymon.so not found" % errno.ENOENT),
                        done.stdout)
        self.assertIn("/nonexistent/libenergymon.so", done.stdout)
        self.assertIn("/nonexistent/build/core/libenergymon.so", done.stdout)


if __name__ == "__main__":
    run_tests()
