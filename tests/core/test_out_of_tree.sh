#!/usr/bin/env bash
# A third-party plugin builds with only the installed header and pkg-config,
# and the host loads it; the installed energymon, moved to a prefix no
# loader path knows, runs without LD_LIBRARY_PATH (its RPATH finds the
# library). Args: BUILD_DIR SOURCE_ROOT ENERGYMON_BINARY
set -euo pipefail
build=$1 src=$2 energymon=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >/dev/null
pc=$(find "$tmp/root" -name energymon.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: energymon.pc was not installed"; exit 1; }
# energymon.pc names the real prefix; the sysroot maps it into the staging tree
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$tmp/root"
header=$(find "$tmp/root" -name energy_plugin.h | head -1)
[ -n "$header" ] || { echo "FAIL: energy_plugin.h was not installed"; exit 1; }
mkdir -m 0755 "$tmp/plugins"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -o "$tmp/plugins/procstat.so" \
  "$src/examples/procstat/procstat.c" $(pkg-config --cflags energymon)
export ENERGYMON_PLUGIN_PATH="$tmp/plugins"
"$energymon" --list-plugins | tee "$tmp/list"
grep -q '^procstat .*1\.3 .*available' "$tmp/list" || { echo "FAIL: procstat not listed as available"; exit 1; }
"$energymon" --no-files --json --plugins procstat --interval 0.05 -- sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' >"$tmp/out.json"
grep -q '"source": "procstat"' "$tmp/out.json" || { echo "FAIL: no procstat result"; cat "$tmp/out.json"; exit 1; }
grep -q '"machine_busy_time":' "$tmp/out.json" || { echo "FAIL: procstat measured nothing"; cat "$tmp/out.json"; exit 1; }

# The installed tree, moved to a prefix of its own (as if configured with
# --prefix=$tmp/opt/energymon): the binary must find its own libenergymon.
installed=$(find "$tmp/root" -path '*/bin/energymon' -type f | head -1)
[ -n "$installed" ] || { echo "FAIL: bin/energymon was not installed"; exit 1; }
mkdir -p "$tmp/opt"
mv "${installed%/bin/energymon}" "$tmp/opt/energymon"
relocated="$tmp/opt/energymon/bin/energymon"
# what the dynamic loader resolves, without running main (as ldd does)
env -u LD_LIBRARY_PATH LD_TRACE_LOADED_OBJECTS=1 "$relocated" >"$tmp/libs" 2>&1 || true
grep -q "libenergymon\.so.* => $tmp/opt/energymon/" "$tmp/libs" ||
  { echo "FAIL: the installed energymon does not find libenergymon under its own prefix:"; cat "$tmp/libs"; exit 1; }
env -u LD_LIBRARY_PATH "$relocated" --list-plugins >"$tmp/list2" 2>&1 ||
  { echo "FAIL: the installed energymon does not run from $tmp/opt/energymon:"; cat "$tmp/list2"; exit 1; }
grep -q '^procstat .*1\.3 .*available' "$tmp/list2" ||
  { echo "FAIL: the installed energymon did not list procstat:"; cat "$tmp/list2"; exit 1; }
echo "2 passed, 0 failed"
