#!/usr/bin/env bash
# Issue 10's "done when", end to end: the example GPU plugin (ABI 1.1,
# declared accelerator metrics) run as two instances beside ipmi (against
# the simulated BMC) and perf:
#   energymon --plugins ipmi,perf,gpuhwmon:a,gpuhwmon:b
# Two hwmon-like trees under a temporary directory hold energy counters
# (microjoules) that a background writer advances at known rates, and fixed
# gauges; they are real files, replaced by rename as sysfs values change.
# Checks: the composite has gpu0_energy@gpuhwmon:a and gpu0_energy@gpuhwmon:b
# at the known rates and no key collides; each instance has its own
# per-call file; `energymon report` summarises both by their declared
# metrics without knowing the plugin.
#
# Environment (meson test sets it): ENERGYMON_SOURCE_ROOT, ENERGYMON_BUILD_ROOT,
# ENERGYMON_PLUGIN_PATH (the build's plugin dirs; examples/gpuhwmon is added
# when missing). Optional argument: the energymon binary.
# Exit 77 (skipped) where the simulated BMC cannot run.
set -euo pipefail
src=${ENERGYMON_SOURCE_ROOT:?ENERGYMON_SOURCE_ROOT must name the source tree}
build=${ENERGYMON_BUILD_ROOT:?ENERGYMON_BUILD_ROOT must name the build tree}
energymon=${1:-$build/cli/energymon}
module=$build/simbmc/simbmc_dcmi.so
gpu_plugin_dir=$build/examples/gpuhwmon

skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
for prog in ipmi_sim sdrcomp ipmitool python3; do
	command -v "$prog" >/dev/null || skip "$prog is not installed (Debian: openipmi, ipmitool, python3)"
done
[ -r "$module" ] || skip "$module is missing (OpenIPMI headers not found at build time?)"
[ -x "$energymon" ] || fail "no energymon binary at $energymon"
[ -r "$gpu_plugin_dir/gpuhwmon.so" ] || fail "examples/gpuhwmon was not built ($gpu_plugin_dir/gpuhwmon.so)"
plugin_path=${ENERGYMON_PLUGIN_PATH:-$build/plugins/ipmi:$build/plugins/perf}
case ":$plugin_path:" in
*":$gpu_plugin_dir:"*) ;;
*) plugin_path="$plugin_path:$gpu_plugin_dir" ;;
esac
export ENERGYMON_PLUGIN_PATH=$plugin_path

tmp=$(mktemp -d) # 0700
writer=''
cleanup() {
	[ -z "$writer" ] || kill "$writer" 2>/dev/null || true
	bash "$src/simbmc/simbmc.sh" stop --dir "$tmp/bmc" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- the simulated BMC: a constant 100 W ---
mkdir -m 0700 "$tmp/bmc" "$tmp/bmc/sdr-cache"
printf 'gpu-test-pw\n' >"$tmp/bmc/password"
chmod 0600 "$tmp/bmc/password"
echo "0 100" >"$tmp/bmc/profile"
started=''
for attempt in 1 2 3; do
	port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if bash "$src/simbmc/simbmc.sh" start --dir "$tmp/bmc" --port "$port" --password-file "$tmp/bmc/password" \
		--module "$module" --profile "$tmp/bmc/profile" --owner-pid $$ >"$tmp/bmc.log" 2>&1; then
		started=1
		break
	fi
	grep -q 'already in use' "$tmp/bmc.log" || break # only a port race is worth a retry
done
[ -n "$started" ] || { cat "$tmp/bmc.log"; fail "the simulated BMC did not start"; }

# --- two GPU trees: counters at known rates (W), fixed gauges ---
# instance a: gpu0 5 W, gpu1 7 W, 5 W average power, 61 degC
# instance b: gpu0 9 W, gpu1 11 W, 9 W average power, 48 degC
mkdir -p "$tmp/hw-a" "$tmp/hw-b"
python3 - "$tmp" <<'EOF' &
import os, sys, time
root = sys.argv[1]
trees = {"hw-a": (5.0, 7.0, 5000000, 61000), "hw-b": (9.0, 11.0, 9000000, 48000)}
def put(path, value):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % value)
    os.rename(path + ".tmp", path)  # a reader sees the old or the new value, never half
t0 = time.monotonic()
while True:
    elapsed = time.monotonic() - t0
    for tree, (w0, w1, power_uw, temp_mc) in trees.items():
        d = os.path.join(root, tree)
        put(os.path.join(d, "energy1_input"), int(w0 * elapsed * 1e6))
        put(os.path.join(d, "energy2_input"), int(w1 * elapsed * 1e6))
        put(os.path.join(d, "power1_average"), power_uw)
        put(os.path.join(d, "temp1_input"), temp_mc)
    time.sleep(0.01)
EOF
writer=$!
for _ in $(seq 50); do
	[ -e "$tmp/hw-b/temp1_input" ] && break
	sleep 0.1
done
[ -e "$tmp/hw-b/temp1_input" ] || fail "the writer did not create the GPU trees"

# --- one measured call: instance a configured by a section, b by --set ---
cat >"$tmp/config.json" <<EOF
{"energy_sampling_interval": 0.1,
 "ipmi_host": "127.0.0.1:$port", "ipmi_username": "admin", "ipmi_password_file": "$tmp/bmc/password",
 "ipmi_workarounds": ["opensesspriv"], "ipmi_sdr_cache_dir": "$tmp/bmc/sdr-cache", "ipmi_sensor_interval": 1,
 "gpuhwmon:a": {"gpuhwmon_dir": "$tmp/hw-a"}}
EOF
# perf needs RAPL, which a VM may lack: it may be unavailable (its file
# then says why); the others must measure, which the checks below assert.
"$energymon" --plugins ipmi,perf,gpuhwmon:a,gpuhwmon:b --allow-unavailable --config "$tmp/config.json" \
	--set "gpuhwmon:b.gpuhwmon_dir=$tmp/hw-b" --output-dir "$tmp/out" --job-key gpujob --call-id 00000 \
	--json -- sleep 3 >"$tmp/composite.json" 2>"$tmp/energymon.err" ||
	{ cat "$tmp/energymon.err"; fail "energymon failed"; }
"$energymon" report "$tmp/out" >"$tmp/report.txt" 2>"$tmp/report.err" ||
	{ cat "$tmp/report.err"; fail "energymon report failed"; }
"$energymon" report --json "$tmp/out" >"$tmp/report.json" 2>/dev/null ||
	fail "energymon report --json failed"

python3 - "$tmp" <<'EOF'
import json, math, os, re, sys
tmp = sys.argv[1]
out = os.path.join(tmp, "out")
failures = []
def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)
def close(value, expected, what, rel=0.10, absolute=0.5):
    ok = isinstance(value, (int, float)) and abs(value - expected) <= rel * abs(expected) + absolute
    check(ok, "%s = %s, expected %.3f (within %d %% + %g)" % (what, value, expected, rel * 100, absolute))

composite = json.load(open(os.path.join(tmp, "composite.json")))
energy = composite.get("energy", {})
metrics = composite.get("metrics", [])
def metric(source, key):
    for m in metrics:
        if m.get("source") == source and m.get("key") == key:
            return m
    return None

rates = {"gpuhwmon:a": (5.0, 7.0, 5.0, 61.0), "gpuhwmon:b": (9.0, 11.0, 9.0, 48.0)}
for source, (w0, w1, power, temp) in rates.items():
    for key, watts in (("gpu0_energy", w0), ("gpu1_energy", w1)):
        m = metric(source, key)
        check(m is not None, "composite metrics has %s of %s" % (key, source))
        if m is None:
            continue
        check(m.get("declared") is True and m.get("kind") == "counter" and m.get("unit") == "J"
              and m.get("scope") == "accelerator", "%s@%s is a declared accelerator joule counter" % (key, source))
        covered = m.get("covered_s")
        check(isinstance(covered, (int, float)) and covered > 2.0, "%s@%s covered %s s of the 3 s call" % (key, source, covered))
        if isinstance(covered, (int, float)):
            close(m.get("value"), watts * covered, "%s@%s (J)" % (key, source))
        composite_key = "%s@%s" % (key, source)
        check(composite_key in energy and energy[composite_key] == m.get("value"),
              "composite energy has %s = the metric's value" % composite_key)
    t = metric(source, "gpu_temp")
    check(t is not None and t.get("kind") == "gauge", "%s declares the gauge gpu_temp" % source)
    if t is not None:
        close(t.get("value"), temp, "gpu_temp@%s (degC)" % source, rel=0.001, absolute=0.01)
    p = metric(source, "gpu_power")
    if p is not None and isinstance(p.get("covered_s"), (int, float)):
        close(p.get("energy_j"), power * p["covered_s"], "gpu_power@%s integrated (J)" % source)

# no key collides: instances are qualified, nothing is filed under the bare key
check("gpu0_energy" not in energy, "no unqualified gpu0_energy in the composite")
check(len(set(energy)) == len(energy), "composite energy keys are unique")
check(isinstance(energy.get("system"), (int, float)) and energy["system"] > 0, "ipmi still gives system (%s J)" % energy.get("system"))

# each instance has its own per-call file and summary log
for tag, source in (("gpuhwmon-a", "gpuhwmon:a"), ("gpuhwmon-b", "gpuhwmon:b")):
    path = os.path.join(out, "gpujob_00000_%s.json" % tag)
    check(os.path.exists(path), "%s exists" % os.path.basename(path))
    if not os.path.exists(path):
        continue
    f = json.load(open(path))
    ec = f.get("energy_consumption", {})
    check(ec.get("source") == source, "%s: energy_consumption.source is %s" % (tag, ec.get("source")))
    m = metric(source, "gpu0_energy")
    check(m is not None and ec.get("gpu0_energy") == m.get("value"), "%s: energy_consumption.gpu0_energy is the composite's value" % tag)
    check("gpu1_energy" in ec and "gpu_temp" in ec, "%s: every declared metric is in energy_consumption" % tag)
    declared = [x.get("key") for x in f.get("energymon", {}).get("metrics", []) if x.get("declared")]
    check(sorted(declared) == ["gpu0_energy", "gpu1_energy", "gpu_power", "gpu_temp"], "%s: the file declares %s" % (tag, declared))
    check(os.path.exists(os.path.join(out, "%s_summary.jsonl" % tag)), "%s_summary.jsonl exists" % tag)

# the report knows the plugin only from the files
text = open(os.path.join(tmp, "report.txt")).read()
report = json.load(open(os.path.join(tmp, "report.json")))
for tag, source, watts in (("gpuhwmon-a", "gpuhwmon:a", 5.0), ("gpuhwmon-b", "gpuhwmon:b", 9.0)):
    check(re.search(r"^%s \(source %s; " % (re.escape(tag), re.escape(source)), text, re.M) is not None,
          "the report has a block for %s" % tag)
    block = text.split("\n%s (" % tag, 1)[-1].split("\n\n", 1)[0]
    found = re.search(r"^  total_gpu0_energy: ([0-9.]+) J$", block, re.M)
    m = metric(source, "gpu0_energy")
    check(found is not None, "the report gives total_gpu0_energy for %s" % tag)
    if found and m is not None:
        close(float(found.group(1)), m["value"], "report total_gpu0_energy of %s (J)" % tag, rel=1e-6, absolute=1e-6)
    summary = report.get("sources", {}).get(tag, {})
    total = summary.get("metrics", {}).get("gpu0_energy", {}).get("total")
    check(isinstance(total, (int, float)), "report --json has sources.%s.metrics.gpu0_energy.total (%s)" % (tag, total))
print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
EOF
