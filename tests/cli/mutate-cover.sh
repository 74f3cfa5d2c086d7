#!/usr/bin/env bash
# tests/mutate --cli cover, on a map built from one cli file (env.sh, a few seconds; the whole
# map of every cli file takes minutes and is not built here): the map says a line of
# src/cmd/env.c is run by env.sh and a line of src/cmd/watch.c by nothing, the selection for a
# mutant of that env.c line is env.sh, and a second run takes the cached map. A harness
# self-test: it checks tests/mutate, not meshnfs (and tests/mutate leaves it out of its maps).
source "$(dirname "$0")/../lib/tap.sh"
plan 8
self_test
cd "$TOP" || exit 1
M=(nice -n 10 tests/mutate --jobs 2 --cover-from tests/cli/env.sh)

env_line=$(grep -n 'json_object_set_new(o, "debian_like"' src/cmd/env.c | cut -d: -f1)
watch_line=$(grep -n 'return diag_exit(d);' src/cmd/watch.c | cut -d: -f1)
diag "env.c:$env_line, watch.c:$watch_line"

out=$("${M[@]}" --cover-show "src/cmd/env.c:$env_line" 2>&1)
rc=$?
check_eq "--cover-show of an env.c line: exit 0" 0 "$rc"
check_match "env.sh runs env.c:$env_line (and says how long it takes)" \
	$'(^|\n)tests/cli/env\\.sh [0-9.]+$' "$out"
check_match "the map was built or taken from build/mutate/cover-*.json" \
	'# cover: (building the map of 1 cli files into|map) build/mutate/cover-[0-9a-f]+-[0-9a-f]+\.json' "$out"

out=$("${M[@]}" --cover-show "src/cmd/watch.c:$watch_line" 2>&1)
check_match "a second run takes the cached map" '# cover: map build/mutate/cover-' "$out"
check_no_match "env.sh does not run watch.c:$watch_line" 'tests/cli/' "$out"

out=$("${M[@]}" --cli cover --files src/cmd/env.c --list 2>&1)
check_match "--list --cli cover: env.c:$env_line's drop mutant runs env.sh" \
	"src/cmd/env\\.c:$env_line: drop: [^"$'\n'"]*\\[cli: tests/cli/env\\.sh\\]" "$out"
map=$(ls -t build/mutate/cover-*.json | head -1)
check_eq "the map records env.sh passing unmutated" true \
	"$(jq -r '.clis["tests/cli/env.sh"].ok' "$map")"

# Which cli files a whole map runs: not the self-tests, not those marked "# mutate: skip"
# (build-flags.sh: on the -O0 coverage build it fails by design, and every map said so).
check "build-flags.sh (marked) and this self-test are left out of a map, env.sh is in" \
	python3 -B -c 'from importlib.machinery import SourceFileLoader as L
m = L("mutate", "tests/mutate").load_module()
raise SystemExit(0 if m.not_for_mutants("tests/cli/build-flags.sh") and
		 m.not_for_mutants("tests/cli/mutate-cover.sh") and
		 not m.not_for_mutants("tests/cli/env.sh") else 1)'
