"""Issue 12 benchmark: CPU per target per scrape, sampling included,
energymond against prometheus-ipmi-exporter, both reading the same
simulated BMCs with the same collectors and scraped by this bench at the
same interval, in the same run.

- DCMI only: energymond with ipmi_sensors off; the exporter with the dcmi
  collector.
- DCMI + sensors: energymond with ipmi_sensors on and a sensor sweep every
  interval; the exporter with the dcmi and ipmi collectors.

energymond samples every BMC once per interval and serves all of them in
one /metrics scrape; the exporter reads a BMC (forking FreeIPMI tools) on
each /ipmi?target= scrape, all targets scraped in parallel as Prometheus
does. CPU counts each program's threads and children (cpu_meter.py says
how), over the scraping window only (after start-up).

Usage (ENERGYMON_SOURCE_ROOT, ENERGYMON_BUILD_ROOT, ENERGYMON_PLUGIN_PATH set):
  bench_prometheus_cpu.py ENERGYMOND [--bmcs N] [--seconds S]"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

from cpu_meter import CpuMeter, proc_stat_cpu_s  # noqa: E402
from prometheus_stack import missing_programs, start_energymond, start_ipmi_exporter  # noqa: E402
from simbmc_fleet import Fleet, StepProfile, missing_prerequisites  # noqa: E402
from stack_processes import Supervisor, http_get, wait_until  # noqa: E402

INTERVAL_S = 1.0
MODES = [("DCMI only", False, ["dcmi"]), ("DCMI + sensors", True, ["dcmi", "ipmi"])]


SCRAPE_TIMEOUT_S = 60.0  # a loaded machine slows ipmi_exporter's sensor scrapes past 5 s


def scrape_rounds(urls, seconds, healthy):
    """Scrapes every url once per interval (in parallel) for `seconds`; a
    round slower than the interval delays the next. Returns (rounds, failed
    scrapes, median scrape latency in ms)."""
    rounds, failed, latencies = 0, 0, []

    def one(url):
        start = time.monotonic()
        status, body = http_get(url, timeout=SCRAPE_TIMEOUT_S)
        return time.monotonic() - start, status == 200 and healthy(body)
    next_round = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        while rounds < seconds / INTERVAL_S:
            for latency, ok in pool.map(one, urls):
                latencies.append(latency)
                failed += not ok
            rounds += 1
            next_round += INTERVAL_S
            time.sleep(max(0.0, next_round - time.monotonic()))
    return rounds, failed, 1000 * statistics.median(latencies)


def measure(supervisor, name, meter, urls, seconds, healthy, targets):
    pid = supervisor.children[name].pid
    scrape_rounds(urls, 2 * INTERVAL_S, healthy)  # warm-up, not counted
    cpu0, stat0 = meter.cpu_s(pid), proc_stat_cpu_s(pid)
    rounds, failed, latency_ms = scrape_rounds(urls, seconds, healthy)
    cpu1, stat1 = meter.cpu_s(pid), proc_stat_cpu_s(pid)
    per = 1e6 / (rounds * targets)
    return {"us": (cpu1 - cpu0) * per, "stat_us": (stat1 - stat0) * per, "rounds": rounds,
            "failed": failed, "latency_ms": latency_ms}


def run_energymond(energymond, work, fleet, sensors, seconds):
    supervisor, meter = Supervisor(work), CpuMeter("energymond")
    try:
        port = start_energymond(supervisor, energymond, work, fleet, INTERVAL_S, sensors,
                                setup=meter.enter)
        url = "http://127.0.0.1:%d/metrics" % port
        up = re.compile(r"^energymon_up\{[^}]*\} 1(\.0)?$", re.M)

        def healthy(body):
            return len(up.findall(body)) == len(fleet.bmcs)
        wait_until("energymond reports every BMC up", lambda: healthy(http_get(url)[1]), 60, 0.5)
        return measure(supervisor, "energymond", meter, [url], seconds, healthy, len(fleet.bmcs))
    finally:
        supervisor.stop_all()
        meter.close()


def run_exporter(work, fleet, collectors, seconds):
    supervisor, meter = Supervisor(work), CpuMeter("ipmi-exporter")
    try:
        port = start_ipmi_exporter(supervisor, work, fleet, collectors, setup=meter.enter)
        urls = ["http://127.0.0.1:%d/ipmi?target=%s&module=%s" % (port, bmc.host, bmc.name)
                for bmc in fleet.bmcs]
        wanted = ['ipmi_up{collector="%s"} 1' % c for c in collectors]

        def healthy(body):
            return all(w in body for w in wanted)
        return measure(supervisor, "ipmi_exporter", meter, urls, seconds, healthy, len(fleet.bmcs))
    finally:
        supervisor.stop_all()
        meter.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("energymond")
    parser.add_argument("--bmcs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    reason = missing_programs() or missing_prerequisites()
    if reason:
        print("SKIP: " + reason)
        return 77
    work = tempfile.mkdtemp(prefix="energymon-bench-prometheus-")
    now = time.time()
    fleet = Fleet(work, [StepProfile([(now - 60, 100 + 10 * i)]) for i in range(args.bmcs)],
                  no_realtime=True)
    probe = CpuMeter("probe")
    print("%d simulated BMCs, scraped every %.0f s for %.0f s per program; CPU meter: %s"
          % (args.bmcs, INTERVAL_S, args.seconds, probe.method))
    probe.close()
    rows = []
    try:
        fleet.start()
        for label, sensors, collectors in MODES:
            tag = label.split()[-1].lower()
            ours = run_energymond(args.energymond, mkdir(work, "energymond-" + tag), fleet, sensors,
                                  args.seconds)
            theirs = run_exporter(mkdir(work, "exporter-" + tag), fleet, collectors, args.seconds)
            rows.append((label, ours, theirs))
    finally:
        fleet.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("| collectors | energymond µs CPU/target/scrape | ipmi_exporter µs CPU/target/scrape"
          " | ratio | scrape latency ms (energymond, one scrape for all; exporter, one target)"
          " | failed scrapes |")
    print("|---|---|---|---|---|---|")
    for label, ours, theirs in rows:
        print("| %s | %.1f (/proc/PID/stat: %.1f) | %.1f (/proc/PID/stat: %.1f) | %.1f× | %.2f; %.2f"
              " | %d of %d; %d of %d |"
              % (label, ours["us"], ours["stat_us"], theirs["us"], theirs["stat_us"],
                 theirs["us"] / ours["us"] if ours["us"] > 0 else float("inf"),
                 ours["latency_ms"], theirs["latency_ms"], ours["failed"], ours["rounds"],
                 theirs["failed"], theirs["rounds"] * args.bmcs))
    return 1 if any(o["failed"] or t["failed"] for _, o, t in rows) else 0


def mkdir(parent, name):
    path = os.path.join(parent, name)
    os.mkdir(path, 0o700)
    return path


if __name__ == "__main__":
    sys.exit(main())
