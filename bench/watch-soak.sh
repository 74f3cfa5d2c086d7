#!/usr/bin/env bash
# meshnfs watch over a flapping fault: its memory and descriptors must stay flat.
#
#   bash bench/watch-soak.sh [--write]      (root; make all tools first)
#   SECONDS_TOTAL=600 FLAP=4 bash bench/watch-soak.sh --write
#
# The lab (tests/lab) with watch on c1 at --interval 1 --timeout 1 --detach-after 2, a
# textfile and the HTTP endpoint (scraped every round), against the stand-in mount of
# tests/e2e/watch.sh (hangfs at the mount point; tests/lib/standin.sh). Every FLAP seconds the
# server flips between hung (ganesha stopped, hangfs hanging) and healthy, and every fourth
# healthy period the mount answers ESTALE for 36 s instead: watch logs, detaches, attaches and
# repairs all the time. RSS (VmRSS), open descriptors, threads and children of watch are read
# from /proc after a 20 s warm-up and at the end; --write puts the table into bench/README.md.
. "$(dirname "$0")/../tests/lib/tap.sh"
if [ "${1:-}" != --inner ]; then
	exec unshare --mount --propagation private bash "$0" --inner "$@"
fi
shift
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lib/standin.sh"
. "$TOP/bench/lib.sh"
WRITE=${1:-}
TOTAL=${SECONDS_TOTAL:-600}
FLAP=${FLAP:-4}

lab_up 1 || exit 1
standin_setup
start_fs
start_watch --timeout 1 --detach-after 2 --textfile "$T/prom" --listen "127.0.0.1:$PORT"
wait_log "unknown -> healthy" 20 >/dev/null || exit 1

# sample: "RSS_KB FDS THREADS CHILDREN" of watch now.
sample() {
	local rss fds thr kids
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$WPID/status")
	thr=$(awk '/^Threads:/ {print $2}' "/proc/$WPID/status")
	fds=$(find "/proc/$WPID/fd" -mindepth 1 -maxdepth 1 | wc -l)
	kids=$(ps -o pid= --ppid "$WPID" | wc -l)
	echo "$rss $fds $thr $kids"
}
scrape() { nsenter --net="/run/netns/$NS" curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" >/dev/null; }

t_start=$(lab_ms)
end=$((t_start + TOTAL * 1000))
warm=$((t_start + 20000))
first=""
n=0 maxkids=0
while [ "$(lab_ms)" -lt "$end" ]; do
	n=$((n + 1))
	if [ $((n % 2)) = 1 ]; then
		lab_fault hung
		set_control "getattr=hang readdir=hang"
	else
		lab_heal
		set_control ""
	fi
	# Every fourth healthy period turns stale once the share is back (2 s in) and lasts 36 s:
	# longer than the 30 s gap between repairs (the attach before counts as one).
	len=$FLAP
	[ $((n % 8)) = 0 ] && len=36
	for ((i = 0; i < len; i++)); do
		[ $((n % 8)) = 0 ] && [ "$i" = 2 ] && set_control "getattr=estale readdir=estale"
		sleep 1
		scrape
		s=$(sample)
		k=${s##* }
		[ "$k" -gt "$maxkids" ] && maxkids=$k
		if [ -z "$first" ] && [ "$(lab_ms)" -ge "$warm" ]; then first=$s; fi
	done
done
lab_heal
set_control ""
last=$(sample)
rounds=$(awk '/^meshnfs_rounds_total/ {print $NF}' "$T/prom/meshnfs.prom")
trans=$(awk '/^meshnfs_transitions_total/ {print $NF}' "$T/prom/meshnfs.prom")
det=$(awk '/^meshnfs_detaches_total/ {print $NF}' "$T/prom/meshnfs.prom")
reat=$(awk '/^meshnfs_reattaches_total/ {print $NF}' "$T/prom/meshnfs.prom")
rep=$(awk '/^meshnfs_repairs_total/ {s += $NF} END {print s}' "$T/prom/meshnfs.prom")
stop_watch
read -r r0 f0 t0 k0 <<<"$first"
read -r r1 f1 t1 k1 <<<"$last"
dur=$((($(lab_ms) - t_start) / 1000))
table="$(bench_machine);
${dur} s, --interval 1 --timeout 1 --detach-after 2, the fault flipping every ${FLAP} s
(hung / healthy; every fourth healthy period ESTALE from 2 s in, for 36 s), /metrics scraped every second.
Start = after a 20 s warm-up.

| | RSS | open fds | threads | children |
|---|---|---|---|---|
| start | ${r0} kB | ${f0} | ${t0} | ${k0} |
| end | ${r1} kB | ${f1} | ${t1} | ${k1} |

${rounds} rounds, ${trans} transitions logged, ${det} detaches, ${reat} attaches again,
${rep} repairs; at most ${maxkids} children of watch at any sample; SIGTERM at the end: exit
${RC} in ${MS} ms."
printf '%s\n' "$table"
[ "$WRITE" = --write ] && (cd "$TOP" && bench_write watch-soak "$table")
exit 0
