# shellcheck shell=bash
# Shared by the benchmarks (run from the top of the tree).

# bench_machine: "Measured DATE on HOST: CPU, N CPUs, Linux RELEASE", the start of every table's
# caption.
bench_machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	printf 'Measured %s on %s: %s, %s CPUs, Linux %s' "$(date -u +%Y-%m-%d)" "$(uname -n)" \
		"$cpu" "$(nproc)" "$(uname -r)"
}

# bench_write NAME TEXT: TEXT replaces what lies between <!-- NAME:begin --> and
# <!-- NAME:end --> in bench/README.md.
bench_write() {
	local f=bench/README.md
	awk -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" -v t="$2" '
		$0 == b { print; print t; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$f" >"$f.new" && mv "$f.new" "$f"
	echo "bench: table written to $f" >&2
}

# median N...: the median of the numbers (the lower one of the middle two for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
