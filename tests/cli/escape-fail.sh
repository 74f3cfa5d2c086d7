#!/usr/bin/env bash
# meshnfs prints human output only through its escaping streams (report/output.h). When they
# cannot be made (fopencookie fails: out of memory at start, forced here by
# build/test/faultshim.so), it runs nothing and says so, rather than print outside text raw
# (until 2026-12-07 it went on unescaped). The stream of stdout is made first, then stderr's.
. "$(dirname "$0")/../lib/tap.sh"
plan 7
SHIM=$TOP/build/test/faultshim.so
[ -f "$SHIM" ] || { not_ok "faultshim.so is built (make unit)"; exit 0; }
mk_tmpdir T
R=$FIXTURES/roots/debian12

for n in 1 2; do
	rm -f "$T/hit"
	run env LD_PRELOAD="$SHIM" FAULT_FUNC=fopencookie FAULT_NTH=$n FAULT_HIT="$T/hit" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$MESHNFS" --root "$R" env
	which=$([ "$n" = 1 ] && echo stdout || echo stderr)
	check_eq "$which's stream cannot be made: the fault was met" "fopencookie " "$(cat "$T/hit" 2>/dev/null)"
	check_eq "... exit 70, nothing on stdout" "70:" "$RC:$OUT"
	check_eq "... and why on stderr" \
		"meshnfs: internal error: cannot set up the escaping of the output: Cannot allocate memory; nothing was run" "$ERR"
done
# The same command without the fault: it runs (the checks above are not about --root or env).
run "$MESHNFS" --root "$R" env
check_eq "without the fault: env runs (exit 0)" 0 "$RC"
