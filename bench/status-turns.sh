#!/usr/bin/env bash
# Two builds of meshnfs side by side, in turns (issue 16: status's quadratic costs): for each
# of SIZES addresses, the lab of status-scale.sh --no-tunnel (60 % held by the server, the rest
# routed to it and silent, one [nodes] entry each, over veths: lab_route_veth) comes up once,
# then `status --json --source config --no-write` runs ROUNDS times with each build, BEFORE
# then AFTER, under /usr/bin/time: wall, user and system CPU, peak RSS, and the 1-minute load
# just before. Prints one line a run and a summary (medians) a size. Run as root.
# PING_DGRAM=1 adds a third run a round, AFTER with net.ipv4.ping_group_range "0 2147483647" in
# the client's namespace only (systemd's default; a new namespace has the kernel's "1 0"): its
# ICMP echoes then go through unprivileged ping sockets, not raw ones.
#   BEFORE (required: the old build)  AFTER (build/meshnfs)  SIZES ("5000 10000")  ROUNDS (3)
#   TIMEOUT (2)  PING_DGRAM (0)
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
BEFORE=${BEFORE:?BEFORE=path of the build to compare with}
AFTER=${AFTER:-$TOP/build/meshnfs}
MESHNFS=$AFTER
SIZES=${SIZES:-5000 10000}
ROUNDS=${ROUNDS:-3}
TIMEOUT=${TIMEOUT:-2}
builds="before after"
[ "${PING_DGRAM:-0}" = 1 ] && builds+=" after-dgram"
. tests/lab/lib.sh
. bench/lib.sh
NODES=2 SILENT=0 bench_check_nodes
[ -x "$BEFORE" ] || { echo "bench: BEFORE=$BEFORE is not a program" >&2; exit 1; }

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "$(bench_machine); status --timeout $TIMEOUT, $ROUNDS runs a build, in turns"
echo "size build run wall_s user_s sys_s rss_kib load ok"
for n in $SIZES; do
	LAB_G_BIND=""
	bench_lab_up
	addrs=()
	for ((i = 0; ${#addrs[@]} < n; i++)); do
		[ $((i % 256)) = 0 ] || [ $((i % 256)) = 255 ] && continue
		addrs+=("100.64.$((64 + i / 256)).$((i % 256))")
	done
	lab_addr_add srv "${addrs[@]:0:n * 6 / 10}" && lab_route_veth srv 100.64.64.0/18 ||
		{ echo "bench: addresses" >&2; exit 1; }
	{ printf '[nodes]\n'; for i in "${!addrs[@]}"; do printf 'n%05d = %s\n' "$i" "${addrs[$i]}"; done; } >"$T/meshnfs.conf"
	: >"$T/runs"
	for ((r = 1; r <= ROUNDS; r++)); do
		for b in $builds; do
			[ "$b" = before ] && prog=$BEFORE || prog=$AFTER
			range="1 0"
			[ "$b" = after-dgram ] && range="0 2147483647"
			lab_exec c1 sysctl -qw net.ipv4.ping_group_range="$range" || exit 1
			load=$(cut -d' ' -f1 /proc/loadavg)
			lab_exec c1 /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$prog" --config "$T/meshnfs.conf" \
				--timeout "$TIMEOUT" status --json --source config --no-write >"$T/status.out" 2>/dev/null
			ok=$(jq '[.nodes[] | select(.nfs.diagnosis == "ok")] | length' "$T/status.out" 2>/dev/null)
			echo "$n $b $r $(tail -n 1 "$T/time") $load ${ok:-?}" | tee -a "$T/runs"
		done
	done
	for b in $builds; do
		printf '%s %s: median wall %s s, user %s s, sys %s s, RSS %s KiB\n' "$n" "$b" \
			"$(awk -v b="$b" '$2 == b {print $4}' "$T/runs" | median)" \
			"$(awk -v b="$b" '$2 == b {print $5}' "$T/runs" | median)" \
			"$(awk -v b="$b" '$2 == b {print $6}' "$T/runs" | median)" \
			"$(awk -v b="$b" '$2 == b {print $7}' "$T/runs" | median)"
	done
	lab_down
done
