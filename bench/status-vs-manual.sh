#!/usr/bin/env bash
# `meshnfs status` over a mesh of NODES addresses against a sequential loop of the guide's
# per-host check. The lab's server gets NODES-1 more mesh addresses on its WireGuard interface
# (one ganesha serves them all: every answering address is an NFS server, so status runs the
# whole ladder, write test included, against each); SILENT of them are routed to the server
# but not assigned, so packets to them are dropped (offline nodes). The node list is a
# meshnfs.conf [nodes] of NODES lines. From the client host c1:
#   meshnfs status (default --timeout 5), and with --no-write;
#   for each address: ping -c 1 HOST; nc -zv HOST 2049 (the guide's Verification and
#   Troubleshooting checks), each cut at CUT seconds by timeout(1), the whole loop at
#   LOOP_CUT seconds (then the table says "more than").
# Prints a markdown table; --write also puts it in bench/README.md (between the status
# markers). Run as root: `bash bench/status-vs-manual.sh`.
#   NODES (1000)  SILENT (20)  CUT (5)  LOOP_CUT (900)  REPS (3: status runs, median shown)
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
NODES=${NODES:-1000}
SILENT=${SILENT:-20}
CUT=${CUT:-5}
LOOP_CUT=${LOOP_CUT:-900}
REPS=${REPS:-3}
write=0
[ "${1:-}" = --write ] && write=1
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
[ -x "$MESHNFS" ] || { echo "bench: build first (make)" >&2; exit 1; }
[ "$NODES" -ge 2 ] && [ "$NODES" -le 4000 ] && [ "$SILENT" -lt "$NODES" ] ||
	{ echo "bench: NODES in 2..4000, SILENT < NODES" >&2; exit 1; }
. tests/lab/lib.sh

lab_up 1 >/dev/null || { echo "bench: the lab did not come up" >&2; exit 1; }
T=$LAB_DIR/bench
mkdir -p "$T"

# The extra addresses: 100.64.16.0/20 (4096), skipping .0 and .255 of each /24.
addrs=()
for ((i = 0; ${#addrs[@]} < NODES - 1; i++)); do
	o3=$((16 + i / 256)) o4=$((i % 256))
	[ "$o4" = 0 ] || [ "$o4" = 255 ] && continue
	addrs+=("100.64.$o3.$o4")
done
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

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# status_run NAME ARGS...: REPS runs; sets S_MS[NAME] (median wall ms), S_OK, S_SILENT,
# S_RSS (KiB, max), S_DIAG (diagnosis counts of the last run).
declare -A S_MS S_OK S_SILENT S_RSS S_DIAG
status_run() {
	local name=$1 i t0 times=() rss=0 r; shift
	for ((i = 0; i < REPS; i++)); do
		t0=$(date +%s%N)
		lab_exec c1 /usr/bin/time -f '%M' -o "$T/rss" "$MESHNFS" --config "$T/meshnfs.conf" \
			--json status "$@" >"$T/$name.json" 2>"$T/$name.err"
		times+=($((($(date +%s%N) - t0) / 1000000)))
		r=$(tail -n 1 "$T/rss"); [ "$r" -gt "$rss" ] && rss=$r
	done
	S_MS[$name]=$(median "${times[@]}")
	S_RSS[$name]=$rss
	S_OK[$name]=$(jq '[.nodes[]|select(.nfs.diagnosis=="ok")]|length' "$T/$name.json")
	S_SILENT[$name]=$(jq '[.nodes[]|select(.nfs.diagnosis=="unreachable")]|length' "$T/$name.json")
	S_DIAG[$name]=$(jq -r '[.nodes[].nfs.diagnosis]|group_by(.)|map("\(.[0]) \(length)")|join(", ")' "$T/$name.json")
	echo "bench: status $*: ${S_MS[$name]} ms (runs: ${times[*]}), ${S_DIAG[$name]}, max RSS ${rss} KiB" >&2
}
status_run full
status_run nowrite --no-write

# The sequential loop, inside c1's namespace (one process for the loop, so entering the
# namespace is not counted per host).
cat >"$T/loop.sh" <<'LOOP'
cut=$1 loop_cut=$2 hosts=$3
end=$((SECONDS + loop_cut)) n=0 up=0 silent=0
while read -r h; do
	[ "$SECONDS" -lt "$end" ] || break
	p=0 c=0
	timeout -k 1 "$cut" ping -c 1 "$h" >/dev/null 2>&1 && p=1
	timeout -k 1 "$cut" nc -zv "$h" 2049 >/dev/null 2>&1 && c=1
	n=$((n + 1))
	[ $p = 1 ] && [ $c = 1 ] && up=$((up + 1))
	[ $p = 0 ] && [ $c = 0 ] && silent=$((silent + 1))
done <"$hosts"
echo "$n $up $silent"
LOOP
t0=$(date +%s%N)
read -r L_N L_UP L_SILENT < <(lab_exec c1 bash "$T/loop.sh" "$CUT" "$LOOP_CUT" "$T/hosts")
L_MS=$((($(date +%s%N) - t0) / 1000000))
echo "bench: loop: $L_MS ms, $L_N of $NODES hosts checked, $L_UP up, $L_SILENT silent" >&2
lab_down

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 1) b = 1; printf "%.0f", a / b }'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
if [ "$L_N" -lt "$NODES" ]; then
	loop_cell="> $L_MS ms (cut after $L_N of $NODES hosts)"
	lr=">= x$(ratio "$L_MS" "${S_MS[full]}")"
else
	loop_cell="$L_MS ms"
	lr="x$(ratio "$L_MS" "${S_MS[full]}")"
fi
table=$(
	echo "Measured $(date -u +%Y-%m-%d) on $(uname -n): $cpu, $(nproc) CPUs, Linux $(uname -r)."
	echo "$NODES mesh addresses: the lab's server (one ganesha) holds $((answering + 1)) of them, $SILENT are"
	echo "routed to it but not held (dropped: offline nodes). meshnfs status: median of $REPS runs,"
	echo "default --timeout 5, from a client host. The loop: the guide's two per-host checks, each"
	echo "cut at $CUT s by timeout(1), one host after the other. Ratio = loop time / status time."
	echo
	echo "| command | wall time | NFS ok | no answer | ratio | peak RSS |"
	echo "|---|---|---|---|---|---|"
	echo "| \`meshnfs status\` (whole ladder, write test included, on every server) | ${S_MS[full]} ms | ${S_OK[full]} | ${S_SILENT[full]} | x1 | ${S_RSS[full]} KiB |"
	echo "| \`meshnfs status --no-write\` | ${S_MS[nowrite]} ms | ${S_OK[nowrite]} | ${S_SILENT[nowrite]} | x$(ratio "${S_MS[nowrite]}" "${S_MS[full]}" | sed 's/^0$/<1/') | ${S_RSS[nowrite]} KiB |"
	echo "| \`for h in ...; do ping -c 1 \$h; nc -zv \$h 2049; done\` | $loop_cell | $L_UP up (port open) | $L_SILENT | $lr | - |"
)
printf '%s\n' "$table"

if [ $write = 1 ]; then
	f=bench/README.md
	awk -v t="$table" '
		/<!-- status:begin -->/ { print; print t; skip = 1; next }
		/<!-- status:end -->/ { skip = 0 }
		!skip' "$f" >"$f.new" && mv "$f.new" "$f"
	echo "bench: table written to $f" >&2
fi
