"""Issue 12: a real Prometheus server scrapes energymond, which watches three
simulated BMCs with known step profiles, and prometheus-ipmi-exporter,
which reads the same BMCs.

Checked through Prometheus' HTTP API (raw samples of range selectors):
- the increase of energymon_energy_joules_total{metric="system"} between two
  scrapes equals the exact integral of the BMC's power profile between the
  agent's own sample times (energymon_last_sample_timestamp_seconds of the
  same scrapes) within 1%, over a span with three power steps and over each
  constant phase;
- energymon_power_watts, energymond's drop-in ipmi_dcmi_power_consumption_watts
  and the exporter's ipmi_dcmi_power_consumption_watts all report the
  phase's power during a constant phase.

Usage: test_prometheus_scrape.py ENERGYMOND (with ENERGYMON_SOURCE_ROOT,
ENERGYMON_BUILD_ROOT and ENERGYMON_PLUGIN_PATH set, as meson does).
Exits 77 naming the package when a program it needs is missing."""

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from prometheus_stack import Prometheus, missing_programs, start_energymond, start_ipmi_exporter  # noqa: E402
from scrape_checks import Checks, join_by_scrape  # noqa: E402
from simbmc_fleet import Fleet, StepProfile, missing_prerequisites  # noqa: E402
from stack_processes import Supervisor, wait_until  # noqa: E402

SAMPLING_INTERVAL_S = 0.1
PHASE_S = 6.0
# Power levels (W) per BMC: before the test's phases, then three phases.
LEVELS = [(140, 260, 180, 320), (200, 110, 290, 150), (90, 170, 240, 120)]


def phased_profile(levels, t0):
    return StepProfile([(t0 - 3600.0, levels[0])] +
                       [(t0 + k * PHASE_S, watts) for k, watts in enumerate(levels[1:])])


def wait_for_first_scrapes(prom, fleet):
    def seen():
        energy = prom.query('energymon_energy_joules_total{metric="system"}')
        exporter = prom.query('ipmi_dcmi_power_consumption_watts{job=~"ipmi_.*"}')
        return (len({s["metric"].get("source") for s in energy}) == len(fleet.bmcs) and
                len(exporter) == len(fleet.bmcs))
    wait_until("prometheus has scraped energymond and ipmi_exporter for every BMC", seen, 30,
               poll_s=0.5)


def check_energy(checks, prom, bmc, t0):
    source = 'source="ipmi:%s"' % bmc.name
    window = int(time.time() - t0) + 15
    joined = join_by_scrape(
        prom.raw_samples('energymon_energy_joules_total{metric="system",%s}' % source, window),
        prom.raw_samples('energymon_last_sample_timestamp_seconds{metric="system",%s}' % source,
                         window))
    checks.expect(len(joined) == 1, "%s: one system energy series, got %d" % (bmc.name, len(joined)))
    if not joined:
        return
    samples = next(iter(joined.values()))  # [(scrape_t, joules, sample_t)]
    checks.expect(all(b[1] >= a[1] for a, b in zip(samples, samples[1:])),
                  "%s: the energy counter never decreases" % bmc.name)
    # The span that holds all three steps.
    first = [s for s in samples if s[2] < t0 - 0.5]
    last = [s for s in samples if s[2] > t0 + 2 * PHASE_S + 2.0]
    if checks.expect(first and last, "%s: scrapes before the first step and after the last "
                     "(%d samples)" % (bmc.name, len(samples))):
        checks.energy(bmc, first[-1], last[-1])
    # Each constant phase alone.
    for k in range(3):
        lo, hi = t0 + k * PHASE_S, t0 + (k + 1) * PHASE_S
        inside = [s for s in samples if lo + 0.05 < s[2] < hi - 0.05]
        if checks.expect(len(inside) >= 3 and inside[-1][2] - inside[0][2] >= 2.5,
                         "%s phase %d: >= 3 scrapes over >= 2.5 s (%d)" % (bmc.name, k + 1,
                                                                           len(inside))):
            checks.energy(bmc, inside[0], inside[-1])


def check_power(checks, prom, bmc, t0):
    window = int(time.time() - t0) + 15
    source = 'source="ipmi:%s"' % bmc.name
    stamp = prom.raw_samples('energymon_last_sample_timestamp_seconds{metric="system",%s}'
                             % source, window)
    agent = join_by_scrape(prom.raw_samples('energymon_power_watts{metric="system",%s}' % source,
                                            window), stamp)
    dropin = prom.raw_samples('ipmi_dcmi_power_consumption_watts{job="energymond",%s}' % source,
                              window)
    exporter = prom.raw_samples('ipmi_dcmi_power_consumption_watts{job="ipmi_%s"}' % bmc.name,
                                window)
    checks.expect(len(agent) == 1 and len(dropin) == 1 and len(exporter) == 1,
                  "%s: one series each of energymon_power_watts (%d), energymond's "
                  "ipmi_dcmi_power_consumption_watts (%d) and the exporter's (%d)"
                  % (bmc.name, len(agent), len(dropin), len(exporter)))
    if not (agent and dropin and exporter):
        return
    agent_samples = next(iter(agent.values()))
    dropin_samples = next(iter(dropin.values()))
    exporter_samples = next(iter(exporter.values()))
    for k in range(3):
        lo, hi = t0 + k * PHASE_S, t0 + (k + 1) * PHASE_S
        level = bmc.profile.power_w(lo)
        # The agent's reading at its own sample time.
        ours = [w for _, w, t in agent_samples if lo + 0.05 < t < hi - 0.05]
        # A scrape at t serves readings taken before t: the drop-in's latest
        # sample is at most one interval (0.1 s) old; the exporter reads
        # the BMC during the scrape (up to its 900 ms timeout).
        ours_dropin = [w for t, w in dropin_samples if lo + 0.3 < t < hi]
        theirs = [w for t, w in exporter_samples if lo + 0.05 < t < hi - 1.0]
        checks.expect(ours and ours_dropin and theirs,
                      "%s phase %d: samples of all three (%d, %d, %d)"
                      % (bmc.name, k + 1, len(ours), len(ours_dropin), len(theirs)))
        values = {"energymon_power_watts": ours, "energymond ipmi_dcmi_power_consumption_watts":
                  ours_dropin, "ipmi_exporter ipmi_dcmi_power_consumption_watts": theirs}
        for name, seen in values.items():
            checks.expect(all(w == level for w in seen),
                          "%s phase %d: %s %s == %d W" % (bmc.name, k + 1, name,
                                                          sorted(set(seen)), level))


def check_no_secret_in_argv(checks, supervisor, password):
    for name, child in supervisor.children.items():
        try:
            with open("/proc/%d/cmdline" % child.pid, "rb") as f:
                argv = f.read()
        except OSError:
            continue
        checks.expect(password.encode() not in argv, "%s: no password in its argv" % name)


def run(energymond, work):
    supervisor = Supervisor(work)
    fleet = Fleet(work, [phased_profile(levels, time.time() + 3600) for levels in LEVELS])
    checks = Checks()
    try:
        fleet.start()
        agent_port = start_energymond(supervisor, energymond, work, fleet, SAMPLING_INTERVAL_S,
                                      sensors=False)
        exporter_port = start_ipmi_exporter(supervisor, work, fleet, ["dcmi"])
        prom = Prometheus(supervisor, work, agent_port, exporter_port, fleet)
        wait_for_first_scrapes(prom, fleet)
        t0 = time.time() + 2.0
        for bmc, levels in zip(fleet.bmcs, LEVELS):
            bmc.set_profile(phased_profile(levels, t0))
        time.sleep(t0 + 3 * PHASE_S + 2.5 - time.time())
        for name in list(supervisor.children):
            supervisor.check_alive(name)
        check_no_secret_in_argv(checks, supervisor, "fleet-secret-7")
        for bmc in fleet.bmcs:
            check_energy(checks, prom, bmc, t0)
            check_power(checks, prom, bmc, t0)
        status = supervisor.stop("energymond")
        checks.expect(status == 0, "energymond exits 0 on SIGTERM (got %s)" % status)
    except Exception as error:  # report with the logs, then fail
        checks.expect(False, "%s: %s" % (type(error).__name__, error))
    finally:
        if checks.failed:
            for name in ("energymond", "ipmi_exporter", "prometheus"):
                print("--- %s log (tail) ---\n%s" % (name, supervisor.log_tail(name)))
        supervisor.stop_all()
        fleet.stop()
    return checks


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    reason = missing_programs() or missing_prerequisites()
    if reason is None and not os.access(sys.argv[1], os.X_OK):
        reason = "energymond is not built at %s" % sys.argv[1]
    if reason:
        print("SKIP: " + reason)
        return 77
    work = tempfile.mkdtemp(prefix="energymon-prometheus-")  # 0700
    try:
        checks = run(sys.argv[1], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks.count, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
