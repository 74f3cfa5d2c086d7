#!/usr/bin/env bash
# The floor of status-vs-nmap.sh's case (issue 16 goal 3): how many of the least NFSv4
# conversations per address the lab's one ganesha completes per second from the client host,
# on the same ANSWERING addresses (its own and ANSWERING-1 more, as status-vs-nmap.sh gives
# it), CONCS at a time: bench/ladders.c (libnfs async) in modes null (connect + NULL),
# lookup (+ one COMPOUND: PUTROOTFH, LOOKUPs, GETATTR, GETFH; no client id) and mount
# (libnfs's nfs_mount_async: + SETCLIENTID, SETCLIENTID_CONFIRM: a new NFSv4 client per
# address), and `meshnfs status --no-write` over the same addresses (all answering: no silent
# address to wait for), taking turns REPS times; the 1-minute load average before each run.
# Prints a markdown table; --write puts it in bench/README.md (between the ladder-floor
# markers). Run as root.
# --phases: instead, where status's time goes (bench/ladder-phases.sh): in turns, REPS times,
# `ladders lookup 16` and status under /usr/bin/time and `perf trace -e openat,poll` (wall,
# CPU, blocked in poll, SYNs resent, drops), then status under two heavier `perf trace`s (the
# phases from their timestamps), and one `perf record`; prints the tables, writes nothing.
# BEFORE: another meshnfs binary (e.g. an older commit's build) run in the same turns, its row
# labelled "before".
#   ANSWERING (601)  CONCS ("16 128")  REPS (3)  TIMEOUT (5)  BEFORE (none)
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
ANSWERING=${ANSWERING:-601}
CONCS=${CONCS:-16 128}
REPS=${REPS:-3}
TIMEOUT=${TIMEOUT:-5}
NODES=$ANSWERING SILENT=0
write=0 phases=0
[ "${1:-}" = --write ] && write=1
[ "${1:-}" = --phases ] && phases=1
. tests/lab/lib.sh
. bench/lib.sh
bench_check_nodes
mkdir -p build/bench
cc -std=gnu11 -O2 -Wall -Wextra -o build/bench/ladders bench/ladders.c \
	$(pkg-config --cflags --libs libnfs) || { echo "bench: cannot build bench/ladders.c" >&2; exit 1; }
LADDERS=$TOP/build/bench/ladders

LAB_G_BIND=""
bench_lab_up
bench_addrs $((ANSWERING - 1))
lab_addr_add srv "${addrs[@]}" && lab_route_add srv 100.64.16.0/20 || { echo "bench: addresses" >&2; exit 1; }
printf '%s\n' "$LAB_SERVER_MESH" "${addrs[@]}" >"$T/hosts"
{
	printf '[server]\naddress = %s\n[nodes]\nsfspark1 = %s server\n' "$LAB_SERVER_MESH" "$LAB_SERVER_MESH"
	for i in "${!addrs[@]}"; do printf 'n%04d = %s\n' "$i" "${addrs[$i]}"; done
} >"$T/meshnfs.conf"

load1() { cut -d' ' -f1 /proc/loadavg; }
if [ $phases = 1 ]; then
	. bench/ladder-phases.sh
	ladder_phases
	lab_down
	exit 0
fi
declare -A MS LOAD OK
run() { # run KEY CMD...: appends wall ms, load before, and what succeeded
	local key=$1 l t0 out; shift
	l=$(load1)
	t0=$(date +%s%N)
	out=$(lab_exec c1 "$@" <"$T/hosts" 2>/dev/null)
	MS[$key]="${MS[$key]:-} $((($(date +%s%N) - t0) / 1000000))"
	LOAD[$key]="${LOAD[$key]:-} $l"
	OK[$key]="${OK[$key]:-} $(printf '%s\n' "$out" | tail -n 1)"
}
for ((rep = 0; rep < REPS; rep++)); do
	for c in $CONCS; do
		for m in null lookup mount; do
			run "$m $c" "$LADDERS" "$m" "$c" "$LAB_PSEUDO"
		done
	done
	for key in status ${BEFORE:+before}; do
		bin=$MESHNFS
		[ "$key" = before ] && bin=$BEFORE
		l=$(load1)
		t0=$(date +%s%N)
		lab_exec c1 "$bin" --config "$T/meshnfs.conf" --timeout "$TIMEOUT" status --json \
			--source config --no-write >"$T/status.out" 2>/dev/null
		MS[$key]="${MS[$key]:-} $((($(date +%s%N) - t0) / 1000000))"
		LOAD[$key]="${LOAD[$key]:-} $l"
		OK[$key]="${OK[$key]:-} $(jq '[.nodes[]|select(.nfs.diagnosis=="ok")]|length' "$T/status.out")"
	done
	echo "bench: rep $rep done" >&2
done
lab_down

med() { median ${MS[$1]}; }
runs() { local s=${MS[$1]# }; echo "${s// /, }"; }
loads() { local s=${LOAD[$1]# }; echo "${s// /, }"; }
rate() { awk -v n="$ANSWERING" -v t="$1" 'BEGIN { printf "%.0f", n / (t / 1000) }'; }
rows=""
for c in $CONCS; do
	for m in null lookup mount; do
		k="$m $c"
		fl=$(for o in "${OK[$k]}"; do echo "$o"; done | grep -o 'failed [0-9]*' | awk '{print $2}' | paste -sd, -)
		rows+="| \`ladders $m\`, $c at once | $(med "$k") ms ($(runs "$k")) | $(rate "$(med "$k")")/s | ${fl:-?} | $(loads "$k") |"$'\n'
	done
done
for key in ${BEFORE:+before} status; do
	oks=$(printf '%s\n' ${OK[$key]} | paste -sd, -)
	label="\`meshnfs --timeout $TIMEOUT status --no-write\` (whole process)"
	[ "$key" = before ] && label="$label, before (${BEFORE_LABEL:-$BEFORE})"
	[ "$key" = status ] && [ -n "${BEFORE:-}" ] && label="$label, now"
	rows+="| $label | $(med $key) ms ($(runs $key)) | $(rate "$(med $key)")/s | ok: $oks of $ANSWERING | $(loads $key) |"$'\n'
done
table=$(
	echo "$(bench_machine),"
	echo "shared with other work (the 1-minute load average before each run in the last column)."
	echo "$ANSWERING addresses, all held by the lab's server and served by its one ganesha;"
	echo "from a client host, in turns, $REPS times each; wall time of the median run (all runs"
	echo "in brackets); rate = $ANSWERING / median."
	echo
	echo "| conversation per address | 601 addresses | rate | failed (per run) | load average |"
	echo "|---|---|---|---|---|"
	printf '%s' "$rows"
)
table=${table//601 addresses/$ANSWERING addresses}
printf '%s\n' "$table"
if [ $write = 1 ]; then bench_write ladder-floor "$table"; fi
