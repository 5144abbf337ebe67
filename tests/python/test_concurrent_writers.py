"""Many Lithops workers on one host write into one energy_data/ directory at
once: every per-call file must parse and the shared summaries must hold
exactly one valid line per call (the seed's read-modify-write JSON array
lost and corrupted entries under this load)."""

import json
import os
import subprocess
import sys
import unittest

from energymon_testing import STEADY, TempDirTest, run_tests

WORKERS = 24
CALLS_PER_WORKER = 4

# Each worker builds its monitors, says "ready", and waits for "go" so that
# all of them measure and write at the same time.
WORKER = r"""
import os, sys, time
import energymon
worker, out_dir, calls = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
config = {'lithops': {'energy_strategy': ['steadypower']}, 'steadypower_watts': 10.0 + worker,
          'energy_sampling_interval': 0.01}
monitors = [energymon.EnergyMonitor(os.getpid(), config) for _ in range(calls)]
print('ready', flush=True)
sys.stdin.readline()
for call, monitor in enumerate(monitors):
    with monitor:
        time.sleep(0.03)
    monitor.write_files('job', '%02d%03d' % (worker, call), out_dir)
    monitor.close()
"""


class ConcurrentWriters(TempDirTest):
    def start_workers(self):
        workers = []
        for worker in range(WORKERS):
            workers.append(subprocess.Popen(
                [sys.executable, "-c", WORKER, str(worker), self.tmp, str(CALLS_PER_WORKER)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for process in workers:
            if process.stdout.readline().strip() != "ready":
                process.stdin.close()
                self.fail("a worker did not start: %s" % process.communicate(timeout=60)[1])
        for process in workers:
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in workers:
            _, err = process.communicate(timeout=120)
            self.assertEqual(process.returncode, 0, err)

    def test_files_and_summaries_survive_concurrent_writers(self):
        self.start_workers()
        expected_calls = {"%02d%03d" % (w, c) for w in range(WORKERS) for c in range(CALLS_PER_WORKER)}
        names = sorted(os.listdir(self.tmp))
        leftovers = [n for n in names if n.startswith(".")]
        self.assertEqual(leftovers, [], "temporary files left behind")

        for source in (STEADY, "composite"):
            per_call = [n for n in names if n.endswith("_%s.json" % source)]
            self.assertEqual(len(per_call), len(expected_calls), source)
            seen = set()
            for name in per_call:
                with open(os.path.join(self.tmp, name)) as f:
                    consumption = json.load(f)["energy_consumption"]
                self.assertEqual(name, "job_%s_%s.json" % (consumption["call_id"], source))
                worker = int(consumption["call_id"][:2])
                self.assertAlmostEqual(consumption["avg_power"], 10.0 + worker, places=9, msg=name)
                seen.add(consumption["call_id"])
            self.assertEqual(seen, expected_calls)

            with open(os.path.join(self.tmp, "%s_summary.jsonl" % source)) as f:
                lines = f.read().split("\n")
            self.assertEqual(lines[-1], "", "summary must end with a newline")
            records = [json.loads(line) for line in lines[:-1]]  # raises if any line is torn
            call_ids = [r["call_id"] for r in records]
            self.assertEqual(len(call_ids), len(expected_calls), source)
            self.assertEqual(set(call_ids), expected_calls, source)
            for record in records:
                self.assertEqual(record["source"], source)
                self.assertAlmostEqual(record["energy"]["avg_power"], 10.0 + int(record["call_id"][:2]), places=9)

        expected_files = 2 * len(expected_calls) + 2
        self.assertEqual(len(names), expected_files, names)


if __name__ == "__main__":
    run_tests()
