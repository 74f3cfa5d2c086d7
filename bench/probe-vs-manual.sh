#!/usr/bin/env bash
# Time to a correct verdict: `meshnfs probe` against the guide's manual checks (nc -zv HOST
# 2049, ping -c 1 HOST, showmount -e HOST), side by side in one lab run, from a client host,
# for a healthy server, a hung server (ganesha SIGSTOPped) and an offline peer (the server's
# wireguard-go SIGSTOPped). Manual commands are bounded by timeout(1) at CUT seconds and
# reported as cut when they hit it. Prints a markdown table; --write also puts it in
# bench/README.md (between the markers). Run as root: `bash bench/probe-vs-manual.sh`.
#   REPS (default 5)  runs per fast measurement (the median is shown)
#   CUT (default 30)  seconds a manual command may run
set -u
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
. tests/lab/lib.sh
. bench/lib.sh
bench_probe_lab "$@"

# measure TOOL: runs TOOL once from c1; sets MS, CLAIM (up|down|cut|?), SAYS (short text).
measure() {
	local t0 out rc
	t0=$(date +%s%N)
	case $1 in
	meshnfs)
		out=$(lab_exec c1 "$MESHNFS" --json probe "$SRV" 2>/dev/null)
		rc=$?
		;;
	meshnfs1)
		out=$(lab_exec c1 "$MESHNFS" --json --timeout 1 probe "$SRV" 2>/dev/null)
		rc=$?
		;;
	nc) out=$(lab_exec c1 timeout -k 1 "$CUT" nc -zv "$SRV" 2049 2>&1); rc=$? ;;
	ping) out=$(lab_exec c1 timeout -k 1 "$CUT" ping -c 1 "$SRV" 2>&1); rc=$? ;;
	showmount) out=$(lab_exec c1 timeout -k 1 "$CUT" showmount -e "$SRV" 2>&1); rc=$? ;;
	esac
	MS=$((($(date +%s%N) - t0) / 1000000))
	if [ "${1#meshnfs}" != "$1" ]; then
		SAYS=$(printf '%s' "$out" | jq -r .diagnosis)
		[ "$SAYS" = ok ] && CLAIM=up || CLAIM=down
		return
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		CLAIM=cut SAYS="cut at ${CUT} s"
		return
	fi
	case $1 in
	nc) [ "$rc" = 0 ] && { CLAIM=up SAYS="succeeded"; } || { CLAIM=down SAYS="failed"; } ;;
	ping) [ "$rc" = 0 ] && { CLAIM=up SAYS="1 received"; } || { CLAIM=down SAYS="0 received"; } ;;
	showmount)
		if [ "$rc" = 0 ] && grep -q "$LAB_PSEUDO" <<<"$out"; then
			CLAIM=up SAYS="lists the export"
		else
			CLAIM=down SAYS=$(grep -o 'Port mapper failure[^-]*\|Unable to receive[^;]*\|timed out' <<<"$out" | head -1)
			SAYS=${SAYS:-error}
		fi
		;;
	esac
}

declare -A RES_MS RES_SAYS RES_OK RES_CLAIM
# run_case CASE TRUTH(up|down) REPS
run_case() {
	local c=$1 truth=$2 reps=$3 tool i
	for tool in meshnfs meshnfs1 nc ping showmount; do
		local times=()
		for ((i = 0; i < reps; i++)); do
			measure "$tool"
			times+=("$MS")
			# a command that was cut is not repeated
			[ "$CLAIM" = cut ] && break
		done
		RES_MS[$c,$tool]=$(median "${times[@]}")
		RES_SAYS[$c,$tool]=$SAYS
		RES_CLAIM[$c,$tool]=$CLAIM
		if [ "$CLAIM" = cut ]; then RES_OK[$c,$tool]=cut
		elif [ "$c" != healthy ] && [ "${RES_OK[healthy,$tool]}" = no ] &&
			[ "$CLAIM" = "${RES_CLAIM[healthy,$tool]}" ]; then
			# the same answer as for a healthy server: it tells nothing
			RES_OK[$c,$tool]=same
		elif [ "$CLAIM" = "$truth" ]; then RES_OK[$c,$tool]=yes
		else RES_OK[$c,$tool]=no
		fi
		echo "bench: $c $tool: ${RES_MS[$c,$tool]} ms, ${RES_SAYS[$c,$tool]} (${RES_OK[$c,$tool]})" >&2
	done
}

run_case healthy up "$REPS"
lab_fault hung
run_case hung down 1
lab_fault offline
run_case offline down 1
lab_down

cell() {
	local c=$1 t=$2 ms=${RES_MS[$1,$2]} ok=${RES_OK[$1,$2]} m=${RES_MS[$1,meshnfs]} r
	r=$(awk -v a="$ms" -v b="$m" 'BEGIN { if (b < 1) b = 1; printf "%.1f", a / b }')
	case $ok in
	yes) printf '%s ms, %s: right (x%s)' "$ms" "${RES_SAYS[$c,$t]}" "$r" ;;
	no) printf '%s ms, %s: **wrong**' "$ms" "${RES_SAYS[$c,$t]}" ;;
	same) printf '%s ms, %s: no information (the same as when healthy)' "$ms" "${RES_SAYS[$c,$t]}" ;;
	cut) printf '> %s ms: no verdict (cut)' "$ms" ;;
	esac
}
mcell() { printf '%s ms, `%s`' "${RES_MS[$1,$2]}" "${RES_SAYS[$1,$2]}"; }

table=$(
	echo "$(bench_machine);"
	echo "median of $REPS runs for the healthy case, one run each under faults; manual commands"
	echo "cut at $CUT s by timeout(1). (xN) = that command's time / the time of meshnfs probe with"
	echo "its default --timeout (5 s), for right verdicts only: a wrong verdict never becomes a"
	echo "right one by waiting."
	echo
	echo "| case | meshnfs probe | meshnfs --timeout 1 probe | nc -zv HOST 2049 | ping -c 1 HOST | showmount -e HOST |"
	echo "|---|---|---|---|---|---|"
	for c in healthy hung offline; do
		echo "| $c | $(mcell $c meshnfs) | $(mcell $c meshnfs1) | $(cell $c nc) | $(cell $c ping) | $(cell $c showmount) |"
	done
)
printf '%s\n' "$table"

if [ $write = 1 ]; then bench_write results "$table"; fi
