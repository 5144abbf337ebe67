#!/usr/bin/env bash
# simbmc-fleet.sh — start, stop and describe a fleet of simulated BMCs (many
# ipmi_sim on 127.0.0.1, one port each) and write the energymond config that
# watches them, for the fleet test and the fleet-size benchmark.
#
# simbmc.sh starts one BMC in ~1.1 s of CPU (sdrcomp, awk, an ipmitool
# probe); a thousand would take ten minutes of both cores. This builds the
# shared files once (the compiled SDR, the sensor defaults), writes each
# BMC's own lan.conf/sim.emu from the same templates simbmc.sh uses
# (simbmc/simbmc_files.sh), starts every ipmi_sim without waiting, and then
# waits once for all their ports. Each BMC's directory is laid out as
# simbmc.sh lays it out, so `simbmc.sh stop --dir FLEET/bmcNNNN` (and its
# other per-BMC commands) work on it.
#
# Passwords never appear on a command line: the one password file is read
# here and written only into each BMC's lan.conf (0600, in a 0700 dir).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
simbmc_dir=$(cd "$here/../simbmc" && pwd)
table="$simbmc_dir/sensors.tsv"
bmc_name=simbmc # must match simbmc.sh: the state dir ipmi_sim uses
poll_ms=100 # read by simbmc_files.sh
export poll_ms
# shellcheck source=../simbmc/simbmc_files.sh
. "$simbmc_dir/simbmc_files.sh"

die() { echo "simbmc-fleet.sh: $*" >&2; exit 1; }

usage() {
	cat >&2 <<'EOF'
usage: simbmc-fleet.sh start  --dir DIR --count N --base-port P --password-file FILE
                              --module /abs/simbmc_dcmi.so [--watts W] [--user NAME]
                              [--skip I,J,...] [--no-sensor-poll] [--realtime] [--owner-pid PID]
       simbmc-fleet.sh stop   --dir DIR
       simbmc-fleet.sh config --dir DIR [--interval S] [--sensors] [--threads N] [--timeout S]
       simbmc-fleet.sh pids   --dir DIR
BMC i (1..N) is DIR/bmcNNNN on 127.0.0.1:(P+i-1), serving a constant W+i watts
(default W 100). --skip leaves those BMCs configured but never started (dead).
Simulators run at normal priority unless --realtime (SCHED_FIFO 10, as
simbmc.sh does by default: a test on a loaded machine then measures the
agent, not the simulators' starvation; benchmarks leave it off).
`config` prints energymond's JSON config for every BMC of DIR (sources
ipmi:bmcNNNN); --threads sets energy_sampler_threads.
EOF
	exit 2
}

bmc_dir() { printf '%s/bmc%04d' "$1" "$2"; } # FLEET I

# Ports (decimal) with a UDP socket bound on 127.0.0.1, one per line.
# One awk reads the file in large chunks: bash's `read` takes a line per
# read(2) and seeks back, and each seek makes the kernel walk the socket
# table again, so a read loop costs O(sockets^2): 4 s a pass with 1000
# simulators on an idle machine, and start-up then never saw every port.
bound_ports() {
	awk '$2 ~ /^0100007F:/ {
		hex = substr($2, 10); n = 0 # the port, in hex after "0100007F:"
		for (i = 1; i <= length(hex); i++) n = n * 16 + index("0123456789ABCDEF", substr(hex, i, 1)) - 1
		print n
	}' /proc/net/udp
}

cmd_start() {
	local dir='' count='' base='' pwfile='' module='' watts=100 user=admin skip='' poll=1 owner=''
	local -a priority=()
	while (($#)); do
		case $1 in
		--dir) dir=${2:?}; shift ;;
		--count) count=${2:?}; shift ;;
		--base-port) base=${2:?}; shift ;;
		--password-file) pwfile=${2:?}; shift ;;
		--module) module=${2:?}; shift ;;
		--watts) watts=${2:?}; shift ;;
		--user) user=${2:?}; shift ;;
		--skip) skip=${2:?}; shift ;;
		--no-sensor-poll) poll=0 ;;
		--realtime) priority=(chrt -f 10) ;;
		--owner-pid) owner=${2:?}; shift ;;
		*) usage ;;
		esac
		shift
	done
	[[ -n $dir && -n $count && -n $base && -n $pwfile && -n $module ]] || usage
	[[ $dir == /* ]] || dir="$PWD/$dir"
	[[ $count =~ ^[0-9]+$ ]] && ((count >= 1 && count <= 9999)) || die "--count must be 1..9999 (got '$count')"
	[[ $base =~ ^[0-9]+$ ]] && ((base >= 1024 && base + count - 1 <= 65535)) ||
		die "--base-port must leave room for $count ports below 65536 (got '$base')"
	[[ $watts =~ ^[0-9]+$ ]] || die "--watts must be whole watts (got '$watts')"
	[[ -z $owner || $owner =~ ^[0-9]+$ ]] || die "bad --owner-pid '$owner'"
	[[ $user =~ ^[A-Za-z0-9_.-]{1,16}$ && $user != viewer ]] || die "bad --user '$user'"
	[[ $module == /* && -r $module ]] || die "--module must be the absolute path of simbmc_dcmi.so (got '$module')"
	command -v ipmi_sim > /dev/null || die "ipmi_sim not found (Debian package: openipmi)"
	command -v sdrcomp > /dev/null || die "sdrcomp not found (Debian package: openipmi)"
	if ((${#priority[@]})) && ! chrt -f 10 true 2> /dev/null; then
		die "--realtime: SCHED_FIFO is not permitted here (needs root, CAP_SYS_NICE or RLIMIT_RTPRIO >= 10)"
	fi
	[[ -f $pwfile && ! -L $pwfile ]] || die "password file $pwfile is not a regular file"
	[[ $(stat -c %a "$pwfile") == [0-7]00 ]] || die "password file $pwfile is readable by others: chmod 600 it"
	local pw=
	IFS= read -r pw < "$pwfile" || [[ -n $pw ]] || die "password file $pwfile is empty"
	[[ $pw =~ ^[[:print:]]{1,20}$ && $pw != *'"'* && $pw != *\\* ]] ||
		die "password must be 1-20 printable characters without \" or \\"
	local -A skipped=()
	local s
	for s in ${skip//,/ }; do
		[[ $s =~ ^[0-9]+$ ]] && ((s >= 1 && s <= count)) || die "--skip $s is not a BMC of 1..$count"
		skipped[$s]=1
	done
	# Every port must be free before anything starts.
	local -A busy=()
	local p
	while read -r p; do busy[$p]=1; done < <(bound_ports)
	for ((i = 0; i < count; i++)); do
		[[ -z ${busy[$((base + i))]:-} ]] || die "UDP port $((base + i)) on 127.0.0.1 is already in use"
	done

	umask 077
	mkdir -p "$dir"
	chmod 700 "$dir"
	echo "$count $base" > "$dir/fleet"
	# energymond's config names this copy (mode 0600 by the umask)
	printf '%s\n' "$pw" > "$dir/password"
	# Shared once: the compiled SDR and each sensor file's default raw value.
	sdr_text > "$dir/simbmc.sdrs"
	sdrcomp -o "$dir/sdr.20.main" "$dir/simbmc.sdrs" > "$dir/sdrcomp.log" 2>&1 ||
		die "sdrcomp failed on $dir/simbmc.sdrs (see $dir/sdrcomp.log)"
	local -a sensor_files=() sensor_raws=()
	local name file def row
	while IFS=$'\t' read -r _ name file _ _ _ _ _ _ def; do
		row=$(raw_for "$name" "$def")
		sensor_files+=("$file")
		sensor_raws+=("${row#*$'\t'}")
	done < <(grep -v '^#' "$table")
	# The emu and lan.conf templates, with placeholders for the per-BMC parts.
	local emu_tpl lan_tpl
	if ((poll)); then
		emu_tpl=$(emu_text @DIR@ 0)
	else
		# without polling the values go into the emu file (simbmc.sh
		# --no-sensor-poll), read from the defaults written here once;
		# ipmi_sim then wakes only for requests
		mkdir -p "$dir/proto/sensors"
		for ((s = 0; s < ${#sensor_files[@]}; s++)); do
			printf '%s\n' "${sensor_raws[s]}" > "$dir/proto/sensors/${sensor_files[s]}"
		done
		emu_tpl=$(emu_text "$dir/proto" 1)
	fi
	lan_tpl=$(lan_conf @DIR@ @PORT@ "$user" "$pw" "$module" "profile=@DIR@/profile")
	# A module built with -fsanitize needs its runtime preloaded (as simbmc.sh does).
	local preload
	preload=$(ldd "$module" 2> /dev/null | awk '/lib(a|ub)san\.so/ { printf "%s%s", sep, $3; sep = ":" }')

	# Processes are what costs on two busy cores: one mkdir and one tee
	# make every BMC's directories and SDR copy; the loop forks only ipmi_sim.
	local i d port stamp
	local -a dirs=() sdrs=() started=()
	for ((i = 1; i <= count; i++)); do
		printf -v d '%s/bmc%04d' "$dir" "$i"
		dirs+=("$d/sensors" "$d/state/ipmi_sim/$bmc_name")
		sdrs+=("$d/state/ipmi_sim/$bmc_name/sdr.20.main")
	done
	mkdir -p "${dirs[@]}" # 0700 through the umask
	tee "${sdrs[@]}" < "$dir/sdr.20.main" > /dev/null
	for ((i = 1; i <= count; i++)); do
		printf -v d '%s/bmc%04d' "$dir" "$i"
		port=$((base + i - 1))
		printf '%s\n' "$port" > "$d/port"
		printf '0 %d\n' $((watts + i)) > "$d/profile"
		local text=${lan_tpl//@DIR@/$d}
		printf '%s\n' "${text//@PORT@/$port}" > "$d/lan.conf"
		printf '%s\n' "${emu_tpl//@DIR@/$d}" > "$d/sim.emu"
		for ((s = 0; s < ${#sensor_files[@]}; s++)); do
			printf '%s\n' "${sensor_raws[s]}" > "$d/sensors/${sensor_files[s]}"
		done
		[[ -z ${skipped[$i]:-} ]] || continue
		printf -v stamp '%(%FT%TZ)T' -1 # not $(...): no fork per BMC
		echo "--- simbmc-fleet.sh start $stamp port $port" >> "$d/ipmi_sim.log"
		LD_PRELOAD=${preload:-${LD_PRELOAD:-}} \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		setsid "${priority[@]}" ipmi_sim -c "$d/lan.conf" -f "$d/sim.emu" -s "$d/state" -n \
			< /dev/null >> "$d/ipmi_sim.log" 2>&1 &
		printf '%s\n' "$!" > "$d/ipmi_sim.pid"
		started[i]=$!
	done
	[[ -z $owner ]] || watch_owner "$owner" "$dir" "${started[@]}"

	# Ready: every started BMC's port is bound (ipmi_sim binds after reading
	# its config and SDRs). Each takes ~5 ms of CPU, far longer on two cores
	# that other work keeps busy: allow 30 s plus 0.1 s per BMC.
	local missing limit=$((30 + count / 10))
	local until=$((EPOCHSECONDS + limit))
	while ((EPOCHSECONDS < until)); do
		busy=()
		while read -r p; do busy[$p]=1; done < <(bound_ports)
		missing=0
		for ((i = 1; i <= count; i++)); do
			[[ -n ${skipped[$i]:-} || -n ${busy[$((base + i - 1))]:-} ]] || { missing=$i; break; }
		done
		((missing)) || return 0
		printf -v d '%s/bmc%04d' "$dir" "$missing"
		if ! kill -0 "${started[missing]}" 2> /dev/null; then
			tail -n 5 "$d/ipmi_sim.log" >&2
			die "ipmi_sim of $d exited during start-up (log: $d/ipmi_sim.log)"
		fi
		sleep 0.1
	done
	die "BMC $missing ($(bmc_dir "$dir" "$missing")) did not bind 127.0.0.1:$((base + missing - 1)) within $limit s"
}

# Stop the whole fleet once OWNER exits, so a test killed by a timeout leaves
# no simulators behind, even when its directory was removed meanwhile: the
# watcher holds the pids and kills those still running ipmi_sim for FLEET.
# Ends by itself once none is left.
watch_owner() { # OWNER FLEET PID...
	# shellcheck disable=SC2016 # expanded by the inner bash
	setsid bash -c '
		owner=$1 fleet=$2; shift 2
		ours() { # builtins only: no fork per pid
			local -a argv
			{ mapfile -d "" -t argv < "/proc/$1/cmdline"; } 2> /dev/null || return 1
			[[ "${argv[*]}" == *ipmi_sim*" -c $fleet/"* ]]
		}
		alive() { local p; for p in "$@"; do ours "$p" && return 0; done; return 1; }
		while kill -0 "$owner" 2> /dev/null && alive "$@"; do
			sleep 0.5
		done
		left=()
		for p in "$@"; do ! ours "$p" || left+=("$p"); done
		if ((${#left[@]})); then kill -TERM "${left[@]}"; kill -CONT "${left[@]}"; fi
		' simbmc-fleet-watch "$@" < /dev/null > /dev/null 2>&1 &
}

# True if PID is a live (not zombie) ipmi_sim started for DIR. Bash
# builtins only: stop and pids run this for every BMC, and three forks per
# BMC took about two minutes for 500 BMCs on two busy cores.
is_fleet_bmc() { # PID DIR
	local stat
	local -a argv
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	{ read -r stat < "/proc/$1/stat"; } 2> /dev/null || return 1
	[[ ${stat##*) } != Z* ]] || return 1 # the state follows "(comm) "
	{ mapfile -d '' -t argv < "/proc/$1/cmdline"; } 2> /dev/null || return 1
	[[ "${argv[*]} " == *ipmi_sim*" -c $2/lan.conf "* ]]
}

cmd_pids() {
	local dir=${1:?} d pid
	for d in "$dir"/bmc[0-9]*; do
		{ read -r pid < "$d/ipmi_sim.pid"; } 2> /dev/null || continue
		! is_fleet_bmc "$pid" "$d" || echo "$pid"
	done
	return 0
}

# Signals every BMC at once (one kill for all the pids the launcher
# recorded), then waits up to 5 s for them all before SIGKILL.
cmd_stop() {
	local dir=${1:?} d pid i
	[[ -d $dir ]] || return 0
	local -a pids=() pidfiles=()
	for d in "$dir"/bmc[0-9]*; do
		{ read -r pid < "$d/ipmi_sim.pid"; } 2> /dev/null || continue
		pidfiles+=("$d/ipmi_sim.pid")
		! is_fleet_bmc "$pid" "$d" || pids+=("$pid")
	done
	if ((${#pids[@]})); then
		# a SIGSTOPped (hung) BMC must run again to die of SIGTERM
		kill -TERM "${pids[@]}" 2> /dev/null || true
		kill -CONT "${pids[@]}" 2> /dev/null || true
	fi
	((${#pidfiles[@]} == 0)) || rm -f "${pidfiles[@]}"
	for ((i = 0; i < 50 && ${#pids[@]}; i++)); do
		local -a left=()
		for pid in "${pids[@]}"; do
			! kill -0 "$pid" 2> /dev/null || left+=("$pid")
		done
		pids=("${left[@]}")
		((${#pids[@]})) || break
		sleep 0.1
	done
	((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2> /dev/null || true
}

cmd_config() {
	local dir='' interval=1.0 sensors=false threads='' timeout=''
	while (($#)); do
		case $1 in
		--dir) dir=${2:?}; shift ;;
		--interval) interval=${2:?}; shift ;;
		--sensors) sensors=true ;;
		--threads) threads=${2:?}; shift ;;
		--timeout) timeout=${2:?}; shift ;;
		*) usage ;;
		esac
		shift
	done
	[[ -n $dir && -r $dir/fleet ]] || usage
	[[ $dir == /* ]] || dir="$PWD/$dir"
	local count base i user
	read -r count base < "$dir/fleet"
	user=$(sed -n 's/^  user 2 true "\([^"]*\)".*/\1/p' "$(bmc_dir "$dir" 1)/lan.conf")
	local strategy='' sections=''
	for ((i = 1; i <= count; i++)); do
		strategy+="${strategy:+, }\"ipmi:bmc$(printf %04d "$i")\""
		sections+=$(printf ',\n  "ipmi:bmc%04d": {"ipmi_host": "127.0.0.1:%d"}' "$i" $((base + i - 1)))
	done
	printf '{\n  "lithops": {"energy_strategy": [%s]},\n' "$strategy"
	printf '  "energy_sampling_interval": %s,\n' "$interval"
	[[ -z $threads ]] || printf '  "energy_sampler_threads": %s,\n' "$threads"
	[[ -z $timeout ]] || printf '  "ipmi_timeout": %s,\n' "$timeout"
	printf '  "ipmi_username": "%s",\n  "ipmi_password_file": "%s/password",\n' "$user" "$dir"
	printf '  "ipmi_workarounds": ["opensesspriv"],\n  "ipmi_sensors": %s,\n' "$sensors"
	printf '  "ipmi_sdr_cache_dir": "%s/sdr-cache"%s\n}\n' "$dir" "$sections"
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; [[ ${1:-} == --dir && -n ${2:-} ]] || usage; cmd_stop "$2" ;;
pids) shift; [[ ${1:-} == --dir && -n ${2:-} ]] || usage; cmd_pids "$2" ;;
config) shift; cmd_config "$@" ;;
*) usage ;;
esac
