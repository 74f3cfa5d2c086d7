#!/usr/bin/env bash
# Start-up cost (issue 16 goal 1): commands that need no library beside `true`, with hyperfine
# (scripts/deps.sh bench), no lab, no network: --version, help, and env on a fixture root (it
# opens no socket). --write puts the table in bench/README.md (between the startup markers).
#   RUNS (300)
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
RUNS=${RUNS:-300}
write=0
[ "${1:-}" = --write ] && write=1
. bench/lib.sh
[ -x "$MESHNFS" ] || { echo "bench: build first (make)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (bash scripts/deps.sh bench)" >&2; exit 1; }
J=$(mktemp)
trap 'rm -f "$J"' EXIT
hyperfine -N --warmup 30 -r "$RUNS" --export-json "$J" true "$MESHNFS --version" "$MESHNFS help" \
	"$MESHNFS --root $TOP/tests/fixtures/roots/debian12 env" >/dev/null 2>&1 ||
	{ echo "bench: hyperfine failed" >&2; exit 1; }
libs=$(ldd "$MESHNFS" | grep -c .)
table=$(
	echo "$(bench_machine),"
	echo "shared with other work: the mean is noise, the minimum and the CPU time (user + system)"
	echo "say what the program costs. hyperfine -N, $RUNS runs each. \`ldd\`: $libs libraries."
	echo
	echo "| command | min | median | user + system | vs true (min) |"
	echo "|---|---|---|---|---|"
	jq -r '(.results[0].min) as $t | .results[] | "| `\(.command | sub(".*/build/"; "build/") | sub(" --root .*/tests/"; " --root tests/"))` | \(.min * 1000 * 10 | floor / 10) ms | \(.median * 1000 * 10 | floor / 10) ms | \((.user + .system) * 1000 * 10 | floor / 10) ms | +\((.min - $t) * 1000 * 10 | floor / 10) ms |"' "$J"
)
printf '%s\n' "$table"
if [ $write = 1 ]; then bench_write startup "$table"; fi
