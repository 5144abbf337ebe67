#!/usr/bin/env bash
# Sets up everything and runs every test: once in a normal build, once under
# AddressSanitizer + UndefinedBehaviorSanitizer. Run as root (the eBPF tests
# load programs into the kernel; without root they report themselves skipped).
# Usage: scripts/test.sh [extra meson test args, e.g. --suite core]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

run_suite() { # build-dir, meson setup args..., -- meson test args...
  local dir=$1; shift
  local setup=() testargs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do setup+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  testargs=("$@")
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "${setup[@]}" >/dev/null
  fi
  ninja -C "$dir" >"$dir/.ninja.out" || { cat "$dir/.ninja.out"; exit 1; }
  # -v puts every CUnit/unittest summary line in the output
  meson test -C "$dir" -v --print-errorlogs "${testargs[@]}"
}

echo "=== energymon tests (release build) ==="
run_suite build/test -Dbuildtype=debugoptimized -- "$@"

echo "=== energymon tests under ASan + UBSan ==="
run_suite build/asan -Db_sanitize=address,undefined -Db_lundef=false -- "$@"
echo "=== all tests passed ==="
