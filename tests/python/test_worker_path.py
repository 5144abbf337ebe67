"""The Lithops worker's path through the binding.

Item 21: the seed's Direct Usage code with the seed's defaults on a machine
without a BMC runs the user's function and leaves a placeholder that says
why, with the real start time and duration; configuration errors still
raise. Item 22: call_status_fields() is the flat dict the Lithops worker
adds to its call status."""

import contextlib
import errno
import io
import json
import os
import time

import energymon
from energymon_testing import STEADY, TempDirTest, run_tests, steady_config

# The seed's Direct Usage code, verbatim but for the import line.
SEED_DIRECT_USAGE = '''
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
'''

LOCAL_BMC_DEVICES = ("/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0")
# Unix times in the result have 12 significant digits (10 ms) until the
# library writes them to the microsecond (issue 9, item 4).
WALL_SLACK_S = 0.01
WATTS = 30.0


def use_plugin_path(test, path):
    old = os.environ.get("ENERGYMON_PLUGIN_PATH")
    os.environ["ENERGYMON_PLUGIN_PATH"] = path
    test.addCleanup(os.environ.__setitem__, "ENERGYMON_PLUGIN_PATH", old)


class SeedDefaultsWithoutBMC(TempDirTest):
    def setUp(self):
        super().setUp()
        present = [d for d in LOCAL_BMC_DEVICES if os.path.exists(d)]
        if present:
            self.skipTest("this machine has a BMC (%s): the seed's defaults measure it" % present[0])
        # The real plugins; without the ipmi plugin built the monitor is a
        # placeholder all the same, saying that ipmi.so was not found.
        use_plugin_path(self, os.environ["ENERGYMON_REAL_PLUGIN_PATH"])

    def run_seed_code(self):
        ran = {}

        def compute_intensive_function():
            started = time.monotonic()
            total = sum(i * i for i in range(200_000))
            ran["elapsed_s"] = time.monotonic() - started
            return total

        namespace = {"compute_intensive_function": compute_intensive_function}
        printed = io.StringIO()
        wall0, mono0 = time.time(), time.monotonic()
        with contextlib.redirect_stdout(printed):
            exec(SEED_DIRECT_USAGE, namespace)
        outer = {"wall0": wall0, "wall1": time.time(), "elapsed_s": time.monotonic() - mono0}
        return namespace, ran, outer, printed.getvalue()

    def test_function_runs_and_placeholder_says_why_with_real_times(self):
        namespace, ran, outer, printed = self.run_seed_code()
        self.assertEqual(namespace["result"], sum(i * i for i in range(200_000)))
        data = namespace["energy_data"]
        self.assertEqual(data["source"], "ipmi")
        self.assertTrue(data["placeholder"])
        self.assertIsNone(data["energy"].get("system"))
        self.assertIsInstance(data["reason"], str)
        self.assertTrue(data["reason"].strip(), data)
        self.assertIn("System Energy: None Joules", printed)
        # The placeholder's time span is the real one: it covers the
        # function and lies within the seed code's own run.
        self.assertGreaterEqual(data["duration"], ran["elapsed_s"])
        self.assertLessEqual(data["duration"], outer["elapsed_s"])
        self.assertGreaterEqual(data["timestamp"], outer["wall0"] - WALL_SLACK_S)
        self.assertLessEqual(data["timestamp"], outer["wall1"] + WALL_SLACK_S)

        monitor = namespace["monitor"]
        monitor.write_files("seedjob", "00000", self.tmp)
        with open(os.path.join(self.tmp, "seedjob_00000_ipmi.json")) as f:
            consumption = json.load(f)["energy_consumption"]
        self.assertIs(consumption["placeholder"], True)
        self.assertIsNone(consumption["energy_system"])
        self.assertEqual(consumption["reason"], data["reason"])
        self.assertAlmostEqual(consumption["timestamp"], data["timestamp"], delta=WALL_SLACK_S)
        self.assertAlmostEqual(consumption["duration"], data["duration"], places=6)
        with open(os.path.join(self.tmp, "ipmi_summary.jsonl")) as f:
            line = json.loads(f.read())
        self.assertIs(line["placeholder"], True)
        self.assertAlmostEqual(line["duration"], data["duration"], places=6)

    def test_strict_mode_still_raises_in_the_constructor(self):
        config = {"ipmi_host": "localhost", "energy_allow_unavailable": False}
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            energymon.IPMIEnergyMonitor(os.getpid(), config)
        self.assertIn("'ipmi'", str(caught.exception))


class ConfigErrorsStillRaise(TempDirTest):
    """With the binding's default energy_allow_unavailable, only what cannot
    measure becomes a placeholder; what the user got wrong still raises in
    the constructor, naming the key."""

    def assert_raises(self, config, key):
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            energymon.EnergyMonitor(os.getpid(), config)
        self.assertEqual(caught.exception.errno, errno.EINVAL, caught.exception)
        self.assertIn(key, str(caught.exception))

    def test_wrong_type_of_a_host_key(self):
        self.assert_raises(steady_config(interval_s="fast"), "energy_sampling_interval")

    def test_wrong_type_of_a_plugin_key(self):
        self.assert_raises(steady_config(watts="many"), "steadypower_watts")

    def test_unknown_key(self):
        self.assert_raises(dict(steady_config(), energy_samplng_interval=1.0),
                           "energy_samplng_interval")

    def test_unknown_key_of_a_plugin(self):
        self.assert_raises(dict(steady_config(), steadypower_wats=1.0), "steadypower_wats")

    def test_value_the_plugin_refuses(self):
        # -EINVAL from the plugin's create(): a config error, not "unavailable".
        self.assert_raises(steady_config(watts=-5.0), "steadypower_watts")

    def test_wrong_type_of_allow_unavailable(self):
        self.assert_raises(dict(steady_config(), energy_allow_unavailable="yes"),
                           "energy_allow_unavailable")


class UnavailableIsAPlaceholder(TempDirTest):
    def test_missing_plugin_is_a_placeholder_naming_it(self):
        config = steady_config(WATTS)
        config["lithops"]["energy_strategy"] = [STEADY, "nosuchplugin"]
        with energymon.EnergyMonitor(os.getpid(), config) as monitor:
            pass
        data = monitor.get_energy_data()
        missing = data["monitors"]["nosuchplugin"]
        self.assertTrue(missing["placeholder"])
        self.assertIn("nosuchplugin", missing["reason"])
        self.assertEqual(missing["duration"], data["duration"])
        self.assertEqual(missing["timestamp"], data["timestamp"])
        self.assertAlmostEqual(data["monitors"][STEADY]["energy"]["avg_power"], WATTS, places=9)

    def test_strict_mode_refuses_a_missing_plugin(self):
        config = dict(steady_config(), energy_allow_unavailable=False)
        config["lithops"]["energy_strategy"] = [STEADY, "nosuchplugin"]
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            energymon.EnergyMonitor(os.getpid(), config)
        self.assertEqual(caught.exception.errno, errno.ENOENT)
        self.assertIn("nosuchplugin", str(caught.exception))


class NothingCanRunUnderAuto(TempDirTest):
    """'auto' (the default strategy) where no plugin can run: the binding
    still lets the function run; the CLI's strict default refuses."""

    def config(self, **extra):
        config = {"lithops": {"energy_strategy": "auto"},
                  "steadypower_unavailable": "no power meter on this test machine"}
        config.update(extra)
        return config

    def test_composite_placeholder_with_each_reason(self):
        use_plugin_path(self, os.environ["ENERGYMON_PLUGIN_PATH"].split(":")[0])
        with energymon.EnergyMonitor(os.getpid(), self.config()) as monitor:
            pass
        data = monitor.get_energy_data()
        self.assertEqual(data["source"], "composite")
        self.assertTrue(data["placeholder"])
        self.assertEqual(data["energy"], {})
        self.assertEqual(data["unavailable"], {STEADY: "no power meter on this test machine"})
        self.assertEqual(data["monitors"][STEADY]["duration"], data["duration"])
        paths = monitor.write_files("job", "1", self.tmp)
        self.assertEqual(sorted(os.path.basename(p) for p in paths),
                         ["job_1_composite.json", "job_1_%s.json" % STEADY])

    def test_strict_mode_refuses(self):
        use_plugin_path(self, os.environ["ENERGYMON_PLUGIN_PATH"].split(":")[0])
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            energymon.EnergyMonitor(os.getpid(), self.config(energy_allow_unavailable=False))
        self.assertEqual(caught.exception.errno, errno.ENODEV)
        self.assertIn("no power meter on this test machine", str(caught.exception))


def measured(config, seconds=0.1):
    with energymon.EnergyMonitor(os.getpid(), config) as monitor:
        time.sleep(seconds)  # the workload; nothing is timed against it
    return monitor


def worker_fields(data):
    """What the test expects, spelt out from the result the worker reads."""
    expected = {"worker_func_energy_" + metric: value for metric, value in data["energy"].items()}
    expected["worker_func_energy_duration"] = data["duration"]
    expected["worker_func_energy_source"] = data["source"]
    return expected


class CallStatusFields(TempDirTest):
    def test_single_monitor(self):
        monitor = measured(steady_config(WATTS))
        data = monitor.get_energy_data()
        fields = monitor.call_status_fields()
        self.assertEqual(fields, worker_fields(data))
        self.assertAlmostEqual(fields["worker_func_energy_avg_power"], WATTS, places=9)
        self.assertEqual(fields["worker_func_energy_system"], data["energy"]["system"])
        self.assertEqual(fields["worker_func_energy_source"], STEADY)
        self.assertGreater(fields["worker_func_energy_duration"], 0.0)
        self.assertNotIn("worker_func_perf_energy_pkg", fields)

    def test_package_and_cores_also_under_their_perf_names(self):
        monitor = measured(steady_config(WATTS, steadypower_cpu_watts=20.0))
        data = monitor.get_energy_data()
        fields = monitor.call_status_fields()
        expected = worker_fields(data)
        expected["worker_func_perf_energy_pkg"] = data["energy"]["pkg"]
        expected["worker_func_perf_energy_cores"] = data["energy"]["cores"]
        self.assertEqual(fields, expected)
        self.assertGreater(fields["worker_func_perf_energy_pkg"], 0.0)
        self.assertEqual(fields["worker_func_energy_pkg"], fields["worker_func_perf_energy_pkg"])

    def test_composite_holds_each_monitors_dict(self):
        config = steady_config(WATTS)
        config["lithops"]["energy_strategy"] = [STEADY, "nosuchplugin"]
        monitor = measured(config)
        data = monitor.get_energy_data()
        fields = monitor.call_status_fields()
        expected = worker_fields(data)
        expected["worker_func_energy_monitor_" + STEADY] = data["monitors"][STEADY]
        expected["worker_func_energy_monitor_nosuchplugin"] = data["monitors"]["nosuchplugin"]
        self.assertEqual(fields, expected)
        self.assertEqual(fields["worker_func_energy_source"], "composite")
        placeholder = fields["worker_func_energy_monitor_nosuchplugin"]
        self.assertIsNone(placeholder["energy"].get("system"))
        self.assertIn("nosuchplugin", placeholder["reason"])

    def test_placeholder_gives_none(self):
        use_plugin_path(self, self.tmp)  # no plugin at all here
        monitor = measured({"lithops": {"energy_strategy": "ipmi"}}, 0)
        fields = monitor.call_status_fields()
        self.assertEqual(fields, worker_fields(monitor.get_energy_data()))
        self.assertEqual(fields["worker_func_energy_source"], "ipmi")
        self.assertIsNone(fields.get("worker_func_energy_system"))
        self.assertGreaterEqual(fields["worker_func_energy_duration"], 0.0)

    def test_disabled_monitor(self):
        monitor = measured({"lithops": {"energy": False}}, 0)
        self.assertEqual(monitor.call_status_fields(),
                         {"worker_func_energy_duration": None,
                          "worker_func_energy_source": "disabled"})

    def test_before_stop_is_an_error(self):
        monitor = energymon.EnergyMonitor(os.getpid(), steady_config(WATTS))
        self.addCleanup(monitor.close)
        with self.assertRaises(energymon.EnergyMonitorError) as caught:
            monitor.call_status_fields()
        self.assertIn("stop()", str(caught.exception))


if __name__ == "__main__":
    run_tests()
