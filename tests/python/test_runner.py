"""The shared runner (energymon_testing.run_tests) tells meson the truth:
a run whose every test skipped exits 77, which meson shows as SKIP, not OK;
a failure exits 1; a run with passes and skips exits 0."""

import os
import subprocess
import sys
import textwrap

from energymon_testing import SKIP, TempDirTest, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))

BODIES = {
    "all_skip": """
        def test_a(self):
            self.skipTest("no hardware here")
        def test_b(self):
            self.skipTest("no hardware here either")
    """,
    "class_setup_skips": """
        @classmethod
        def setUpClass(cls):
            raise unittest.SkipTest("the simulated BMC cannot start here")
        def test_a(self):
            pass
    """,
    "pass_and_skip": """
        def test_a(self):
            self.assertEqual(1, 1)
        def test_b(self):
            self.skipTest("one part cannot run here")
    """,
    "skip_and_fail": """
        def test_a(self):
            self.skipTest("cannot run")
        def test_b(self):
            self.assertEqual(1, 2)
    """,
    "no_tests": """
        pass
    """,
}


class Runner(TempDirTest):
    def run_module(self, body):
        path = os.path.join(self.tmp, "test_sample.py")
        with open(path, "w") as f:
            f.write("import unittest\nfrom energymon_testing import run_tests\n\n"
                    "class Sample(unittest.TestCase):\n")
            f.write(textwrap.indent(textwrap.dedent(body), "    "))
            f.write("\nif __name__ == '__main__':\n    run_tests()\n")
        env = dict(os.environ, PYTHONPATH=HERE)
        return subprocess.run([sys.executable, path], capture_output=True, text=True, env=env)

    def test_every_test_skipped_exits_77(self):
        done = self.run_module(BODIES["all_skip"])
        self.assertEqual(done.returncode, SKIP, done.stdout + done.stderr)
        self.assertIn("SKIP: every test skipped: no hardware here", done.stdout)

    def test_skip_in_class_setup_exits_77(self):
        done = self.run_module(BODIES["class_setup_skips"])
        self.assertEqual(done.returncode, SKIP, done.stdout + done.stderr)
        self.assertIn("the simulated BMC cannot start here", done.stdout)

    def test_passes_with_some_skips_exit_0(self):
        done = self.run_module(BODIES["pass_and_skip"])
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_a_failure_beside_a_skip_exits_1(self):
        done = self.run_module(BODIES["skip_and_fail"])
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)

    def test_no_test_at_all_is_a_failure(self):
        done = self.run_module(BODIES["no_tests"])
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("no test ran", done.stdout)


if __name__ == "__main__":
    run_tests()
