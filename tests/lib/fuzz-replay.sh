#!/usr/bin/env bash
# Replays a fuzzer's seed corpus once (no fuzzing): each input must run without a crash or a
# sanitizer report. Prints one TAP line.
set -u
fuzzer=$1 corpus=$2
echo "1..1"
n=$(find "$corpus" -type f 2>/dev/null | wc -l)
if [ "$n" -eq 0 ]; then
	echo "not ok 1 - $(basename "$fuzzer"): empty seed corpus $corpus"
	exit 0
fi
if out=$("$fuzzer" -runs=0 "$corpus" 2>&1); then
	echo "ok 1 - $(basename "$fuzzer"): $n seed inputs replayed clean"
else
	printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
	echo "not ok 1 - $(basename "$fuzzer"): crash or sanitizer report on the seed corpus"
fi
