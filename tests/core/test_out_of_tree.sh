#!/usr/bin/env bash
# A third-party plugin builds with only the installed header and pkg-config,
# and the host loads it. Args: BUILD_DIR SOURCE_ROOT ENERGYMON_BINARY
set -euo pipefail
build=$1 src=$2 energymon=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >/dev/null
pc=$(find "$tmp/root" -name energymon.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: energymon.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$tmp/root"
header=$(find "$tmp/root" -name energy_plugin.h | head -1)
[ -n "$header" ] || { echo "FAIL: energy_plugin.h was not installed"; exit 1; }
mkdir -m 0755 "$tmp/plugins"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -o "$tmp/plugins/procstat.so" \
  "$src/examples/procstat/procstat.c" $(pkg-config --cflags energymon)
export ENERGYMON_PLUGIN_PATH="$tmp/plugins"
"$energymon" --list-plugins | tee "$tmp/list"
grep -q '^procstat .*1\.0 .*available' "$tmp/list" || { echo "FAIL: procstat not listed as available"; exit 1; }
"$energymon" --no-files --json --plugins procstat --interval 0.05 -- sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' >"$tmp/out.json"
grep -q '"source": "procstat"' "$tmp/out.json" || { echo "FAIL: no procstat result"; cat "$tmp/out.json"; exit 1; }
grep -q '"machine_busy_time":' "$tmp/out.json" || { echo "FAIL: procstat measured nothing"; cat "$tmp/out.json"; exit 1; }
echo "1 passed, 0 failed"
