#!/usr/bin/env python3
"""fleet_size.py — how many simulated BMCs one energymond holds at 1 Hz.

For each fleet size N: start N simulated BMCs (scripts/simbmc-fleet.sh,
ipmi_sim on 127.0.0.1, one port each, no sensor polling, normal priority),
one energymond watching all of them (one `ipmi:bmcNNNN` instance each, DCMI
only), let every source take its first reading, then open one agent window on
every source for --seconds and read, from the window's own state, each
source's samples, failed samples and missed deadlines. Meanwhile it reads
/proc for energymond's CPU time and RSS and for the simulators' CPU time (on
the same 2 cores: a confounder, reported beside).

The goal (issue 12): < 1 missed deadline per 1000 samples and < 50 % of one
core for energymond. Not a test: it times things and is never in
scripts/test.sh. Run as root (it raises the open-file limit):

    bench/fleet/fleet_size.py --build build/release --sizes 100,250,500,1000 \
        --threads 2 --seconds 60
"""
import argparse
import json
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FLEET = os.path.join(ROOT, "scripts", "simbmc-fleet.sh")
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def call(path, request, timeout_s=120.0):
    """One request on energymond's socket (4-byte big-endian length frames)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout_s)
        s.connect(path)
        body = json.dumps(request).encode()
        s.sendall(struct.pack(">I", len(body)) + body)
        return json.loads(recv_frame(s))


def recv_frame(s):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = s.recv(n - len(data))
            if not chunk:
                raise ConnectionError("energymond closed the connection")
            data += chunk
        return data
    (n,) = struct.unpack(">I", exactly(4))
    return exactly(n)


def cpu_s(pid):
    """utime + stime of a process, in seconds (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def rss_bytes(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def run_size(args, n, work):
    fleet = os.path.join(work, f"fleet{n}")
    pwfile = os.path.join(work, "password")
    if not os.path.exists(pwfile):
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b"fleet-bench\n")
        os.close(fd)
    module = os.path.join(args.build, "simbmc", "simbmc_dcmi.so")
    t0 = time.monotonic()
    subprocess.run([FLEET, "start", "--dir", fleet, "--count", str(n), "--base-port", str(args.base_port),
                    "--password-file", pwfile, "--module", module, "--no-sensor-poll",
                    "--owner-pid", str(os.getpid())], check=True)
    start_s = time.monotonic() - t0
    try:
        return run_fleet(args, n, work, fleet, start_s)
    finally:
        subprocess.run([FLEET, "stop", "--dir", fleet], check=False)


def run_fleet(args, n, work, fleet, start_s):
    sims = [int(p) for p in subprocess.run([FLEET, "pids", "--dir", fleet], check=True, capture_output=True,
                                           text=True).stdout.split()]
    config = os.path.join(work, f"energymond{n}.json")
    with open(config, "w") as f:
        subprocess.run([FLEET, "config", "--dir", fleet, "--interval", str(args.interval), "--threads",
                        str(args.threads)], check=True, stdout=f)
    sockdir = os.path.join(work, f"sock{n}")
    os.mkdir(sockdir, 0o755)
    sock = os.path.join(sockdir, "energymond.sock")
    log = open(os.path.join(work, f"energymond{n}.log"), "w")
    env = dict(os.environ)
    env.setdefault("ENERGYMON_PLUGIN_PATH", os.path.join(args.build, "plugins", "ipmi"))
    agent = subprocess.Popen([os.path.join(args.build, "agent", "energymond"), "--config", config,
                              "--socket", sock], stdout=log, stderr=log, env=env)
    try:
        return measure(args, n, agent, sock, sims, start_s)
    finally:
        agent.send_signal(signal.SIGTERM)
        try:
            agent.wait(30)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()
        log.close()


def measure(args, n, agent, sock, sims, start_s):
    deadline = time.monotonic() + 120 + n * 0.1
    hello = None
    while hello is None:
        if agent.poll() is not None:
            raise RuntimeError(f"energymond exited ({agent.returncode}) before it answered: see its log")
        try:
            hello = call(sock, {"v": 1, "op": "hello"}, 10)
        except (FileNotFoundError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    ready_s = time.monotonic()
    ids = [s["id"] for s in hello["sources"]]
    # every source has its first reading (sessions opened) before measuring
    while True:
        st = call(sock, {"v": 1, "op": "status"})
        if all(s.get("last_sample_age_s") is not None for s in st["sources"]):
            break
        if time.monotonic() > deadline:
            missing = [s["id"] for s in st["sources"] if s.get("last_sample_age_s") is None]
            raise RuntimeError(f"{len(missing)} sources never read, e.g. {missing[:3]}")
        time.sleep(0.5)
    first_s = time.monotonic() - ready_s
    time.sleep(args.warmup)
    with socket.socket(socket.AF_UNIX) as win:
        win.settimeout(300)
        win.connect(sock)
        body = json.dumps({"v": 1, "op": "begin", "pid": os.getpid()}).encode()  # all sources
        win.sendall(struct.pack(">I", len(body)) + body)
        begun = json.loads(recv_frame(win))
        if not begun.get("ok"):
            raise RuntimeError(f"begin refused: {begun}")
        a0, s0, w0 = cpu_s(agent.pid), sum(cpu_s(p) for p in sims), time.monotonic()
        time.sleep(args.seconds)
        a1, s1, w1 = cpu_s(agent.pid), sum(cpu_s(p) for p in sims), time.monotonic()
        rss = rss_bytes(agent.pid)
        nthreads = threads(agent.pid)
        body = json.dumps({"v": 1, "op": "end", "window": begun["window"]}).encode()
        win.sendall(struct.pack(">I", len(body)) + body)
        ended = json.loads(recv_frame(win))
    if not ended.get("ok"):
        raise RuntimeError(f"end refused: {ended}")
    samples = failed = missed = 0
    for src in ended["state"]["sources"]:
        samples += src["samples"]
        failed += src["failed_samples"]
        missed += src["missed_deadlines"]
    wall = w1 - w0
    due = len(ids) * wall / args.interval
    return {
        "bmcs": n, "threads": args.threads, "seconds": round(wall, 1),
        "start_fleet_s": round(start_s, 1), "first_readings_s": round(first_s, 1),
        "energymond_cpu_pct": round(100 * (a1 - a0) / wall, 1),
        "simulators_cpu_pct": round(100 * (s1 - s0) / wall, 1),
        "samples": samples, "samples_due": round(due), "failed": failed, "missed_deadlines": missed,
        "missed_per_1000": round(1000 * missed / max(samples + missed, 1), 2),
        "cpu_us_per_sample": round(1e6 * (a1 - a0) / max(samples, 1), 1),
        "energymond_rss_mib": round(rss / 2**20, 1), "rss_kib_per_bmc": round(rss / 1024 / n, 1),
        "energymond_threads": nthreads,
        # other work on the same cores confounds every figure above: say how much
        "loadavg_1m": round(os.getloadavg()[0], 1),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build", "test"))
    p.add_argument("--sizes", default="100,250,500,1000")
    p.add_argument("--threads", type=int, default=2, help="energy_sampler_threads (0: a thread per BMC)")
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("--base-port", type=int, default=30000)
    args = p.parse_args()
    args.build = os.path.abspath(args.build)
    # stopped by a signal, still stop the agent and the simulators (a
    # background job starts with SIGINT ignored: take it back)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(130))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="energymon-fleet-bench-")
    os.chmod(work, 0o755)  # the socket dir lives here; the fleet dirs are 0700
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            try:
                r = run_size(args, n, work)
            except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
                r = {"bmcs": n, "threads": args.threads, "error": str(e)}
            r["held"] = ("error" not in r and r["missed_per_1000"] < 1 and r["energymond_cpu_pct"] < 50
                         and r["failed"] == 0)
            print(json.dumps(r), flush=True)
    finally:
        if not os.environ.get("FLEET_BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
