#!/usr/bin/env bash
# Documentation keeps up with the code: every command in `help` is in the man page and the
# README, and the man page renders without warnings.
. "$(dirname "$0")/../lib/tap.sh"
run "$MESHNFS" help
cmds=$(printf '%s\n' "$OUT" | sed -n 's/^  \([a-z]\+\) .*/\1/p')
opts=(--format --help)
# two checks per command the first loop visits, one per option of the second, three others
plan $((3 + 2 * $(wc -w <<<"$cmds") + ${#opts[@]}))
check_match "help lists commands" "env" "$cmds"
for c in $cmds; do
	check "man page documents '$c'" grep -Eq "^\\.(B|BI|RI) \"?$c( |\"|$)" "$TOP/man/meshnfs.8"
	check "README documents '$c'" grep -q "| \`$c" "$TOP/README.md"
done
# groff comes with scripts/deps.sh (groff-base): without it this is a failure, not a skip.
warn=$(groff -man -ww -z "$TOP/man/meshnfs.8" 2>&1)
check_eq "man page renders without warnings" "" "$warn"
warn=$(groff -man -ww -z "$TOP/man/meshnfs.conf.5" 2>&1)
check_eq "meshnfs.conf(5) renders without warnings" "" "$warn"
for opt in "${opts[@]}"; do
	check "man page documents '$opt'" grep -qF -- "${opt//-/\\-}" "$TOP/man/meshnfs.8"
done
