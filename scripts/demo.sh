#!/usr/bin/env bash
# The main job: build energymon, then measure a workload's energy.
#
#   scripts/demo.sh                       # against the bundled simulated BMC
#   scripts/demo.sh --config my.json      # against the BMC your config names
#   scripts/demo.sh [...] -- COMMAND ...  # measure COMMAND instead of the sample workload
#
# Without --config there is no real BMC to ask, so this starts OpenIPMI's
# ipmi_sim on 127.0.0.1 with energymon's DCMI module in its CPU-load model:
# the watts it reports are a SIMULATION that follows this machine's CPU load,
# and the output says so. Run as root to add the eBPF per-process CPU share.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
config=""
if [ "${1:-}" = "--config" ]; then config=$2; shift 2; fi
[ "${1:-}" = "--" ] && shift
workload=("$@")
if [ ${#workload[@]} -eq 0 ]; then
  # about 3-4 s of CPU work on one core, then a second of idle: power should follow
  workload=(sh -c 'head -c 1500000000 /dev/zero | sha256sum >/dev/null; sleep 1')
fi

bash scripts/install-deps.sh
build=build/test
[ -f $build/build.ninja ] || meson setup $build -Dbuildtype=debugoptimized >/dev/null
ninja -C $build >"$build/.ninja.out" || { cat "$build/.ninja.out"; exit 1; }
export ENERGYMON_PLUGIN_PATH=$root/$build/plugins/ipmi:$root/$build/plugins/perf:$root/$build/plugins/ebpf
energymon=$root/$build/cli/energymon

work=$(mktemp -d /tmp/energymon-demo.XXXXXX)
cleanup() {
  [ -f "$work/bmc/ipmi_sim.pid" ] && simbmc/simbmc.sh stop --dir "$work/bmc" || true
  rm -rf "$work"
}
trap cleanup EXIT

plugins=$("$energymon" --list-plugins)
# energymon loads no plugin below a directory another user owns or others may
# write to (say, root running a user's clone): then use a copy of ours in $work
if grep -q 'refusing to load plugin' <<<"$plugins"; then
  mkdir -m 0755 "$work/plugins"
  cp "$root/$build"/plugins/*/*.so "$work/plugins/"
  export ENERGYMON_PLUGIN_PATH=$work/plugins
  plugins=$("$energymon" --list-plugins)
fi
echo "== plugins found, and whether each can run here =="
echo "$plugins"
echo

if [ -z "$config" ]; then
  echo "== no BMC configured: starting the SIMULATED BMC (ipmi_sim + DCMI module, power = 40 W + 140 W x CPU load) =="
  (umask 077; head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/bmc.pw"; echo >>"$work/bmc.pw")
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    if simbmc/simbmc.sh start --dir "$work/bmc" --port $port --module "$root/$build/simbmc/simbmc_dcmi.so" \
         --cpu 40,180 --password-file "$work/bmc.pw" --owner-pid $$ 2>"$work/start.err"; then
      break
    fi
    [ $attempt -eq 5 ] && { cat "$work/start.err" >&2; exit 1; }
  done
  strategy='["ipmi"]'
  [ "$(id -u)" -eq 0 ] && [ -f $build/plugins/ebpf/ebpf.so ] && strategy='["ipmi", "ebpf"]'
  mkdir -m 0700 "$work/sdr"
  config=$work/config.json
  cat >"$config" <<JSON
{
  "lithops": {"energy": true, "energy_strategy": $strategy},
  "energy_sampling_interval": 0.2,
  "ipmi_host": "127.0.0.1:$port",
  "ipmi_username": "admin",
  "ipmi_password_file": "$work/bmc.pw",
  "ipmi_interface": "lanplus",
  "ipmi_workarounds": ["opensesspriv"],
  "ipmi_sdr_cache_dir": "$work/sdr"
}
JSON
  echo "   simulated BMC on 127.0.0.1:$port; config: $config"
fi

echo
echo "== measuring: ${workload[*]} =="
set +e
"$energymon" --config "$config" --output-dir energy_data --job-key demo --call-id "$(date +%s)" -- "${workload[@]}"
status=$?
set -e
echo "== files written to energy_data/ (Lithops format) =="
ls -l energy_data | tail -n +2 | tail -5
echo
"$energymon" report energy_data || true
exit $status
