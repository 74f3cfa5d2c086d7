#!/usr/bin/env bash
# --format nagios on probe and doctor: the Monitoring Plugins output format, read by a strict
# grammar (tests/lib/nagios.sh): one status line, perfdata for each step's time, exit 0/1/2,
# and 3 UNKNOWN with a status line for usage errors and bad input. probe runs against
# loopback in an empty network namespace (nothing listens on 2049: refused); the OK and hung
# cases against a real server are in tests/e2e/nagios.sh. doctor runs on fixture roots.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/lib/nagios.sh"
plan 30
R=$FIXTURES/roots
empty_netns NS
mk_tmpdir T

# The grammar itself rejects what the guidelines forbid (so the checks below can fail).
bad=0
for s in "MESHNFS PROBE OK - fine | 'a'=1x;;;0;" "MESHNFS PROBE OK - two
lines" "MESHNFS PROBE FINE - x" "MESHNFS PROBE OK - a | b | 'a'=1s;;;0;" \
	"MESHNFS PROBE OK - x | a=1s;;;0;" "MESHNFS PROBE OK - x | 'a'=1s;;"; do
	nagios_parse "$s" 0 2>/dev/null && bad=$((bad + 1))
done
nagios_parse "MESHNFS PROBE CRITICAL - x | 'a'=1s;;;0;" 0 2>/dev/null && bad=$((bad + 1))
check_eq "the grammar rejects 7 malformed outputs" 0 "$bad"
check "the grammar accepts a well-formed one" nagios_parse "X OK - y | 'a.b'=0.001s;;;0; 'c'=U;;;0;5.000" 0

run ip netns exec "$NS" "$MESHNFS" --timeout 1 probe --format nagios 127.0.0.1
check "probe, refused: well-formed" nagios_parse "$OUT" "$RC"
check_eq "probe, refused: CRITICAL, exit 2" "CRITICAL 2" "$NAGIOS_STATUS $RC"
check_match "probe, refused: the diagnosis in the text" "^127\.0\.0\.1:/opt/shared refused: " "$NAGIOS_TEXT"
check_eq "probe: perfdata for each step and the total" "route tcp rpc export write ownership total" \
	"$(printf '%s\n' "${NAGIOS_PERF[@]}" | sed "s/^'\([^']*\)'.*/\1/" | tr '\n' ' ' | sed 's/ $//')"
check_match "probe: the tcp step's time in seconds" "^[0-9]+\.[0-9]{3}s$" "$(nagios_perf tcp)"
check_eq "probe: steps not run are U" "U U" "$(nagios_perf export) $(nagios_perf write)"
check_match "probe: max is the step deadline (--timeout 1)" "^'tcp'=[0-9.]+s;;;0;1\.000$" "${NAGIOS_PERF[1]}"
check_eq "probe: nothing on stderr" "" "$ERR"

run ip netns exec "$NS" "$MESHNFS" --timeout 1 probe --format=nagios --no-write 127.0.0.1:/srv/x
check "probe --format=nagios --no-write HOST:EXPORT: well-formed" nagios_parse "$OUT" "$RC"
check_match "probe: the export in the text" "^127\.0\.0\.1:/srv/x " "$NAGIOS_TEXT"

# Each status line ends in its newline: the checks above read $(...), which strips it (mutation
# run 9: cmd_probe.c:56, probe's newline dropped, survived). Probe, doctor, UNKNOWN.
last_byte() { "$@" 2>/dev/null | tail -c 1 | od -An -tx1 | tr -d ' '; }
check_eq "the status line ends in a newline: probe, doctor, UNKNOWN" "0a 0a 0a" \
	"$(last_byte ip netns exec "$NS" "$MESHNFS" --timeout 1 probe --format nagios 127.0.0.1) $(
		last_byte ip netns exec "$NS" "$MESHNFS" --root "$R/debian12" --timeout 1 doctor --format nagios) $(
		last_byte ip netns exec "$NS" "$MESHNFS" probe --format nagios --bogus 127.0.0.1)"

fake_windows typo wslinfo cmd.exe wslpath
run ip netns exec "$NS" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --root "$R/wsl2-wslconfig-typo" \
	--timeout 1 doctor --format nagios
check "doctor, WSL2 with a .wslconfig typo: well-formed" nagios_parse "$OUT" "$RC"
nagios_rc=$RC status=$NAGIOS_STATUS text=$NAGIOS_TEXT perf=("${NAGIOS_PERF[@]}")
run ip netns exec "$NS" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --root "$R/wsl2-wslconfig-typo" \
	--timeout 1 doctor --json
want=$(jget '.verdict' | sed 's/^ok$/OK/;s/^warn$/WARNING/;s/^fail$/CRITICAL/')
check_eq "doctor: the status is the verdict, the exit code doctor's own" "$want $RC" \
	"$status $nagios_rc"
NAGIOS_TEXT=$text NAGIOS_PERF=("${perf[@]}")
check_match "doctor: the text names the warning checks" "wsl\.wslconfig: " "$NAGIOS_TEXT"
# The text is the counts, then exactly the failures and then the warnings, each "ID: summary",
# as the JSON of the same run has them (mutation run 18: cmd_doctor.c:38's status test negated
# listed every check that was not a failure, then every one that was not a warning, and the
# check above still found wsl.wslconfig).
check_eq "doctor: the text lists the failures, then the warnings, and nothing else" \
	"$(jget '(.checks | map(.status)) as $s |
		"\($s | map(select(. == "fail")) | length) fail, \($s | map(select(. == "warn")) | length) warn, \($s | map(select(. == "ok")) | length) ok, \($s | map(select(. == "skip")) | length) skipped: " +
		([.checks[] | select(.status == "fail")] + [.checks[] | select(.status == "warn")] |
		map("\(.id): \(.summary)") | join("; "))')" "$NAGIOS_TEXT"
check_eq "doctor: one perfdata item per check, plus total" \
	"$(($(jget '.checks | length') + 1))" "${#NAGIOS_PERF[@]}"
check_match "doctor: total in seconds" "^[0-9]+\.[0-9]{3}s$" "$(nagios_perf total)"

# A check summary holding '|' or a control character cannot break the line: the root's
# path is in mount.present's summary ("cannot read ROOT/proc/self/mountinfo").
D="$T/a|b	c"
mkdir -p "$D"
cp -a "$R/debian12/." "$D/"
run ip netns exec "$NS" "$MESHNFS" --root "$D" --timeout 1 doctor --format nagios
check "doctor: a '|' and a tab in a summary keep the output well-formed" nagios_parse "$OUT" "$RC"
check_match "doctor: they became '/' and a space" "mount.present: cannot read $T/a/b c/proc" "$NAGIOS_TEXT"

# UNKNOWN (3), with one status line: usage errors, bad input.
for args in "probe --format nagios 127.0.0.1 extra" "probe --format nagios --bogus 127.0.0.1" \
	"probe --format xml 127.0.0.1" "--json probe --format nagios 127.0.0.1" \
	"doctor --all --format nagios" "--config $T/absent.conf doctor --format nagios"; do
	# shellcheck disable=SC2086 # the words of args on purpose
	run ip netns exec "$NS" "$MESHNFS" $args
	[ "$args" = "probe --format xml 127.0.0.1" ] && { check_eq "an unknown --format is a usage error (64)" 64 "$RC"; continue; }
	nagios_parse "$OUT" "$RC" 2>/dev/null
	check_eq "UNKNOWN 3 with a status line: $args" "UNKNOWN 3" "$NAGIOS_STATUS $RC"
done
# That UNKNOWN is the refusal of --all beside nagios, not --all itself refused (mutation run 7:
# cmd_doctor.c:122, --all's `return 0` -> -EIO, was a usage error too).
run ip netns exec "$NS" "$MESHNFS" doctor --all --format nagios
nagios_parse "$OUT" "$RC" 2>/dev/null
check_eq "doctor --all --format nagios: UNKNOWN saying why" \
	"UNKNOWN --format nagios checks this node: run it on each node, not with --all" "$NAGIOS_STATUS $NAGIOS_TEXT"
printf '[fleet]\nsessions = 0\n' > "$T/bad.conf"
run ip netns exec "$NS" "$MESHNFS" --config "$T/bad.conf" doctor --format nagios
nagios_parse "$OUT" "$RC" 2>/dev/null
check_match "bad configuration: UNKNOWN naming file and line" "^UNKNOWN $T/bad.conf:2: sessions" "$NAGIOS_STATUS $NAGIOS_TEXT"
# --format as the last word, its value missing: a usage error like any other, not a crash
# (mutation run 11: the early scan for nagios's '--format nagios', `i + 1 < argc` made `<=`,
# read argv[argc], NULL: SIGSEGV).
run ip netns exec "$NS" "$MESHNFS" probe 127.0.0.1 --format
check_eq "probe HOST --format (no value): a usage error (64) that names it" \
	"64 meshnfs: option '--format' needs an argument" "$RC $(head -1 <<<"$ERR")"
