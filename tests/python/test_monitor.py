"""A monitor through the binding, against the real host library and the
steadypower test plugin, whose power is known: energy = power x time."""

import errno
import json
import os
import time
import unittest

import energymon
from energymon_testing import STEADY, TempDirTest, run_tests, steady_config

WATTS = 50.0


def covered_s(monitor_dict):
    """The seconds the power series covers, as the library integrated them."""
    return monitor_dict["series"][0]["covered_s"]


def measure(monitor, seconds=0.2):
    monitor.start()
    try:
        time.sleep(seconds)  # the workload; nothing is timed against it
    finally:
        monitor.stop()
    return monitor.get_energy_data()


class SeedDirectUsage(unittest.TestCase):
    """The shape the seed's Direct Usage code reads."""

    def test_single_monitor_returns_its_own_dict(self):
        data = measure(energymon.EnergyMonitor(os.getpid(), steady_config(WATTS)))
        self.assertEqual(data["source"], STEADY)
        self.assertNotIn("monitors", data)
        self.assertAlmostEqual(data["energy"].get("avg_power"), WATTS, places=9)
        self.assertAlmostEqual(data["energy"].get("system"), WATTS * covered_s(data), places=6)
        self.assertEqual(data["units"]["system"], "J")
        self.assertGreater(data["duration"], 0.0)
        self.assertGreater(covered_s(data), 0.0)
        self.assertFalse(data["placeholder"])

    def test_list_strategy_returns_the_composite(self):
        config = steady_config(WATTS)
        config["lithops"]["energy_strategy"] = [STEADY]
        data = measure(energymon.EnergyMonitor(os.getpid(), config))
        self.assertEqual(data["source"], "composite")
        own = data["monitors"][STEADY]
        self.assertEqual(data["energy"]["system"], own["energy"]["system"])
        self.assertAlmostEqual(own["energy"]["system"], WATTS * covered_s(own), places=6)
        self.assertEqual(data["energy_sources"]["system"], STEADY)

    def test_composite_class_always_answers_composite(self):
        data = measure(energymon.CompositeEnergyMonitor(os.getpid(), steady_config(WATTS)))
        self.assertEqual(data["source"], "composite")
        self.assertIn(STEADY, data["monitors"])

    def test_auto_finds_the_plugins_on_the_path(self):
        config = steady_config(WATTS)
        config["lithops"]["energy_strategy"] = "auto"
        data = measure(energymon.EnergyMonitor(os.getpid(), config))
        self.assertEqual(data["source"], "composite")
        self.assertIn(STEADY, data["monitors"])

    def test_result_before_stop_is_an_error(self):
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS))
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            monitor.get_energy_data()
        self.assertIn("stop()", str(caught.exception))
        monitor.close()


class ProcessIdChecked(unittest.TestCase):
    def test_a_value_that_is_not_a_pid_is_refused(self):
        # 2**32 + pid used to wrap to this process, 2**40 to 0 (the whole machine)
        for bad in (2 ** 32 + os.getpid(), 2 ** 40, -1, "1234", None, 1.5, True):
            with self.assertRaises(energymon.EnergyMonitorError) as caught:
                energymon.EnergyMonitor(bad, steady_config())
            self.assertEqual(caught.exception.errno, errno.EINVAL)
            self.assertIn("process_id", str(caught.exception))


class Lifecycle(unittest.TestCase):
    def test_closed_monitor_refuses_calls(self):
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS))
        measure(monitor, 0.05)
        monitor.close()
        monitor.close()  # twice is harmless
        self.assertEqual(monitor.get_energy_data()["source"], STEADY)  # the result stays
        for call in (monitor.start, monitor.stop, lambda: monitor.write_files("j", "0")):
            with self.assertRaises(energymon.EnergyMonitorError) as caught:
                call()
            self.assertIn("closed", str(caught.exception))

    def test_returned_dict_is_a_copy(self):
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS))
        data = measure(monitor, 0.05)
        data["energy"]["system"] = -1
        self.assertNotEqual(monitor.get_energy_data()["energy"]["system"], -1)


class ContextManager(unittest.TestCase):
    def test_with_block_starts_and_stops(self):
        with energymon.EnergyMonitor(os.getpid(), steady_config(WATTS)) as monitor:
            time.sleep(0.1)
        self.assertAlmostEqual(monitor.get_energy_data()["energy"]["avg_power"], WATTS, places=9)

    def test_exception_in_block_still_stops_and_propagates(self):
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS))
        with self.assertRaises(ZeroDivisionError):
            with monitor:
                1 / 0
        self.assertEqual(monitor.get_energy_data()["source"], STEADY)

    def test_disabled_monitor_in_with_block(self):
        with energymon.EnergyMonitor(os.getpid(), {"lithops": {"energy": False}}) as monitor:
            pass
        self.assertIsNone(monitor.get_energy_data()["energy"].get("system"))


class WriteFiles(TempDirTest):
    def test_files_in_the_lithops_format(self):
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS))
        data = measure(monitor)
        paths = monitor.write_files("job-1", "00007", self.tmp)
        self.assertEqual(sorted(os.path.basename(p) for p in paths),
                         ["job-1_00007_composite.json", "job-1_00007_%s.json" % STEADY])
        with open(os.path.join(self.tmp, "job-1_00007_%s.json" % STEADY)) as f:
            written = json.load(f)
        consumption = written["energy_consumption"]
        self.assertEqual((consumption["job_key"], consumption["call_id"]), ("job-1", "00007"))
        self.assertEqual(consumption["energy_system"], data["energy"]["system"])
        self.assertAlmostEqual(consumption["avg_power"], WATTS, places=9)
        self.assertTrue(all(r["power"] == WATTS for r in written["power_readings"]))
        for source in (STEADY, "composite"):
            with open(os.path.join(self.tmp, "%s_summary.jsonl" % source)) as f:
                lines = [json.loads(line) for line in f]
            self.assertEqual([(l["job_key"], l["call_id"]) for l in lines], [("job-1", "00007")])

    def test_default_directory_is_energy_output_dir(self):
        out = os.path.join(self.tmp, "nested", "energy_data")
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS, energy_output_dir=out))
        measure(monitor, 0.05)
        for path in monitor.write_files("j", "0"):
            self.assertTrue(path.startswith(out), path)
            self.assertTrue(os.path.isfile(path), path)

    def test_unsafe_call_id_is_refused_by_the_library(self):
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS))
        measure(monitor, 0.05)
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            monitor.write_files("job", "../escape", self.tmp)
        self.assertIn("call_id", str(caught.exception))


class Plugins(unittest.TestCase):
    def test_list_names_the_test_plugin(self):
        names = [p["name"] for p in energymon.list_plugins()]
        self.assertIn(STEADY, names)

    def test_relative_search_path_entry_is_named(self):
        old = os.environ["ENERGYMON_PLUGIN_PATH"]
        os.environ["ENERGYMON_PLUGIN_PATH"] = "."
        try:
            with self.assertRaises(energymon.EnergyMonitorError) as caught:
                energymon.list_plugins()
        finally:
            os.environ["ENERGYMON_PLUGIN_PATH"] = old
        self.assertIn("entry '.' is a relative path", str(caught.exception))


if __name__ == "__main__":
    run_tests()
