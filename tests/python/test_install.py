"""`pip install ./python` works offline (the in-tree build backend needs
nothing downloaded), and the installed package is the one imported."""

import os
import subprocess
import sys

from energymon_testing import TempDirTest, run_tests

SOURCE = os.path.join(os.environ.get("ENERGYMON_SOURCE_ROOT", ""), "python")


def pip_available():
    done = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
    return done.returncode == 0


class PipInstall(TempDirTest):
    def test_offline_install_into_a_target(self):
        if not pip_available():
            self.skipTest("pip is not installed for %s (Debian: python3-pip)" % sys.executable)
        target = os.path.join(self.tmp, "site")
        env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        env.pop("PYTHONPATH", None)
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                               "--target", target, SOURCE],
                              capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertTrue(os.path.isfile(os.path.join(target, "energymon", "monitor.py")))
        dist_info = os.path.join(target, "energymon-0.1.0.dist-info")
        self.assertTrue(os.path.isfile(os.path.join(dist_info, "RECORD")))

        env["PYTHONPATH"] = target
        probe = ("import os, energymon; print(energymon.__file__); "
                 "print(energymon.EnergyMonitor(os.getpid(), {'lithops': {'energy': False}})"
                 ".get_energy_data()['source'])")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env=env, cwd=self.tmp, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        installed, source = done.stdout.split()
        self.assertTrue(installed.startswith(target), installed)
        self.assertEqual(source, "disabled")
        # Building must not leave artefacts in the source tree.
        self.assertEqual(sorted(os.listdir(SOURCE)),
                         ["README.md", "build_backend", "energymon", "pyproject.toml"])


if __name__ == "__main__":
    run_tests()
