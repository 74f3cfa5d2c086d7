#!/usr/bin/env bash
# `meshnfs status` over a mesh of NODES addresses against a sequential loop of the guide's
# per-host check. The lab's server holds NODES-1 more mesh addresses on its WireGuard
# interface, standing for other nodes; SILENT of them are routed to it but not assigned, so
# packets to them are dropped (offline nodes). One ganesha. The node list is a meshnfs.conf
# [nodes] of NODES lines. From the client host c1:
#   A. one NFS server in the mesh (ganesha bound to 100.64.0.1 only: the other addresses
#      answer, refusing port 2049): meshnfs status (default --timeout 5); the loop: for each
#      address `ping -c 1 HOST; nc -zv HOST 2049` (the guide's Verification and
#      Troubleshooting checks), each cut at CUT seconds by timeout(1), the whole loop at
#      LOOP_CUT seconds (then the table says "more than");
#   B. every answering address an NFS server (ganesha on all addresses: the whole ladder,
#      write test included, against each, all served by one ganesha on this machine): meshnfs
#      status, and with --no-write. The loop is not run again: its time is that of A (the
#      silent hosts dominate it).
# Prints a markdown table; --write also puts it in bench/README.md (between the status
# markers). Run as root: `bash bench/status-vs-manual.sh`.
#   NODES (1000)  SILENT (20)  CUT (5)  LOOP_CUT (900)  REPS (5: status runs, median shown)
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
NODES=${NODES:-1000}
SILENT=${SILENT:-20}
CUT=${CUT:-5}
LOOP_CUT=${LOOP_CUT:-900}
REPS=${REPS:-5}
write=0
[ "${1:-}" = --write ] && write=1
. tests/lab/lib.sh
. bench/lib.sh
bench_check_nodes

LAB_G_BIND=$LAB_SERVER_MESH
bench_lab_up

bench_addrs $((NODES - 1))
answering=$((NODES - 1 - SILENT))
t0=$(lab_ms)
lab_addr_add srv "${addrs[@]:0:$answering}" && lab_route_add srv 100.64.16.0/20 ||
	{ echo "bench: addresses" >&2; exit 1; }
echo "bench: $answering addresses on srv, $SILENT silent, in $(($(lab_ms) - t0)) ms" >&2
{
	printf '[server]\naddress = 100.64.0.1\n[nodes]\nsfspark1 = 100.64.0.1 server\n'
	for i in "${!addrs[@]}"; do printf 'n%04d = %s\n' "$i" "${addrs[$i]}"; done
} >"$T/meshnfs.conf"
printf '%s\n' "$LAB_SERVER_MESH" "${addrs[@]}" >"$T/hosts"

# status_run NAME ARGS...: REPS runs; sets S_MS[NAME] (median wall ms), S_RUNS, S_RSS (KiB,
# max), S_DIAG (diagnosis counts over the runs: "ok 980, refused 979, ..." of the median run).
declare -A S_MS S_RUNS S_RSS S_DIAG
status_run() {
	local name=$1 i t0 times=() rss=0 r m; shift
	for ((i = 0; i < REPS; i++)); do
		t0=$(date +%s%N)
		lab_exec c1 /usr/bin/time -f '%M' -o "$T/rss" "$MESHNFS" --config "$T/meshnfs.conf" \
			--json status "$@" >"$T/$name.$i.json" 2>"$T/$name.err"
		times+=($((($(date +%s%N) - t0) / 1000000)))
		r=$(tail -n 1 "$T/rss"); [ "$r" -gt "$rss" ] && rss=$r
	done
	S_MS[$name]=$(median "${times[@]}")
	S_RUNS[$name]=${times[*]}
	S_RSS[$name]=$rss
	for ((i = 0; i < REPS; i++)); do [ "${times[$i]}" = "${S_MS[$name]}" ] && m=$i; done
	S_DIAG[$name]=$(jq -r '[.nodes[].nfs.diagnosis]|group_by(.)|map("\(length) \(.[0])")|join(", ")' "$T/$name.$m.json")
	echo "bench: $name: status $*: ${S_MS[$name]} ms (runs: ${times[*]}), ${S_DIAG[$name]}, max RSS ${rss} KiB" >&2
}

# A. One NFS server.
status_run one
# The sequential loop, inside c1's namespace (one process for the loop, so entering the
# namespace is not counted per host).
cat >"$T/loop.sh" <<'LOOP'
cut=$1 loop_cut=$2 hosts=$3
end=$((SECONDS + loop_cut)) n=0 ping_ok=0 nc_ok=0 silent=0
while read -r h; do
	[ "$SECONDS" -lt "$end" ] || break
	p=0 c=0
	timeout -k 1 "$cut" ping -c 1 "$h" >/dev/null 2>&1 && p=1
	timeout -k 1 "$cut" nc -zv "$h" 2049 >/dev/null 2>&1 && c=1
	n=$((n + 1)) ping_ok=$((ping_ok + p)) nc_ok=$((nc_ok + c))
	[ $p = 0 ] && [ $c = 0 ] && silent=$((silent + 1))
done <"$hosts"
echo "$n $ping_ok $nc_ok $silent"
LOOP
t0=$(date +%s%N)
read -r L_N L_PING L_NC L_SILENT < <(lab_exec c1 bash "$T/loop.sh" "$CUT" "$LOOP_CUT" "$T/hosts")
L_MS=$((($(date +%s%N) - t0) / 1000000))
echo "bench: loop: $L_MS ms, $L_N of $NODES hosts checked, ping $L_PING, nc $L_NC, $L_SILENT silent" >&2

# B. Every answering address an NFS server.
LAB_G_BIND=""
lab_ganesha_restart >/dev/null || { echo "bench: ganesha did not restart" >&2; exit 1; }
status_run all
status_run all_nowrite --no-write
lab_down

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 1) b = 1; r = a / b; printf (r < 10 ? "%.1f" : "%.0f"), r }'; }
if [ "$L_N" -lt "$NODES" ]; then
	loop_cell="> $L_MS ms (cut after $L_N of $NODES hosts)"
	lr=">= x$(ratio "$L_MS" "${S_MS[one]}")"
else
	loop_cell="$L_MS ms"
	lr="x$(ratio "$L_MS" "${S_MS[one]}")"
fi
table=$(
	echo "$(bench_machine),"
	echo "shared with other work. $NODES mesh addresses: the lab's server holds $((answering + 1)) of them, $SILENT"
	echo "more are routed to it but not held (dropped: offline nodes). One ganesha. meshnfs"
	echo "status: median of $REPS runs (all runs in ms in brackets), default --timeout 5, from a"
	echo "client host, diagnoses of the median run. The loop: the guide's two per-host checks, each"
	echo "cut at $CUT s by timeout(1), one host after the other. Ratio = time / status time in A."
	echo
	echo "| case | command | wall time | diagnoses (nodes) | ratio | peak RSS |"
	echo "|---|---|---|---|---|---|"
	echo "| A: one NFS server, $((answering)) nodes without NFS, $SILENT silent | \`meshnfs status\` | ${S_MS[one]} ms (${S_RUNS[one]// /, }) | ${S_DIAG[one]} | x1 | ${S_RSS[one]} KiB |"
	echo "| A | \`for h in ...; do ping -c 1 \$h; nc -zv \$h 2049; done\` | $loop_cell | ping answered $L_PING, port 2049 open $L_NC, both silent $L_SILENT | $lr | - |"
	echo "| B: every answering address an NFS server (one ganesha behind all $((answering + 1))) | \`meshnfs status\` (whole ladder with write test on each) | ${S_MS[all]} ms (${S_RUNS[all]// /, }) | ${S_DIAG[all]} | x$(ratio "${S_MS[all]}" "${S_MS[one]}") | ${S_RSS[all]} KiB |"
	echo "| B | \`meshnfs status --no-write\` | ${S_MS[all_nowrite]} ms (${S_RUNS[all_nowrite]// /, }) | ${S_DIAG[all_nowrite]} | x$(ratio "${S_MS[all_nowrite]}" "${S_MS[one]}") | ${S_RSS[all_nowrite]} KiB |"
)
printf '%s\n' "$table"

if [ $write = 1 ]; then bench_write status "$table"; fi
