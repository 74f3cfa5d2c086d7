#!/bin/bash
# Guest side of the mount-options matrix (bench/mount-options.sh, tests/vm/mount-options.sh),
# run by the agent (lib/guest-agent.sh) as `bash mount-ops.sh COMMAND ARGS...`. Several NFS
# mounts of the same export live side by side, one per option set ("NAME=OPTIONS"), each at
# /mnt/mo/NAME with nosharecache (its own superblock, its own caches) and its own directory
# d-NAME on the export. Results go to the share (/run/vm/mo/, read by the host).
#   mount NAME=OPTS...     mounts each set, writes d-NAME/before (64 KiB, fsynced), prints
#                          "NAME vers=V" per set (the version the kernel negotiated)
#   prime                  lists, stats and reads every set's files (the caches are warm)
#   run FAULT CAP OPS      starts OPS (ls stat read write mount) on every set at once, waits
#                          until each returns or CAP seconds have passed; what is still running
#                          then is SIGKILLed and watched for 3 s (does it leave state D?).
#                          Writes /run/vm/mo/FAULT.tsv: set op ms rc state wchan killed message
#   after FAULT WAIT       after the host healed the fault: waits at most WAIT s for what was
#                          left running (unkillable waiters), checks every set's data
#                          (before: written before the fault; during: the write+fsync op's),
#                          appends to /run/vm/mo/FAULT.data: set before during leftover
#   remount                umount -l and mount every set again, fresh directories and files
# The first mount of each NFS minor version creates the client's one TCP connection to the
# server for that version; the other sets share it (their own timeo/retrans/soft decide when
# their requests give up, the connection's TCP timeouts come from the first set).
set -u
# shellcheck source=/dev/null
. /run/vm/env
SRC=$VM_SERVER_ADDR:$VM_PSEUDO
ST=/run/mo
OUTD=/run/vm/mo
mkdir -p "$ST" "$OUTD"
now_ms() { local t=${EPOCHREALTIME/./}; printf '%s\n' "${t:0:-3}"; }
# nap SECONDS: sleeps without a fork (a read with a timeout on a FIFO nobody writes to).
nap() {
	if [ -z "${NAP_FD:-}" ]; then
		[ -p "$ST/nap" ] || mkfifo "$ST/nap"
		exec {NAP_FD}<>"$ST/nap"
	fi
	read -r -t "$1" -u "$NAP_FD" _
	return 0
}

# The sets, as given to `mount` (kept for remount and for the mount op).
sets() { cat "$ST/sets" 2>/dev/null; }
opts_of() { awk -v n="$1" -F= '$1 == n { sub(/^[^=]*=/, ""); print; exit }' "$ST/sets"; }

# content FILE: 64 KiB, the same every run for a name (verifiable on the server side).
content() { [ -s "$ST/$1.bin" ] || head -c 65536 /dev/urandom >"$ST/$1.bin"; }

mount_set() {
	local n=$1 o=$2 mp=/mnt/mo/$1
	mkdir -p "$mp"
	mount -t nfs4 -o "$o,nosharecache" "$SRC" "$mp" || return 1
	mkdir -p "$mp/d-$n" && rm -f "$mp/d-$n/during" &&
		dd if="$ST/before.bin" of="$mp/d-$n/before" bs=65536 conv=fsync status=none
}

cmd_mount() {
	local kv n o rc=0
	content before
	content during
	: >"$ST/sets"
	for kv in "$@"; do
		printf '%s\n' "$kv" >>"$ST/sets"
		n=${kv%%=*} o=${kv#*=}
		if mount_set "$n" "$o"; then
			printf '%s vers=%s\n' "$n" \
				"$(awk -v m="/mnt/mo/$n" '$2 == m { print $4 }' /proc/self/mounts |
					tr , '\n' | sed -n 's/^vers=//p')"
		else
			echo "$n: mount failed" >&2
			rc=1
		fi
	done
	sha256sum "$ST/before.bin" "$ST/during.bin" | awk '{ print $1 }' >"$OUTD/sums"
	return $rc
}

cmd_prime() {
	local kv n
	for kv in $(sets); do
		n=${kv%%=*}
		ls "/mnt/mo/$n/d-$n" >/dev/null && stat "/mnt/mo/$n/d-$n/before" >/dev/null &&
			cat "/mnt/mo/$n/d-$n/before" >/dev/null || return 1
	done
	now_ms >"$ST/primed"
}

# proc_state PID: PS="STATE WCHAN", or PS=gone (exited, or a zombie nobody reaped). No fork.
proc_state() {
	local line s='' w=''
	if [ -r "/proc/$1/status" ]; then
		while read -r line; do
			case $line in State:*) s=${line#State:}; s=${s//[[:space:]]/}; s=${s:0:1}; break ;; esac
		done <"/proc/$1/status" 2>/dev/null
	fi
	case $s in '' | Z) PS=gone; return ;; esac
	read -r w <"/proc/$1/wchan" 2>/dev/null
	PS="$s ${w:--}"
}

cmd_run() {
	local fault=$1 cap=$(($2 * 1000)) ops=$3 kv n o op d key t0 left s
	local -A pid=() end=() rc=() st=() killed=()
	local keys=() argv=()
	d=$ST/run-$fault
	rm -rf "$d"
	mkdir -p "$d" /mnt/mo-new
	t0=$((${EPOCHREALTIME/./} / 1000))
	for kv in $(sets); do
		n=${kv%%=*} o=${kv#*=}
		for op in $ops; do
			key=$n.$op
			keys+=("$key")
			# One simple command each, so that $! is the operation's own process.
			case $op in
			ls) argv=(ls "/mnt/mo/$n/d-$n") ;;
			stat) argv=(stat "/mnt/mo/$n/d-$n/before") ;;
			read) argv=(cat "/mnt/mo/$n/d-$n/before") ;;
			write) argv=(dd if="$ST/during.bin" of="/mnt/mo/$n/d-$n/during" bs=65536 conv=fsync status=none) ;;
			# mount.nfs4 itself: mount(8) would fork it, and SIGKILL would miss the waiter.
			mount) mkdir -p "/mnt/mo-new/$n"; argv=(/sbin/mount.nfs4 "$SRC" "/mnt/mo-new/$n" -o "$o,nosharecache") ;;
			*) echo "unknown op $op" >&2; return 64 ;;
			esac
			"${argv[@]}" </dev/null >/dev/null 2>"$d/$key.err" &
			pid[$key]=$!
		done
	done
	# Poll every 0.2 s (builtins only: the guest has one slow vCPU).
	left=${#keys[@]}
	while [ "$left" -gt 0 ] && (($((${EPOCHREALTIME/./} / 1000)) - t0 < cap)); do
		for key in "${keys[@]}"; do
			[ -n "${end[$key]:-}" ] && continue
			proc_state "${pid[$key]}"; s=$PS
			if [ "$s" = gone ]; then
				end[$key]=$(($((${EPOCHREALTIME/./} / 1000)) - t0))
				wait "${pid[$key]}"
				rc[$key]=$?
				left=$((left - 1))
			fi
		done
		nap 0.2
	done
	# Still running at the cap: where it waits, SIGKILL, and does it go within 3 s?
	for key in "${keys[@]}"; do
		[ -n "${end[$key]:-}" ] && continue
		proc_state "${pid[$key]}"; st[$key]=$PS
		kill -KILL "${pid[$key]}" 2>/dev/null
	done
	local k0
	k0=$((${EPOCHREALTIME/./} / 1000))
	while (($((${EPOCHREALTIME/./} / 1000)) - k0 < 3000)); do
		for key in "${keys[@]}"; do
			[ -n "${end[$key]:-}" ] || [ -n "${killed[$key]:-}" ] && continue
			proc_state "${pid[$key]}"
			if [ "$PS" = gone ]; then
				killed[$key]="yes $(($((${EPOCHREALTIME/./} / 1000)) - k0))"
			fi
		done
		nap 0.1
	done
	: >"$ST/leftover"
	{
		for key in "${keys[@]}"; do
			n=${key%.*} op=${key##*.}
			if [ -n "${end[$key]:-}" ]; then
				printf '%s\t%s\t%s\t%s\t-\t-\t-\t%s\n' "$n" "$op" "${end[$key]}" "${rc[$key]}" \
					"$(head -n 1 "$d/$key.err" | tr '\t' ' ')"
				[ "$op" = mount ] && [ "${rc[$key]}" = 0 ] && umount -l "/mnt/mo-new/$n"
			else
				s=${killed[$key]:-}
				if [ -z "$s" ]; then
					proc_state "${pid[$key]}"
					s="no ($PS)"
					echo "${pid[$key]} $key" >>"$ST/leftover"
				fi
				printf '%s\t%s\t>%s\t-\t%s\t%s\t%s\t-\n' "$n" "$op" "$cap" "${st[$key]% *}" \
					"${st[$key]#* }" "$s"
			fi
		done
	} >"$OUTD/$fault.tsv"
	echo "primed_age_ms=$((t0 - $(cat "$ST/primed" 2>/dev/null || echo "$t0")))" >"$OUTD/$fault.info"
	# The op processes SIGKILLed but still in state D stay behind (reparented); `after` watches them.
	disown -a
}

cmd_after() {
	local fault=$1 wait=$(($2 * 1000)) t0 p key more kv n b dur sums lo
	t0=$((${EPOCHREALTIME/./} / 1000))
	while :; do
		more=0
		while read -r p key; do
			proc_state "$p"
			[ "$PS" = gone ] || more=1
		done <"$ST/leftover"
		[ $more = 0 ] && break
		(($((${EPOCHREALTIME/./} / 1000)) - t0 < wait)) || break
		nap 0.5
	done
	# shellcheck disable=SC2046
	set -- $(cat "$OUTD/sums")
	sums=$1 dur=$2
	: >"$OUTD/$fault.data"
	for kv in $(sets); do
		n=${kv%%=*}
		b=$(timeout -s KILL 30 sha256sum "/mnt/mo/$n/d-$n/before" 2>&1 | awk '{ print $1 }')
		[ "$b" = "$sums" ] && b=intact || b="not intact (${b:-no answer})"
		d=$(timeout -s KILL 30 sha256sum "/mnt/mo/$n/d-$n/during" 2>&1 | awk '{ print $1 }')
		if [ "$d" = "$dur" ]; then d=intact
		elif [ -z "$d" ]; then d="no answer"
		else d=$(timeout -s KILL 30 stat -c 'size %s' "/mnt/mo/$n/d-$n/during" 2>&1 | head -n 1)
		fi
		lo=$(awk -v n="$n" '{ split($2, a, "."); if (a[1] == n) { printf "%s%s", s, a[2]; s = "," } }' "$ST/leftover")
		printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$b" "$d" "${lo:--}" "$(($((${EPOCHREALTIME/./} / 1000)) - t0))" >>"$OUTD/$fault.data"
	done
	while read -r p key; do
		proc_state "$p"
		[ "$PS" = gone ] || echo "still blocked after the heal: $key (pid $p): $PS"
	done <"$ST/leftover"
}

cmd_remount() {
	local kv n rc=0
	for kv in $(sets); do
		n=${kv%%=*}
		timeout -s KILL 20 umount -l "/mnt/mo/$n" 2>/dev/null
		timeout -s KILL 20 umount -l "/mnt/mo-new/$n" 2>/dev/null
	done
	for kv in $(sets); do
		n=${kv%%=*}
		mount_set "$n" "${kv#*=}" || { echo "$n: mount again failed" >&2; rc=1; }
	done
	return $rc
}

c=$1; shift
case $c in
mount) cmd_mount "$@" ;;
prime) cmd_prime ;;
run) cmd_run "$@" ;;
after) cmd_after "$@" ;;
remount) cmd_remount ;;
*) echo "mount-ops.sh: unknown command $c" >&2; exit 64 ;;
esac
