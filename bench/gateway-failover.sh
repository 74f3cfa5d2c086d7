#!/usr/bin/env bash
# How long a client is without its share when its gateway dies, with and without meshnfs
# (issue 15 part 2).
#
#   bash bench/gateway-failover.sh [--write]      (root; make all tools first)
#   RUNS=5 HOLD=30 bash bench/gateway-failover.sh --write
#
# The lab with two gateways (tests/lab/gateways.sh): srv 100.64.0.1 and gw2 100.64.0.2, each
# an nfs-ganesha (FSAL_VFS) exporting the same directory as /opt/shared; c1's share "data"
# lists both, its fstab entry names gw1, its mount is the stand-in of tests/lib/standin.sh
# (this host has no kernel NFS client). "The share answers" = a file written before the fault
# reads back (libnfs nfs-cat, from c1) through the gateway c1's fstab entry names at that
# moment: what a new mount from that entry would serve. Faults on gw1: killed (SIGKILL to
# ganesha: refused) and hung (SIGSTOP: TCP accepted, NFS silent).
#   with meshnfs:    `meshnfs --timeout T repair --share data` right after the fault, then the
#                    share polled every 100 ms; the time from the fault to the first read
#   under watch:     `meshnfs --timeout T watch --share data --interval I` (I = WATCH_INTERVAL,
#                    default 2) running before the fault; nothing by hand: the time from the
#                    fault to the first read through the gateway fstab names (watch fails over)
#   without meshnfs: the fstab entry left as it is; the share polled for HOLD seconds (it
#                    never answers while gw1 is down), then gw1 brought back by hand (the
#                    operator's restart) and the time to the first read
. "$(dirname "$0")/../tests/lib/tap.sh"
if [ "${1:-}" != --inner ]; then
	exec unshare --mount --propagation private bash "$0" --inner "$@"
fi
shift
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lab/gateways.sh"
. "$TOP/tests/lib/standin.sh"
. "$TOP/bench/lib.sh"
WRITE=${1:-}
RUNS=${RUNS:-3}
HOLD=${HOLD:-20}
WATCH_INTERVAL=${WATCH_INTERVAL:-2}

lab_up 1 >/dev/null || exit 1
lab_gateway_add gw2 100.64.0.2 || exit 1
standin_setup
umount -l /etc/fstab
mkdir -p "$T/etc-up" "$T/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc || exit 1
at_exit "umount -l /etc 2>/dev/null"
GW1=$LAB_SERVER_MESH GW2=100.64.0.2
printf '%s:%s %s nfs4 _netdev,soft,timeo=50,retrans=2 0 0\n' "$GW1" "$LAB_PSEUDO" "$MP" >/etc/fstab
printf '[share data]\nservers = %s, %s\nexport = %s\nmountpoint = %s\n' "$GW1" "$GW2" "$LAB_PSEUDO" "$MP" >"$T/g.conf"
M() { nsenter --net="/run/netns/$NS" env PATH="$T/bin:$TEST_PATH" "$MESHNFS" --config "$T/g.conf" "$@"; }
echo "written before the fault" >"$LAB_EXPORT/before.txt"
chmod 644 "$LAB_EXPORT/before.txt"
start_fs

src() { awk -v mp="$MP" '$2 == mp { print $1 }' /etc/fstab; }
# share_answers: the file reads back through the gateway fstab names now (2 s bound per try).
share_answers() {
	local s
	s=$(src)
	[ "$(nsenter --net="/run/netns/$NS" timeout 2 nfs-cat "nfs://${s%%:*}${s#*:}/before.txt?version=4" 2>/dev/null)" = "written before the fault" ]
}
# until_answers LIMIT_MS T0: polls; prints the ms from T0 to the first answer, or "> LIMIT".
until_answers() {
	local limit=$1 t0=$2 now
	while :; do
		share_answers && { echo $(($(lab_ms) - t0)); return 0; }
		now=$(lab_ms)
		[ $((now - t0)) -ge "$limit" ] && { echo "> $((now - t0))"; return 1; }
		sleep 0.1
	done
}
reset() { # gw1 healthy again, fstab on gw1
	case $LAB_FAULT in hung) lab_heal >/dev/null ;; esac
	[ -n "${LAB_PIDS[ganesha]:-}" ] || lab_ganesha_start
	M --timeout 5 repair --share data --gateway "$GW1" >/dev/null 2>&1
	[ "$(src)" = "$GW1:$LAB_PSEUDO" ] || { echo "bench: reset failed" >&2; exit 1; }
	mountpoint -q "$MP" || start_fs
	share_answers || { echo "bench: the share does not answer before the fault" >&2; exit 1; }
}
fault() { case $1 in killed) lab_gateway_kill srv ;; hung) lab_fault hung ;; esac; }
# watch_on T: watch of share data (--timeout T), its first healthy round logged; watch_off.
watch_on() {
	: >"$T/bw.log"
	# nsenter and env exec: $! is watch itself (a function in the background would be a
	# subshell, and SIGTERM to it would leave watch running).
	nsenter --net="/run/netns/$NS" env PATH="$T/bin:$TEST_PATH" "$MESHNFS" --config "$T/g.conf" \
		--timeout "$1" watch --share data --interval "$WATCH_INTERVAL" 2>>"$T/bw.log" &
	BWPID=$!
	at_exit "kill -9 $BWPID 2>/dev/null"
	for _ in $(seq 200); do grep -q -- '-> healthy' "$T/bw.log" && return 0; sleep 0.1; done
	echo "bench: watch did not report healthy" >&2; cat "$T/bw.log" >&2; exit 1
}
watch_off() {
	kill -TERM "$BWPID" 2>/dev/null
	wait "$BWPID" 2>/dev/null
	pid_gone "$BWPID" || { echo "bench: watch $BWPID still there after SIGTERM" >&2; exit 1; }
}

declare -A with without repair_ms watched
for case in "killed 5" "hung 5" "hung 1"; do
	set -- $case
	f=$1 to=$2 key="$1 --timeout $2"
	w=() r=() wo=()
	for ((i = 0; i < RUNS; i++)); do
		reset
		t0=$(lab_ms)
		fault "$f"
		M --timeout "$to" repair --share data >"$T/repair.out" 2>&1
		r+=($(($(lab_ms) - t0)))
		w+=("$(until_answers 60000 "$t0")")
		[ "$(src)" = "$GW2:$LAB_PSEUDO" ] || { echo "bench: repair did not move the client" >&2; cat "$T/repair.out" >&2; exit 1; }
	done
	with[$key]="$(median "${w[@]}") ms (runs: ${w[*]})"
	repair_ms[$key]="$(median "${r[@]}") ms"
	wa=()
	for ((i = 0; i < RUNS; i++)); do
		reset
		watch_on "$to"
		t0=$(lab_ms)
		fault "$f"
		wa+=("$(until_answers 60000 "$t0")")
		watch_off
		[ "$(src)" = "$GW2:$LAB_PSEUDO" ] || { echo "bench: watch did not move the client" >&2; cat "$T/bw.log" >&2; exit 1; }
	done
	watched[$key]="$(median "${wa[@]}") ms (runs: ${wa[*]})"
	if [ "$to" = 5 ]; then
		reset
		t0=$(lab_ms)
		fault "$f"
		held=$(until_answers $((HOLD * 1000)) "$t0") &&
			{ echo "bench: the share answered without meshnfs ($held ms): something moved it" >&2; exit 1; }
		case $f in hung) lab_heal >/dev/null ;; killed) lab_ganesha_start ;; esac
		back=$(until_answers 60000 "$t0")
		without[$f]="no answer for the whole outage ($held ms held); $back ms once gw1 was brought back"
	fi
	echo "bench: $key: with meshnfs ${with[$key]}, repair ${repair_ms[$key]}, under watch ${watched[$key]}" >&2
done

table="$(bench_machine); lab mesh (wireguard-go), two ganesha gateways on one directory;
median of $RUNS runs with meshnfs (repair by hand right after the fault; watch with
--interval $WATCH_INTERVAL running before it); the outage without meshnfs held $HOLD s (one run).

| gw1 fault | meshnfs --timeout | repair took | share back, repair right after the fault | share back, under watch (no hand) | without meshnfs (fstab left on gw1) |
|---|---|---|---|---|---|
| killed (refused) | 5 s | ${repair_ms[killed --timeout 5]} | ${with[killed --timeout 5]} | ${watched[killed --timeout 5]} | ${without[killed]} |
| hung (NFS silent) | 5 s | ${repair_ms[hung --timeout 5]} | ${with[hung --timeout 5]} | ${watched[hung --timeout 5]} | ${without[hung]} |
| hung (NFS silent) | 1 s | ${repair_ms[hung --timeout 1]} | ${with[hung --timeout 1]} | ${watched[hung --timeout 1]} | (as above) |"
printf '%s\n' "$table"
[ "$WRITE" = --write ] && bench_write gateway-failover "$table"
exit 0
