#!/usr/bin/env bash
# A healthy `meshnfs probe` against the protocol floor (issue 16 goal 2): bench/floor.c, the
# least libnfs sequence doing the same work (NFSv4 mount, create, write 10000 bytes in
# 3900-byte calls, fsync, read back, compare, remove), against the lab's server, from c1,
# taking turns N times. In-process times (floor's own clock, probe's "ms" and its steps) and,
# with hyperfine (scripts/deps.sh bench), whole-process wall times; peak RSS of probe, doctor
# and the floor. --write puts the table in
# bench/README.md (between the probe-floor markers). Run as root: `bash bench/probe-vs-floor.sh`.
#   N (30)
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
N=${N:-30}
write=0
[ "${1:-}" = --write ] && write=1
. tests/lab/lib.sh
. bench/lib.sh
NODES=2 SILENT=0 bench_check_nodes
mkdir -p build/bench
cc -std=gnu11 -O2 -Wall -Wextra -o build/bench/floor bench/floor.c \
	$(pkg-config --cflags --libs libnfs) || { echo "bench: cannot build bench/floor.c" >&2; exit 1; }
FLOOR=$TOP/build/bench/floor
bench_lab_up

floor=() probe=() declare -A step=()
for ((i = 0; i < N; i++)); do
	floor+=("$(lab_exec c1 "$FLOOR" "$LAB_SERVER_MESH" "$LAB_PSEUDO")")
	out=$(lab_exec c1 "$MESHNFS" --json probe "$LAB_SERVER_MESH")
	[ "$(jq -r .diagnosis <<<"$out")" = ok ] || { echo "bench: probe not ok: $out" >&2; exit 1; }
	probe+=("$(jq -r .ms <<<"$out")")
	while read -r id ms; do step[$id]="${step[$id]:-} $ms"; done < <(jq -r '.steps[]|"\(.id) \(.ms)"' <<<"$out")
done
# Peak RSS (KiB, the largest of 5 runs) of probe and doctor, the goal being under 8 MB.
rss() {
	local m=0 r i
	for i in 1 2 3 4 5; do
		lab_exec c1 /usr/bin/time -f '%M' -o "$T/rss" "$@" >/dev/null 2>&1
		r=$(tail -n 1 "$T/rss"); [ "$r" -gt "$m" ] && m=$r
	done
	echo "$m"
}
rss_probe=$(rss "$MESHNFS" probe "$LAB_SERVER_MESH")
rss_doctor=$(rss "$MESHNFS" doctor)
rss_floor=$(rss "$FLOOR" "$LAB_SERVER_MESH" "$LAB_PSEUDO")
wall=""
if command -v hyperfine >/dev/null; then
	lab_exec c1 hyperfine -N --warmup 3 -r "$N" --export-json "$T/hf.json" \
		"$FLOOR $LAB_SERVER_MESH $LAB_PSEUDO" "$MESHNFS probe $LAB_SERVER_MESH" >/dev/null 2>&1
	wall=$(jq -r '[.results[]|"\(.median * 1000 | floor) ms (min \(.min * 1000 | floor))"]|join(" | ")' "$T/hf.json")
fi
lab_down

fmed() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fmin() { printf '%s\n' "$@" | sort -g | head -1; }
steps=""
for id in route tcp rpc export write ownership; do
	# shellcheck disable=SC2086
	steps+="$id $(fmed ${step[$id]}) ms, "
done
table=$(
	echo "$(bench_machine),"
	echo "shared with other work. From a lab client to the lab's ganesha over wireguard-go, $N runs"
	echo "each, taking turns; medians (minimum in brackets). In-process: floor's own clock around"
	echo "its libnfs calls, probe's \"ms\" (route to ownership). Whole process: hyperfine -N."
	echo
	echo "| | bench/floor (libnfs sync API) | meshnfs probe | ratio |"
	echo "|---|---|---|---|"
	echo "| in-process | $(fmed "${floor[@]}") ms ($(fmin "${floor[@]}")) | $(fmed "${probe[@]}") ms ($(fmin "${probe[@]}")) | x$(awk -v a="$(fmed "${probe[@]}")" -v b="$(fmed "${floor[@]}")" 'BEGIN{printf "%.2f", a/b}') |"
	[ -n "$wall" ] && echo "| whole process | ${wall/ | / | } | - |"
	echo "| peak RSS (largest of 5) | $rss_floor KiB | $rss_probe KiB (meshnfs doctor: $rss_doctor KiB) | - |"
	echo
	echo "meshnfs probe's steps (medians): ${steps%, }."
)
printf '%s\n' "$table"
if [ $write = 1 ]; then bench_write probe-floor "$table"; fi
