#!/usr/bin/env bash
# Installs everything energymon needs to build, test and run on Debian 12.
# Idempotent; run as root (or via sudo).
set -euo pipefail
pkgs=(
  meson ninja-build pkg-config gcc clang llvm
  libbpf-dev bpftool libelf-dev zlib1g-dev
  libpfm4-dev
  libfreeipmi-dev libipmimonitoring-dev freeipmi-tools ipmitool
  libjansson-dev libcunit1-dev
  openipmi libopenipmi-dev
  libplplot-dev plplot-driver-cairo
  python3 python3-pip
  libmicrohttpd-dev curl openssl prometheus prometheus-ipmi-exporter
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
