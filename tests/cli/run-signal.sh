#!/usr/bin/env bash
# tests/run stopped by a signal (make's ^C, CI's own timeout) while a test file runs: the test
# is told to stop and its at_exit cleanups run (the lab's namespaces, the VM's qemu), its
# processes are gone, and the runner still ends with its summary line. Before, the runner died
# at once, the test went on as an orphan writing into a pipe nobody read, and died of SIGPIPE
# at its next line without cleaning up (CI run 19, stopped by hand, left a qemu and three lab
# namespaces). A second SIGTERM while the test cleans up (timeout signals the test, then its
# whole process group) does not cut the cleanup short either: it did, once in CI. A harness
# self-test: a copy of tests/run and tests/lib runs a test file of its own that holds a
# sleeping child and records its cleanup.
source "$(dirname "$0")/../lib/tap.sh"
plan 15
self_test
mk_tmpdir T

mkdir -p "$T/co/tests/cli"
cp -a "$TOP/tests/run" "$T/co/tests/"
cp -a "$TOP/tests/lib" "$T/co/tests/"
# The test file: one check, a child that would sleep for minutes, its pid recorded, a cleanup
# that stops the child by pid and leaves a mark, then it waits; a second file that must never
# start once the runner was stopped.
cat >"$T/co/tests/cli/a-slow.sh" <<'EOS'
source "$(dirname "$0")/../lib/tap.sh"
plan 2
ok "before the signal"
sleep 600 &
child=$!
# The cleanup says it started, then waits (30 s at most) until the outer test has sent the
# test's shell a second SIGTERM, as timeout's SIGTERM to the whole process group can.
cleanup() {
	echo started >"$MARK.cleaning"
	for ((i = 0; i < 600; i++)); do [ -e "$MARK.go" ] && break; sleep 0.05; done
	kill "$child"
	echo cleaned >"$MARK"
}
at_exit cleanup
echo "$child" >"$MARK.child"
echo "$$" >"$MARK.test"
# Several lines, so that a runner reading a pipe would already be needed.
for i in 1 2 3; do diag "waiting $i"; done
wait
ok "never reached"
EOS
cat >"$T/co/tests/cli/b-after.sh" <<'EOS'
source "$(dirname "$0")/../lib/tap.sh"
plan 1
echo started >"$MARK.b"
ok "runs only when the runner was not stopped"
EOS

# stop SIGNAL: runs the copy's runner on the cli suite, stops it with SIGNAL once the test
# file's child is up, and records what was left.
stop() {
	local sig=$1 runner i
	export MARK=$T/mark-$sig
	# (A background job of a script starts with SIGINT ignored, which no trap can undo;
	# make's runner has it at its default.)
	mkdir -p "$T/tmp-$sig"
	TMPDIR=$T/tmp-$sig env --default-signal=INT,TERM,HUP bash "$T/co/tests/run" cli \
		>"$T/out-$sig" 2>&1 &
	runner=$!
	for ((i = 0; i < 1200; i++)); do
		[ -s "$MARK.child" ] && [ -s "$MARK.test" ] && break
		sleep 0.05
	done
	kill -s "$sig" "$runner"
	for ((i = 0; i < 1200; i++)); do [ -s "$MARK.cleaning" ] && break; sleep 0.05; done
	kill -TERM "$(cat "$MARK.test")" 2>/dev/null
	: >"$MARK.go"
	wait "$runner"
	RC=$?
}

stop TERM
check_eq "SIGTERM: the test file was running" yes "$([ -s "$MARK.child" ] && echo yes)"
check_eq "SIGTERM: the runner ended by it (status 143)" 143 "$RC"
check_eq "SIGTERM: the test's cleanup ran to its end before the runner ended, a second SIGTERM during it" \
	cleaned "$(cat "$MARK" 2>/dev/null)"
check "SIGTERM: the test's child is gone" pid_gone "$(cat "$MARK.child")"
check "SIGTERM: the test file's shell is gone" pid_gone "$(cat "$MARK.test")"
check_eq "SIGTERM: the last line is the summary, the stopped file one failure" \
	"1 passed, 1 failed" "$(tail -n 1 "$T/out-TERM")"
check_match "SIGTERM: ... named with the signal" 'cli/a-slow: interrupted by SIGTERM' "$(cat "$T/out-TERM")"
check_eq "SIGTERM: no file starts after the signal" no "$([ -e "$MARK.b" ] && echo yes || echo no)"
check_eq "SIGTERM: the runner's output file removed" "" "$(cd "$T/tmp-TERM" && ls -A -- meshnfs-run.* 2>/dev/null)"

stop INT
check_eq "SIGINT: the runner ended by it (status 130)" 130 "$RC"
check_eq "SIGINT: the test's cleanup ran to its end, a SIGTERM during it" cleaned "$(cat "$MARK" 2>/dev/null)"
check "SIGINT: the test's child is gone" pid_gone "$(cat "$MARK.child")"
check_eq "SIGINT: the summary is the last line" "1 passed, 1 failed" "$(tail -n 1 "$T/out-INT")"

# Not stopped: both files run, and the runner leaves no temporary file behind.
export MARK=$T/mark-none
: >"$MARK.child"
mkdir -p "$T/tmp-none"
sed -i 's/^wait$/kill $child/' "$T/co/tests/cli/a-slow.sh"
TMPDIR=$T/tmp-none bash "$T/co/tests/run" cli >"$T/out-none" 2>&1
check_eq "not stopped: both files pass" "3 passed, 0 failed" "$(tail -n 1 "$T/out-none")"
check_eq "not stopped: the runner's output file removed" "" "$(cd "$T/tmp-none" && ls -A -- meshnfs-run.* 2>/dev/null)"
