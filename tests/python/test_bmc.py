"""The seed's "Direct Usage" code, with only its import line changed, against
the simulated BMC through the real ipmi plugin; then `energymon report` on
the files the monitor wrote. Skipped (77) with the reason when the BMC or
the plugin is not available here."""

import os
import re
import subprocess
import sys
import tempfile

import simbmc_process
from energymon_testing import TempDirTest, run_tests

WATTS = 120.0  # the BMC's constant power, W (DCMI reports whole watts)

# From the seed, verbatim but for the import line and the config block, whose
# values must name the simulated BMC instead of the seed's localhost.
SEED_DIRECT_USAGE = '''
import os
from energymon import IPMIEnergyMonitor

# Get the current process ID
process_id = os.getpid()

# Configure the IPMI energy monitor
config = BMC_CONFIG

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


def compute_intensive_function():
    return sum(i * i for i in range(3_000_000))


class SeedDirectUsageAgainstBMC(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.bmc = simbmc_process.SimulatedBMC(WATTS)
        cls.bmc.start()
        os.environ["ENERGYMON_PLUGIN_PATH"] = simbmc_process.ipmi_plugin_dir()

    @classmethod
    def tearDownClass(cls):
        cls.bmc.stop()

    def run_seed_code(self):
        config = self.bmc.config(energy_sampling_interval=0.1)
        namespace = {"BMC_CONFIG": config, "compute_intensive_function": compute_intensive_function}
        import contextlib
        import io
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(SEED_DIRECT_USAGE, namespace)
        return namespace["monitor"], namespace["energy_data"], printed.getvalue()

    def test_seed_code_measures_the_bmc_power(self):
        monitor, data, printed = self.run_seed_code()
        self.assertEqual(data["source"], "ipmi")
        self.assertFalse(data["placeholder"], data.get("reason"))
        self.assertAlmostEqual(data["energy"]["avg_power"], WATTS, places=9)
        power = [s for s in data["series"] if s["quantity"] == "power"][0]
        self.assertAlmostEqual(data["energy"]["system"], WATTS * power["covered_s"], places=3)
        self.assertIn("System Energy: %s Joules" % data["energy"]["system"], printed)
        self.assertIn("Average Power: %s Watts" % WATTS, printed)

    def test_report_reads_what_the_monitor_wrote(self):
        monitor, data, _ = self.run_seed_code()
        monitor.write_files("seedjob", "00000", self.tmp)
        driver = os.path.join(os.environ["ENERGYMON_BUILD_ROOT"], "tests", "report",
                              "report_driver")
        if not os.path.isfile(driver):
            self.skipTest("report_driver not built")
        plot = os.path.join(self.tmp, "power.png")
        done = subprocess.run([driver, "--plot", plot, self.tmp], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("warning", done.stderr)
        total = re.search(r"^  total_system_energy: ([0-9.]+) J \(95 % bound ([0-9.]+) \.\. ([0-9.]+) J\)$",
                          done.stdout, re.M)
        self.assertIsNotNone(total, done.stdout)
        self.assertAlmostEqual(float(total.group(1)), data["energy"]["system"], places=5)
        # the bound the monitor wrote, carried through the report
        low, high = float(total.group(2)), float(total.group(3))
        self.assertLessEqual(low, float(total.group(1)))
        self.assertGreaterEqual(high, float(total.group(1)))
        self.assertLess(low, high)
        self.assertIn("  avg_power: %.6f W\n" % WATTS, done.stdout)
        with open(plot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    why = simbmc_process.missing_prerequisites()
    if why is not None:
        print("SKIP: %s" % why)
        sys.exit(simbmc_process.SKIP)
    run_tests()
