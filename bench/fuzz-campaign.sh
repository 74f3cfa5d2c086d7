#!/bin/bash
# bench/fuzz-campaign.sh: runs every libFuzzer target (ASan+UBSan, `make fuzz-build`) for
# SECONDS each and prints one markdown table row per fuzzer: wall and CPU seconds, executions,
# edge coverage and features at the end, corpus size, peak RSS, and whether it crashed.
#
#   bash bench/fuzz-campaign.sh [--seconds N | --cpu-seconds N] [--jobs J] [--nice] [--out FILE]
#                               [FUZZER...]
#
# --cpu-seconds N gives each fuzzer N seconds of CPU time instead of N seconds of wall time: on a
# shared machine, where a niced fuzzer gets a fraction of a core, that is what "ten minutes of
# fuzzing" means. The fuzzer's CPU time is read from /proc each second and it is stopped by
# SIGINT (libFuzzer then prints its final statistics and exits 72) once it has used N.
#
# J fuzzers run side by side (default 1); --nice runs them at nice 19 so that they take only
# idle CPU on a shared machine (then CPU seconds, not wall seconds, say how much fuzzing was
# done). The corpus grows in build/fuzz-corpus/NAME (seeded from fuzz/corpus/NAME); a crash
# leaves its input in build/fuzz-artifacts/ and the row says `CRASH`: turn that input into a
# seed with its fix. Logs: build/fuzz-logs/NAME.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600 cpu=0 jobs=1 nice=() out=/dev/stdout names=()
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=${2:?}; shift 2 ;;
	--cpu-seconds) cpu=${2:?}; shift 2 ;;
	--jobs) jobs=${2:?}; shift 2 ;;
	--nice) nice=(nice -n 19); shift ;;
	--out) out=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
	-*) echo "fuzz-campaign: unknown option $1" >&2; exit 64 ;;
	*) names+=("$1"); shift ;;
	esac
done
case "$seconds$cpu$jobs" in *[!0-9]*) echo "fuzz-campaign: --seconds, --cpu-seconds and --jobs take numbers" >&2; exit 64 ;; esac
# with a CPU budget the wall-time limit is only a backstop: 50 times the budget
[ "$cpu" -eq 0 ] || seconds=$((cpu * 50))
ticks=$(getconf CLK_TCK)

# cpu_guard PID: SIGINT to PID once its user+system time reaches $cpu seconds.
cpu_guard() {
	local pid=$1 stat rest used
	while kill -0 "$pid" 2>/dev/null; do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
		rest=${stat##*) }
		read -r -a f <<<"$rest"
		# fields after the name: state is f[0], utime f[11], stime f[12]
		used=$(( (f[11] + f[12]) / ticks ))
		if [ "$used" -ge "$cpu" ]; then kill -INT "$pid" 2>/dev/null; return 0; fi
		sleep 1
	done
}

if [ ${#names[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do names+=("$(basename "$f" .c)"); done
fi
for n in "${names[@]}"; do
	[ -x "build/fuzz/$n" ] || { echo "fuzz-campaign: build/fuzz/$n missing: make fuzz-build" >&2; exit 66; }
done
mkdir -p build/fuzz-corpus build/fuzz-artifacts build/fuzz-logs

# one_fuzzer NAME: runs it, then prints its row from the log and getrusage's CPU time.
one_fuzzer() {
	local n=$1 log=build/fuzz-logs/$1.log tf=build/fuzz-logs/$1.time rc=0
	mkdir -p "build/fuzz-corpus/$n"
	/usr/bin/time -f '%e %U %S %M' -o "$tf" "${nice[@]}" "build/fuzz/$n" \
		-max_total_time="$seconds" -print_final_stats=1 -close_fd_mask=3 \
		-artifact_prefix="build/fuzz-artifacts/$n-" \
		"build/fuzz-corpus/$n" "fuzz/corpus/$n" >"$log" 2>&1 &
	local tpid=$! fpid=""
	if [ "$cpu" -gt 0 ]; then
		# the fuzzer is /usr/bin/time's only child (nice execs it)
		while [ -z "$fpid" ] && kill -0 "$tpid" 2>/dev/null; do
			fpid=$(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null | awk '{ print $1 }')
			[ -n "$fpid" ] || sleep 0.1
		done
		[ -z "$fpid" ] || cpu_guard "$fpid" &
	fi
	wait "$tpid" || rc=$?
	# 72: libFuzzer's exit after the SIGINT of the CPU budget, with its final statistics
	if [ "$cpu" -gt 0 ] && [ "$rc" -eq 72 ] && grep -q 'run interrupted' "$log"; then rc=0; fi
	local wall user sys rss execs last cov ft corp verdict
	# (/usr/bin/time puts "Command exited with non-zero status N" first when the fuzzer failed)
	read -r wall user sys rss < <(tail -n 1 "$tf") || true
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
	verdict="no crash"
	[ "$rc" -eq 0 ] || verdict="**CRASH** (exit $rc, see build/fuzz-artifacts/)"
	printf '| %s | %.0f | %.0f | %s | %s | %s | %s | %s MB | %s |\n' "${n#fuzz_}" \
		"${wall:-0}" "$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { print u + s }')" "${execs:-?}" "${cov:-?}" \
		"${ft:-?}" "${corp:-?}" "$(( ${rss:-0} / 1024 ))" "$verdict"
}

{
	echo "| fuzzer | wall s | CPU s | executions | cov (edges) | ft | corpus | peak RSS | result |"
	echo "|---|---|---|---|---|---|---|---|---|"
} >"$out"
rows=build/fuzz-logs/rows
: >"$rows"
running=0
for n in "${names[@]}"; do
	one_fuzzer "$n" >>"$rows" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
sort "$rows" >>"$out"
