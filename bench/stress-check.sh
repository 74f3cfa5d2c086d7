#!/usr/bin/env bash
# The full suite under load, run after run (issue 17: "the full suite passes 5 times in a row on
# a loaded machine"). Each run: a fresh clone of this repository's HEAD as it is at the run's
# start, `CI=true make -j2 check` in it while `stress-ng --cpu N` (N = the machine's CPUs) keeps
# every core busy beside it. One line per run's start and end in LOG, the failed checks and any
# network namespace left behind after it; a failed run's whole output is kept.
#
#   sudo bench/stress-check.sh [RUNS] [LOG]     (default 5 runs, build/bench/stress-check.log)
#
# About 20 minutes a run on 2 cores. Stops at the first failed run (its log is what matters)
# unless KEEP_GOING=1; `touch STOPFILE` (printed at the start) ends it after the current run.
# stress-ng comes with `scripts/deps.sh` (the test set); the suite needs root, as in CI.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
log=${2:-$top/build/bench/stress-check.log}
[ "$(id -u)" = 0 ] || { echo "stress-check: the suite needs root" >&2; exit 77; }
command -v stress-ng >/dev/null || { echo "stress-check: no stress-ng (scripts/deps.sh)" >&2; exit 69; }
mkdir -p "$(dirname "$log")"
work=$(mktemp -d /tmp/meshnfs-stress.XXXXXX) && chmod 755 "$work"
stopfile=$work/stop
sp=
cleanup() {
	[ -n "$sp" ] && kill "$sp" 2>/dev/null && wait "$sp" 2>/dev/null
	rm -rf "$work/clone"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "stress-check: $runs runs, log $log; touch $stopfile to stop after the current run" >&2
cpus=$(nproc)
clean=0
ran=0
# The log numbers runs per invocation: this line tells two invocations' "run 1" apart.
echo "$(date -u +%F) invocation $(date -u +%H:%M:%S): $runs runs on $cpus CPUs, pid $$" >>"$log"
for i in $(seq "$runs"); do
	[ -e "$stopfile" ] && break
	ran=$i
	head=$(git -C "$top" rev-parse --short HEAD)
	rm -rf "$work/clone"
	git clone -q "$top" "$work/clone"
	stress-ng --cpu "$cpus" --timeout 0 >/dev/null 2>&1 &
	sp=$!
	t0=$(date +%s)
	echo "$(date -u +%F) run $i $head start $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
	(cd "$work/clone" && CI=true make -j2 check) >"$work/run$i.out" 2>&1
	rc=$?
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	sp=
	echo "$(date -u +%F) run $i $head end $(date -u +%H:%M:%S) rc=$rc $(($(date +%s) - t0)) s: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/run$i.out" | tail -1)" >>"$log"
	grep -E "^not ok" "$work/run$i.out" | head -20 >>"$log"
	ip netns list | sed "s/^/netns present after the run (any test of anyone's): /" >>"$log"
	if [ "$rc" = 0 ]; then
		clean=$((clean + 1))
		rm -f "$work/run$i.out"
	else
		cp "$work/run$i.out" "$(dirname "$log")/stress-check-run$i.out"
		echo "stress-check: run $i failed (rc $rc): $(dirname "$log")/stress-check-run$i.out" >&2
		[ "${KEEP_GOING:-0}" = 1 ] || break
	fi
done
rm -rf "$work"
# Runs that were made, not runs asked for: a stop file before the first run is no failure.
echo "stress-check: $clean clean of $ran run(s)" >&2
[ "$clean" = "$ran" ]
