#!/usr/bin/env bash
# The lab's Ceph cluster (tests/lab/ceph.sh): how long it takes to come up and go down, and
# how much memory its daemons hold. Root; `bash scripts/deps.sh ceph` first.
#   bash bench/ceph-lab.sh [RUNS]     (default 1; prints one line per run, then the RSS table)
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lab/lib.sh
runs=${1:-1}
for ((i = 1; i <= runs; i++)); do
	t0=$(lab_ms)
	lab_up 1 || exit 1
	t1=$(lab_ms)
	lab_ceph_up gw2:100.64.0.2 || exit 1
	t2=$(lab_ms)
	rss=$(for n in ceph-mon ceph-mgr ceph-osd ceph-mds ganesha-gw2; do
		printf '%s %s\n' "$n" "$(awk '/^VmRSS/ { print $2 }' "/proc/${LAB_PIDS[$n]}/status")"
	done)
	t3=$(lab_ms)
	lab_down
	t4=$(lab_ms)
	echo "run $i: lab $((t1 - t0)) ms; cluster to an active MDS $LAB_CEPH_MS ms; gateway $((t2 - t1 - LAB_CEPH_MS)) ms; down $((t4 - t3)) ms"
	echo "$rss" | awk '{ printf "  %-12s %6.0f MB\n", $1, $2 / 1024; s += $2 } END { printf "  %-12s %6.0f MB\n", "total", s / 1024 }'
done
