#!/usr/bin/env bash
# Time to the right diagnosis below NFS (issue 11): `meshnfs probe` against the guide's
# checks (nc -zv HOST 2049, ping -c 1 HOST, showmount -e HOST), side by side in one lab run,
# from a client host, for a port 2049 dropped by the server's nft (`filtered`), rejected with
# ICMP admin-prohibited (`rejected`) and an MTU black hole under the mesh (`mtu`: WireGuard
# packets above 1200 bytes dropped on the underlay, no ICMP back). Manual commands are bounded
# by timeout(1) at CUT seconds. Prints a markdown table; --write also puts it in
# bench/README.md (between the below markers). Run as root: `bash bench/below.sh`.
#   CUT (default 30)  seconds a manual command may run
set -u
cd "$(dirname "$0")/.."
. tests/lab/lib.sh
. bench/lib.sh
bench_probe_lab "$@"

# measure TOOL: runs TOOL once from c1; sets MS and SAYS.
measure() {
	local t0 out rc
	t0=$(date +%s%N)
	case $1 in
	meshnfs) out=$(lab_exec c1 "$MESHNFS" --json probe "$SRV" 2>/dev/null) ;;
	meshnfs2) out=$(lab_exec c1 "$MESHNFS" --json --timeout 2 probe "$SRV" 2>/dev/null) ;;
	nc) out=$(lab_exec c1 timeout -k 1 "$CUT" nc -zv "$SRV" 2049 2>&1) ;;
	ping) out=$(lab_exec c1 timeout -k 1 "$CUT" ping -c 1 "$SRV" 2>&1) ;;
	showmount) out=$(lab_exec c1 timeout -k 1 "$CUT" showmount -e "$SRV" 2>&1) ;;
	esac
	rc=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	case $1 in
	meshnfs*) SAYS='`'$(printf '%s' "$out" | jq -r .diagnosis)'`' ;;
	*)
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			SAYS="no verdict (cut at $CUT s)"
			return
		fi
		case $1 in
		nc) [ "$rc" = 0 ] && SAYS="succeeded (up)" ||
			SAYS="failed: $(grep -o 'refused\|No route to host\|timed out' <<<"$out" | head -1) (down)" ;;
		ping) [ "$rc" = 0 ] && SAYS="1 received (up)" || SAYS="0 received (down)" ;;
		showmount) grep -q "$LAB_PSEUDO" <<<"$out" && SAYS="lists the export (up)" ||
			SAYS="$(grep -o 'Port mapper failure[^-]*\|Unable to receive[^;]*\|timed out' <<<"$out" | head -1) (down)" ;;
		esac
		;;
	esac
}

declare -A RES
run_case() {
	local c=$1 tool
	for tool in meshnfs meshnfs2 nc ping showmount; do
		measure "$tool"
		RES[$c,$tool]="$MS ms, $SAYS"
		echo "bench: $c $tool: ${RES[$c,$tool]}" >&2
	done
}

run_case healthy
lab_fault filtered
run_case filtered
lab_fault rejected
run_case rejected
lab_fault mtu 1200
run_case mtu
lab_down

table=$(
	echo "$(bench_machine);"
	echo "one run per case; manual commands cut at $CUT s by timeout(1). The right diagnosis:"
	echo "filtered and rejected = \`filtered\` (the peer is up, NFS blocked by a filter), mtu ="
	echo "\`mtu_blackhole\` (small packets pass, large ones vanish)."
	echo
	echo "| case | meshnfs probe | meshnfs --timeout 2 probe | nc -zv HOST 2049 | ping -c 1 HOST | showmount -e HOST |"
	echo "|---|---|---|---|---|---|"
	for c in healthy filtered rejected mtu; do
		echo "| $c | ${RES[$c,meshnfs]} | ${RES[$c,meshnfs2]} | ${RES[$c,nc]} | ${RES[$c,ping]} | ${RES[$c,showmount]} |"
	done
)
printf '%s\n' "$table"

if [ $write = 1 ]; then bench_write below "$table"; fi
