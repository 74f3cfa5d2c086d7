#!/usr/bin/env bash
# `meshnfs status` against `nmap -n -Pn -T4 -sS -p 2049` on the same NODES mesh addresses, in
# the same run, taking turns (issue 13's load case, issue 16's goal 3). The lab's server holds
# NODES-SILENT of them (its own and NODES-SILENT-1 more on its WireGuard interface), all
# served by its one ganesha listening on every address; SILENT more are routed to it but held
# by nobody (dropped: offline nodes). The node list is a meshnfs.conf [nodes] of NODES lines.
# From the client host c1, REPS times each: nmap; meshnfs status --no-write --timeout TIMEOUT;
# meshnfs status --timeout TIMEOUT (the write test on every answering address).
# Right: answering addresses `ok` (nmap: open), silent ones `unreachable` (nmap: filtered);
# `cut` is no verdict (counted apart); anything else is wrong.
# Prints a markdown table; --write also puts it in bench/README.md (between the status-nmap
# markers). Run as root: `bash bench/status-vs-nmap.sh` (nmap: scripts/deps.sh bench).
# BEFORE: another meshnfs binary (e.g. an older commit's build) whose status --no-write runs in
# the same turns, its row labelled "before" (BEFORE_LABEL).
#   NODES (1000)  SILENT (399)  TIMEOUT (2)  REPS (2)  BEFORE (none)
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
NODES=${NODES:-1000}
SILENT=${SILENT:-399}
TIMEOUT=${TIMEOUT:-2}
REPS=${REPS:-2}
write=0
[ "${1:-}" = --write ] && write=1
command -v nmap >/dev/null || { echo "bench: needs nmap (bash scripts/deps.sh bench)" >&2; exit 1; }
. tests/lab/lib.sh
. bench/lib.sh
bench_check_nodes

LAB_G_BIND=""
bench_lab_up

bench_addrs $((NODES - 1))
answering=$((NODES - SILENT))
lab_addr_add srv "${addrs[@]:0:answering-1}" && lab_route_add srv 100.64.16.0/20 ||
	{ echo "bench: addresses" >&2; exit 1; }
{
	printf '[server]\naddress = %s\n[nodes]\nsfspark1 = %s server\n' "$LAB_SERVER_MESH" "$LAB_SERVER_MESH"
	for i in "${!addrs[@]}"; do printf 'n%04d = %s\n' "$i" "${addrs[$i]}"; done
} >"$T/meshnfs.conf"
printf '%s\n' "$LAB_SERVER_MESH" "${addrs[@]}" >"$T/hosts"
printf '%s\n' "$LAB_SERVER_MESH" "${addrs[@]:0:answering-1}" | sort >"$T/answering"
printf '%s\n' "${addrs[@]:answering-1}" | sort >"$T/silent"

# timed NAME CMD...: runs CMD in c1 under /usr/bin/time; appends the wall ms to MS[NAME] and
# keeps the largest peak RSS (KiB) in RSS[NAME]; stdout in $T/NAME.out.
declare -A MS RSS RESULT LOAD
timed() {
	local name=$1 t0 r; shift
	LOAD[$name]="${LOAD[$name]:-} $(cut -d' ' -f1 /proc/loadavg)"
	t0=$(date +%s%N)
	lab_exec c1 /usr/bin/time -f '%M' -o "$T/rss" "$@" >"$T/$name.out" 2>"$T/$name.err"
	MS[$name]="${MS[$name]:-} $((($(date +%s%N) - t0) / 1000000))"
	r=$(tail -n 1 "$T/rss")
	[ "$r" -gt "${RSS[$name]:-0}" ] && RSS[$name]=$r
}

# status_verdicts NAME: "right R, wrong W, cut C (ok O of A answering, unreachable U of S
# silent)" for the last run of NAME.
status_verdicts() {
	local f=$T/$1.out
	sel() { jq -r "[.nodes[]|select($1)|.ips[0]]|.[]" "$f" | sort | comm -12 - "$2" | grep -c .; }
	local ok un cut_a cut_s wrong
	ok=$(sel '.nfs.diagnosis == "ok"' "$T/answering")
	un=$(sel '.nfs.diagnosis == "unreachable"' "$T/silent")
	cut_a=$(sel '.nfs.diagnosis == "cut"' "$T/answering")
	cut_s=$(sel '.nfs.diagnosis == "cut"' "$T/silent")
	wrong=$((NODES - ok - un - cut_a - cut_s))
	echo "right $((ok + un)), wrong $wrong, cut $((cut_a + cut_s)) (ok $ok of $answering answering, unreachable $un of $SILENT silent)"
}
nmap_verdicts() {
	local f=$T/$1.out open filtered wrong
	open=$(awk '/Ports: 2049\/open\//{print $2}' "$f" | sort | comm -12 - "$T/answering" | grep -c .)
	filtered=$(awk '/Ports: 2049\/filtered\//{print $2}' "$f" | sort | comm -12 - "$T/silent" | grep -c .)
	wrong=$((NODES - open - filtered))
	echo "right $((open + filtered)), wrong $wrong, cut - (open $open of $answering answering, filtered $filtered of $SILENT silent)"
}

# Packets c1's WireGuard interface dropped on the way out (its queue full: a burst).
wg_tx_dropped() { ip -n "${LAB_NS[c1]}" -s -j link show "${LAB_WG[c1]}" | jq '.[0].stats64.tx.dropped'; }
# Connection requests the server's kernel dropped at a full listen queue (ganesha accepting
# slower than hundreds of SYNs arrive: all of them are one ganesha's here, never on a mesh).
listen_drops() { ip netns exec "${LAB_NS[srv]}" nstat -az TcpExtListenDrops | awk '/ListenDrops/ {print $2}'; }

for ((rep = 0; rep < REPS; rep++)); do
	timed nmap nmap -n -Pn -T4 -sS -p 2049 -iL "$T/hosts" -oG -
	RESULT[nmap]=$(nmap_verdicts nmap)
	d0=$(wg_tx_dropped) l0=$(listen_drops)
	for h in c1 srv; do ip netns exec "${LAB_NS[$h]}" nstat -n; done
	timed nowrite "$MESHNFS" --config "$T/meshnfs.conf" --timeout "$TIMEOUT" status --json \
		--source config --no-write
	for h in c1 srv; do echo "bench: rep $rep: $h: $(ip netns exec "${LAB_NS[$h]}" nstat | grep -E 'Udp|Drop|Overflow|Retrans|Syn' | tr -s ' ' | tr '\n' ';')" >&2; done
	echo "bench: rep $rep: --no-write: c1's tunnel interface dropped $(($(wg_tx_dropped) - d0)) packets on the way out, the server's listen queue $(($(listen_drops) - l0)) SYNs" >&2
	RESULT[nowrite]="${RESULT[nowrite]:-}${RESULT[nowrite]:+; }$(status_verdicts nowrite)"
	if [ -n "${BEFORE:-}" ]; then
		timed before "$BEFORE" --config "$T/meshnfs.conf" --timeout "$TIMEOUT" status --json \
			--source config --no-write
		RESULT[before]="${RESULT[before]:-}${RESULT[before]:+; }$(status_verdicts before)"
	fi
	timed write "$MESHNFS" --config "$T/meshnfs.conf" --timeout "$TIMEOUT" status --json \
		--source config
	RESULT[write]="${RESULT[write]:-}${RESULT[write]:+; }$(status_verdicts write)"
	echo "bench: rep $rep: nmap${MS[nmap]}, nowrite${MS[nowrite]}, before${MS[before]:-}, write${MS[write]} ms" >&2
	# Why a silent address was cut, when one was (the silence rule's words: net/loop.c).
	why=$(jq -r '[.nodes[] | select(.nfs.diagnosis == "cut") | "\(.ips[0]) \(.nfs.step): \(.nfs.detail)"] | .[0] // empty' \
		"$T/nowrite.out" 2>/dev/null)
	[ -n "$why" ] && echo "bench: rep $rep: --no-write's first cut: $why" >&2
done
lab_down

med() { median ${MS[$1]}; }
runs() { local s=${MS[$1]# }; echo "${s// /, }"; }
loads() { local s=${LOAD[$1]# }; echo "${s// /, }"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b < 1 ? 1 : b) }'; }
table=$(
	echo "$(bench_machine),"
	echo "shared with other work. $NODES mesh addresses: the lab's server holds $answering of them"
	echo "(one ganesha behind all), $SILENT more are routed to it but held by nobody (offline"
	echo "nodes). From a client host, in turns, $REPS times each; wall time of the median run"
	echo "(all runs in brackets), whole process (start-up and the node list included);"
	echo "verdicts: nmap's last run, meshnfs's every run (separated by ';'). Ratio = time / nmap's."
	echo "Load: the 1-minute load average just before each run (the machine is shared)."
	echo
	echo "| command | wall time | verdicts | ratio | peak RSS | load |"
	echo "|---|---|---|---|---|---|"
	echo "| \`nmap -n -Pn -T4 -sS -p 2049 -iL hosts\` | $(med nmap) ms ($(runs nmap)) | ${RESULT[nmap]} | x1 | ${RSS[nmap]} KiB | $(loads nmap) |"
	echo "| \`meshnfs --timeout $TIMEOUT status --no-write\` | $(med nowrite) ms ($(runs nowrite)) | ${RESULT[nowrite]} | x$(ratio "$(med nowrite)" "$(med nmap)") | ${RSS[nowrite]} KiB | $(loads nowrite) |"
	[ -n "${BEFORE:-}" ] && echo "| \`meshnfs --timeout $TIMEOUT status --no-write\`, before (${BEFORE_LABEL:-$BEFORE}) | $(med before) ms ($(runs before)) | ${RESULT[before]} | x$(ratio "$(med before)" "$(med nmap)") | ${RSS[before]} KiB | $(loads before) |"
	echo "| \`meshnfs --timeout $TIMEOUT status\` (write test on each answering address) | $(med write) ms ($(runs write)) | ${RESULT[write]} | x$(ratio "$(med write)" "$(med nmap)") | ${RSS[write]} KiB | $(loads write) |"
)
printf '%s\n' "$table"
if [ $write = 1 ]; then bench_write status-nmap "$table"; fi
