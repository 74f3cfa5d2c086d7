#!/usr/bin/env bash
# Issue 16's "the e2e suite runs at least once with --timeout 1": every tests/e2e file, run by
# tests/run, with meshnfs's default step deadline cut from 5 s to TIMEOUT (default 1) seconds.
# A wrapper puts `--timeout TIMEOUT` in front of every meshnfs call; a test that gives its own
# --timeout keeps it (the last one given wins). What it measures: which verdicts still come
# out right when meshnfs waits less, and how long the suite takes. Prints a markdown table;
# --write also puts it in bench/README.md (between the e2e-timeout markers). Run as root,
# after `make`:  bash bench/e2e-timeout.sh [--write]
#   TIMEOUT (default 1)  seconds for meshnfs's --timeout
set -u
cd "$(dirname "$0")/.."
TIMEOUT=${TIMEOUT:-1}
write=0
[ "${1:-}" = --write ] && write=1
. bench/lib.sh
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
[ -x build/meshnfs ] || { echo "bench: build first (make)" >&2; exit 1; }

dir=$(mktemp -d /tmp/meshnfs-e2e-timeout.XXXXXX)
chmod 755 "$dir" # idmap.sh runs meshnfs as another user (daemon)
trap 'rm -rf "$dir"' EXIT
# The wrapper execs meshnfs, so the process tests look for is meshnfs itself.
printf '#!/bin/sh\nexec %s --timeout %s "$@"\n' "$PWD/build/meshnfs" "$TIMEOUT" >"$dir/meshnfs"
chmod 755 "$dir/meshnfs"

t0=$SECONDS
MESHNFS=$dir/meshnfs tests/run e2e >"$dir/log" 2>&1
rc=$?
took=$((SECONDS - t0))

# One row per test file: its checks passed and failed, its time, and the failed checks' names.
rows=$(awk '
	/^# --- [^ ]+$/ { name = $3; ok[name] = 0; bad[name] = 0; order[++n] = name; next }
	/^# --- [^ ]+ took / { took[$3] = $5; next }
	/^ok / { ok[name]++ }
	/^not ok / { bad[name]++; line = $0; sub(/^not ok [0-9]* *-? */, "", line); gsub(/\|/, "/", line)
		fails[name] = fails[name] (fails[name] == "" ? "" : "; ") line }
	END { for (i = 1; i <= n; i++) { f = order[i]
		printf "| %s | %d | %d | %s s | %s |\n", f, ok[f], bad[f], took[f], fails[f] } }
' "$dir/log")
summary=$(tail -n 1 "$dir/log")
table="$(bench_machine),
shared with other work; tests/run e2e once with every meshnfs call given \`--timeout $TIMEOUT\`
first (a test's own --timeout wins); the whole run took $took s, exit $rc: $summary.

| test file | passed | failed | time | failed checks |
|---|---|---|---|---|
$rows"
printf '%s\n' "$table"
[ "$write" = 1 ] && bench_write e2e-timeout "$table"
exit 0
