#!/bin/sh
# systemd-analyze verify on energymond.service (the build tree's copy, whose
# ExecStart is the built binary). Exit 77 (skipped) without systemd-analyze.
unit="$1"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "skipped: systemd-analyze is not installed"
	exit 77
fi
out=$(systemd-analyze verify "$unit" 2>&1)
rc=$?
echo "$out"
# verify also reports on units this one only mentions (network-online.target
# missing in a container); only lines about energymond count.
if [ $rc -ne 0 ] && echo "$out" | grep -q "energymond"; then
	exit 1
fi
if echo "$out" | grep -qi "energymond.*\(unknown\|invalid\|failed\|not executable\)"; then
	exit 1
fi
exit 0
