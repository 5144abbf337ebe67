#!/usr/bin/env bash
# simbmc.sh — start, stop and drive energymon's simulated BMC: OpenIPMI's
# ipmi_sim listening on 127.0.0.1 only, with the DCMI module simbmc_dcmi.so
# and the SDR sensors listed in sensors.tsv. See README.md for the usage.
#
# Passwords never appear on a command line: the script reads the password
# file and writes it only into DIR/lan.conf (mode 0600, DIR mode 0700), which
# ipmi_sim reads; the readiness probe gives ipmitool the file itself.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
table="$here/sensors.tsv"
bmc_name=simbmc          # lan.conf "name": picks the state dir ipmi_sim uses
poll_ms=100              # sensor file poll period
# shellcheck source=SCRIPTDIR/simbmc_files.sh
. "$here/simbmc_files.sh"

die() { echo "simbmc.sh: $*" >&2; exit 1; }

usage() {
	cat >&2 <<'EOF'
usage: simbmc.sh start --dir DIR --port PORT --password-file FILE [--user NAME]
                       (--module /abs/simbmc_dcmi.so (--profile FILE | --cpu IDLE,PEAK) | --no-dcmi)
                       [--sensors-init] [--owner-pid PID] [--no-realtime]
                       [--no-sensor-poll] [--probe auth|port]
                       [--refresh-ms P] [--window-ms W] [--quantise 0|1]
                       [--stamp refresh|request|frozen] [--truth-log FILE]   (with --profile)
       simbmc.sh stop  --dir DIR
       simbmc.sh hang  --dir DIR      (stops answering: SIGSTOP; port stays bound)
       simbmc.sh resume --dir DIR     (SIGCONT)
       simbmc.sh set   --dir DIR --sensor NAME --value NUMBER
EOF
	exit 2
}

# True while a UDP socket is bound to 127.0.0.1:PORT (any owner); with a
# second argument, a socket bound to the wildcard address counts too (it
# would make ipmi_sim's bind fail just the same).
port_bound() { # PORT [any]
	local lo wild=-
	lo=$(printf '0100007F:%04X' "$1")
	[[ -z ${2:-} ]] || wild=$(printf '00000000:%04X' "$1")
	awk -v a="$lo" -v b="$wild" 'NR > 1 && ($2 == a || $2 == b) { found = 1 }
		END { exit !found }' /proc/net/udp
}

# True if PID is a live (not zombie) ipmi_sim started for DIR.
is_our_bmc() {
	local pid=$1 dir=$2 state cmd
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z ]] || return 1
	cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *ipmi_sim*" -c $dir/lan.conf "* ]]
}

# Make an absolute path without requiring the file to exist.
abspath() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }

write_atomic() { # FILE: stdin goes to FILE through a rename
	local tmp="$1.tmp.$$"
	cat > "$tmp" && mv -f "$tmp" "$1"
}

# Stop the BMC once OWNER exits, so a test killed by a timeout leaves no BMC
# behind. The watcher ends by itself when the BMC goes first.
watch_owner() { # OWNER BMC_PID DIR
	# shellcheck disable=SC2016 # expanded by the inner bash, from its "$@"
	setsid bash -c '
		while kill -0 "$1" && read -r _ _ st _ < "/proc/$2/stat" && [[ $st != Z ]]; do
			sleep 0.5
		done
		[[ $(tr "\0" " " < "/proc/$2/cmdline") == *" -c $3/lan.conf "* ]] &&
			kill -TERM "$2"' simbmc-watch "$@" < /dev/null > /dev/null 2>&1 &
}

# A real BMC is its own chip; ipmi_sim shares the CPUs with the workload.
# Under load (two CPU burners on two cores) it answered so late that clients
# recorded gaps a real BMC would not cause. SCHED_FIFO 10 puts it ahead of
# every normal task; the kernel's RT throttling still leaves the others 5%.
# Prints the command prefix ("chrt -f 10"), or nothing and says why.
realtime_prefix() { # DIR
	local why
	if ! command -v chrt > /dev/null; then
		why="chrt (util-linux) is not installed"
	elif ! why=$(chrt -f 10 true 2>&1); then
		why="SCHED_FIFO is not permitted here (needs root, CAP_SYS_NICE or RLIMIT_RTPRIO >= 10): $why"
	else
		echo chrt -f 10
		return 0
	fi
	echo "simbmc.sh: ipmi_sim runs at normal priority: $why; under CPU load it may answer late" |
		tee -a "$1/ipmi_sim.log" >&2
}

stop_bmc() {
	local dir=$1 pid port i
	pid=$(cat "$dir/ipmi_sim.pid" 2>/dev/null) || pid=
	port=$(cat "$dir/port" 2>/dev/null) || port=
	if [[ -n $pid ]] && is_our_bmc "$pid" "$dir"; then
		kill -TERM "$pid" 2>/dev/null || true
		kill -CONT "$pid" 2>/dev/null || true # a hung (stopped) one handles TERM only then
		for ((i = 0; i < 50; i++)); do
			is_our_bmc "$pid" "$dir" || break
			sleep 0.1
		done
		if is_our_bmc "$pid" "$dir"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$dir/ipmi_sim.pid"
	if [[ -n $port ]]; then
		for ((i = 0; i < 50; i++)); do
			port_bound "$port" || return 0
			sleep 0.1
		done
		die "127.0.0.1:$port is still bound 5 s after stopping the BMC in $dir"
	fi
}

cmd_start() {
	local dir='' port='' module='' user=admin pwfile='' dcmi=1 profile='' cpu='' init=0 owner=''
	local realtime=1 nopoll=0 probe=auth
	# BMC behaviour (README.md, DCMI): passed on only when given, so the
	# module's defaults stay the single statement of what "default" means.
	local behaviour='' truth=''
	[[ ${SIMBMC_REALTIME:-1} != 0 ]] || realtime=0
	while (($#)); do
		case $1 in
		--dir) dir=$(abspath "${2:?}"); shift ;;
		--port) port=${2:?}; shift ;;
		--module) module=${2:?}; shift ;;
		--user) user=${2:?}; shift ;;
		--password-file) pwfile=${2:?}; shift ;;
		--no-dcmi) dcmi=0 ;;
		--profile) profile=$(abspath "${2:?}"); shift ;;
		--cpu) cpu=${2:?}; shift ;;
		--sensors-init) init=1 ;;
		--owner-pid) owner=${2:?}; shift ;;
		--no-realtime) realtime=0 ;;
		--no-sensor-poll) nopoll=1 ;;
		--probe) probe=${2:?}; shift ;;
		--refresh-ms | --window-ms)
			[[ ${2:?} =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$1 wants milliseconds >= 0 (got '$2')"
			behaviour+=",${1:2:-3}_ms=$2"; shift ;;
		--quantise)
			[[ ${2:?} == [01] ]] || die "--quantise is 0 or 1 (got '$2')"
			behaviour+=",quantise=$2"; shift ;;
		--stamp)
			[[ ${2:?} =~ ^(refresh|request|frozen)$ ]] || die "--stamp is refresh, request or frozen (got '$2')"
			behaviour+=",stamp=$2"; shift ;;
		--truth-log) truth=$(abspath "${2:?}"); shift ;;
		*) usage ;;
		esac
		shift
	done
	[[ -n $dir && -n $port && -n $pwfile ]] || usage
	[[ -z $owner || $owner =~ ^[0-9]+$ ]] || die "bad --owner-pid '$owner'"
	[[ $probe == auth || $probe == port ]] || die "--probe is auth or port (got '$probe')"
	if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
		die "bad port '$port'"
	fi
	[[ $user =~ ^[A-Za-z0-9_.-]{1,16}$ ]] || die "user name must be 1-16 of [A-Za-z0-9_.-]"
	[[ $user != viewer ]] || die "\"viewer\" is the built-in USER-privilege account; pick another --user"
	local options=
	if ((dcmi)); then
		[[ $module == /* && -r $module ]] || die "--module must be the absolute path of simbmc_dcmi.so (got '$module')"
		if [[ -n $profile && -z $cpu ]]; then
			# lan.conf quotes the option string and the module splits it
			# at commas: paths holding either cannot be passed.
			local path
			for path in "$profile" "$truth"; do
				[[ $path != *[,\"\\]* ]] || die "path '$path' must not contain a comma, \" or \\"
			done
			options="profile=$profile$behaviour${truth:+,truth=$truth}"
		elif [[ -n $cpu && -z $profile ]]; then
			[[ -z $behaviour && -z $truth ]] ||
				die "--refresh-ms, --window-ms, --quantise, --stamp and --truth-log need --profile (the cpu model has no timeline)"
			[[ $cpu =~ ^[0-9.]+,[0-9.]+$ ]] || die "--cpu wants IDLE,PEAK watts (got '$cpu')"
			options="cpu=$cpu"
		else
			die "give exactly one of --profile FILE or --cpu IDLE,PEAK (or --no-dcmi)"
		fi
	else
		module=
	fi
	command -v ipmi_sim >/dev/null || die "ipmi_sim not found (Debian package: openipmi)"
	command -v sdrcomp >/dev/null || die "sdrcomp not found (Debian package: openipmi)"
	command -v ipmitool >/dev/null || die "ipmitool not found (needed to check the BMC answers)"

	[[ -r $pwfile ]] || die "cannot read password file $pwfile"
	if [[ $(stat -c %a "$pwfile") != [0-7]00 ]]; then
		die "password file $pwfile is readable by others: chmod 600 it"
	fi
	local pw=
	IFS= read -r pw < "$pwfile" || [[ -n $pw ]] || die "password file $pwfile is empty"
	# lan.conf quotes the password; IPMI 2.0 passwords are at most 20 bytes.
	[[ $pw =~ ^[[:print:]]{1,20}$ && $pw != *'"'* && $pw != *\\* ]] ||
		die "password must be 1-20 printable characters without \" or \\"

	mkdir -p "$dir" "$dir/sensors" "$dir/state/ipmi_sim/$bmc_name"
	chmod 700 "$dir"
	stop_bmc "$dir"
	port_bound "$port" any && die "UDP port $port is already in use by another process"

	(umask 077; lan_conf "$dir" "$port" "$user" "$pw" "$module" "$options" | write_atomic "$dir/lan.conf")
	echo "$port" > "$dir/port"
	sdr_text > "$dir/simbmc.sdrs"
	sdrcomp -o "$dir/state/ipmi_sim/$bmc_name/sdr.20.main" "$dir/simbmc.sdrs" >> "$dir/ipmi_sim.log" 2>&1 ||
		die "sdrcomp failed on $dir/simbmc.sdrs (see $dir/ipmi_sim.log)"
	local name file def
	while IFS=$'\t' read -r _ name file _ _ _ _ _ _ def; do
		if ((init)) || [[ ! -s $dir/sensors/$file ]]; then
			raw_for "$name" "$def" | cut -f2 | write_atomic "$dir/sensors/$file"
		fi
	done < <(grep -v '^#' "$table")
	# after the sensor files: without polling their values go into the emu file
	emu_text "$dir" "$nopoll" | write_atomic "$dir/sim.emu"

	echo "--- simbmc.sh start $(date -u +%FT%TZ) port $port" >> "$dir/ipmi_sim.log"
	# A module built with -fsanitize (the project's sanitizer CI) needs its
	# runtime loaded first in the uninstrumented ipmi_sim. Leak checks stay
	# off there: the module's state lives as long as the process on purpose.
	local preload=
	[[ -z $module ]] || preload=$(ldd "$module" 2>/dev/null |
		awk '/lib(a|ub)san\.so/ { printf "%s%s", sep, $3; sep = ":" }')
	local -a priority=()
	if ((realtime)); then
		read -ra priority < <(realtime_prefix "$dir") || true
	fi
	LD_PRELOAD=${preload:-${LD_PRELOAD:-}} \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	setsid "${priority[@]}" ipmi_sim -c "$dir/lan.conf" -f "$dir/sim.emu" -s "$dir/state" -n \
		< /dev/null >> "$dir/ipmi_sim.log" 2>&1 &
	local pid=$!
	echo "$pid" > "$dir/ipmi_sim.pid"
	[[ -z $owner ]] || watch_owner "$owner" "$pid" "$dir"

	# Ready means a real authenticated IPMI request is answered (--probe
	# auth, one ipmitool process per try); --probe port only waits for the
	# port to be bound, which costs no process: for starting hundreds of
	# simulators, whose clients retry anyway.
	local until_us=$((${EPOCHREALTIME/./} + 5000000))
	while ((${EPOCHREALTIME/./} < until_us)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 5 "$dir/ipmi_sim.log" >&2
			die "ipmi_sim exited during start-up (log: $dir/ipmi_sim.log)"
		fi
		if [[ $probe == port ]] && port_bound "$port"; then
			return 0
		fi
		if [[ $probe == auth ]] && port_bound "$port" &&
			ipmitool -I lanplus -C 3 -N 1 -R 1 -H 127.0.0.1 -p "$port" -U "$user" -f "$pwfile" \
				mc info > /dev/null 2>&1; then
			# ipmi_sim reads the sensor files one poll period (100 ms)
			# after start and serves raw 0 as a valid reading until
			# then: wait for that first poll before calling it ready
			((nopoll)) || sleep 0.25
			return 0
		fi
		sleep 0.02
	done
	stop_bmc "$dir"
	die "the BMC did not answer on 127.0.0.1:$port within 5 s (log: $dir/ipmi_sim.log)"
}

cmd_stop() {
	local dir=''
	while (($#)); do
		case $1 in
		--dir) dir=$(abspath "${2:?}"); shift ;;
		*) usage ;;
		esac
		shift
	done
	[[ -n $dir ]] || usage
	[[ -d $dir ]] || return 0
	stop_bmc "$dir"
}

cmd_signal() { # SIGNAL ARGS...: hang (STOP) or resume (CONT) the BMC of --dir
	local sig=$1 dir='' pid
	shift
	while (($#)); do
		case $1 in
		--dir) dir=$(abspath "${2:?}"); shift ;;
		*) usage ;;
		esac
		shift
	done
	[[ -n $dir ]] || usage
	pid=$(cat "$dir/ipmi_sim.pid" 2>/dev/null) || die "no BMC running in $dir"
	is_our_bmc "$pid" "$dir" || die "no BMC running in $dir"
	kill -"$sig" "$pid"
}

cmd_set() {
	local dir='' sensor='' value='' row
	while (($#)); do
		case $1 in
		--dir) dir=$(abspath "${2:?}"); shift ;;
		--sensor) sensor=${2:?}; shift ;;
		--value) value=${2:?}; shift ;;
		*) usage ;;
		esac
		shift
	done
	[[ -n $dir && -n $sensor && -n $value ]] || usage
	[[ $value =~ ^-?[0-9]+([.][0-9]*)?$ ]] || die "value must be a decimal number (got '$value')"
	[[ -d $dir/sensors ]] || die "$dir is not a simulated BMC directory (start it first)"
	row=$(raw_for "$sensor" "$value") || exit $?  # 3: out of range, 4: unknown
	printf '%s\n' "${row#*$'\t'}" | write_atomic "$dir/sensors/${row%%$'\t'*}"
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
hang) shift; cmd_signal STOP "$@" ;;
resume) shift; cmd_signal CONT "$@" ;;
set) shift; cmd_set "$@" ;;
*) usage ;;
esac
